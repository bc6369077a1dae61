"""What every screen of one dashboard run shares: the database threads, the clock, the config."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.signal import Signal

from feeds.config import Config
from tui.clock import Clock
from tui.database import DatabaseThread
from tui.watcher import DatabaseChange


@dataclass(frozen=True)
class Session:
    reader: DatabaseThread  # timelines, search, marking read: short calls, in order
    stats: DatabaseThread  # counts and feed health: scans kept off the reader's queue
    clock: Clock
    config: Config
    changes: Signal[DatabaseChange]  # published for every change the watcher sees
    polling: bool  # a poller runs in this dashboard
    # slug -> title of the storylines shown. The main screen keeps it in step with the
    # database, where a poller (ours or another process's) puts feeds.yaml edits.
    storyline_titles: dict[str, str] = field(default_factory=dict)
    note: str = ""  # said first in the status bar (the demo says it is one)
