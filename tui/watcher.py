"""Notice what other connections write to the database, and load only what changed.

Whoever writes (the poller in this process, a `wirewatch poll` elsewhere, a second dashboard
marking items read), SQLite bumps `PRAGMA data_version` for every other connection: one cheap
pragma per tick tells this loop whether to look. When it changed, `changes_since` names the
developments touched after the last sequence number seen, and only those are loaded.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import storage
from storage import Changes, Development

# Beyond this many changed developments (a first poll of hundreds of feeds, an import), the
# views reload their first page instead of merging each one.
MAX_MERGE = 500


@dataclass(frozen=True)
class DatabaseChange:
    changes: Changes
    developments: dict[int, Development] = field(default_factory=dict)
    reload: bool = False  # too much changed to merge: start the views afresh

    @property
    def new_items(self) -> bool:
        return bool(self.changes.developments)


def watch(
    path: Path,
    seq: int,
    report: Callable[[DatabaseChange], None],
    stop: threading.Event,
    interval: float = 0.5,
    on_error: Callable[[str], None] | None = None,
) -> None:
    """Report each change after `seq` until `stop` is set (runs in its own thread)."""
    db = storage.open_db(path, migrate_schema=False)
    try:
        version = storage.data_version(db)
        while not stop.wait(interval):
            try:
                current = storage.data_version(db)
                if current == version:
                    continue
                version = current
                changes = storage.changes_since(db, seq)
                seq = changes.seq
                if len(changes.developments) > MAX_MERGE:
                    report(DatabaseChange(changes, reload=True))
                    continue
                loaded = storage.load_developments(db, changes.developments)
                # Marks read/unread by another connection arrive here with no developments.
                report(DatabaseChange(changes, loaded))
            except (sqlite3.Error, storage.StorageError) as exc:
                # A locked or briefly unreadable database: say so and try again next tick.
                if on_error is not None:
                    on_error(str(exc))
    finally:
        db.close()
