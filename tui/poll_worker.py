"""The dashboard's seam to the poller (feeds.poller): run it on a thread, report what it does.

`run_poller` is asyncio code with its own database connection; the dashboard runs it with
`asyncio.run` inside a Textual thread worker, so fetches never touch the UI's event loop and
the poller's writes reach the screen the same way another process's would: through the
database watcher. What the poller reports (a round started, a feed fetched, a round done)
comes back as `PollStatus` values for the status bar. If the poller stops (a feeds.yaml
that no longer validates at start, say), the dashboard stays open and says why.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from feeds.poller import PollEvent


@dataclass(frozen=True)
class PollStatus:
    enabled: bool = True  # False: --no-poll, or the demo
    unavailable: str = ""  # why no poller runs here, if it cannot
    polling: bool = False  # a round is in flight
    done: int = 0  # feeds fetched in the current (or last) round
    total: int = 0
    failed: int = 0
    new_items: int = 0
    finished_at: datetime | None = None  # the last round's end
    next_due: datetime | None = None
    problem: str = ""  # the last config or database trouble the poller reported


OFF = PollStatus(enabled=False)


def apply(status: PollStatus, event: PollEvent, now: datetime) -> PollStatus:
    """The status after one poller event."""
    # Imported here, not at the top: the poller brings httpx (a tenth of a second), which the
    # first paint should not wait for, and --no-poll never needs.
    from feeds.poller import ConfigRejected, FeedFetched, PollFailed, PollFinished, PollStarted

    if isinstance(event, PollStarted):
        return replace(status, polling=True, done=0, total=event.total, failed=0, new_items=0)
    if isinstance(event, FeedFetched):
        failed = event.status in ("error", "dead")
        return replace(
            status,
            done=status.done + 1,
            failed=status.failed + failed,
            new_items=status.new_items + event.new_items,
        )
    if isinstance(event, PollFinished):
        summary = event.summary
        return replace(
            status,
            polling=False,
            done=summary.feeds,
            failed=summary.failed,
            new_items=summary.new_items,
            finished_at=now,
            next_due=summary.next_due,
            problem="",
        )
    if isinstance(event, ConfigRejected):
        return replace(status, problem=f"feeds.yaml not reloaded: {event.error}")
    if isinstance(event, PollFailed):
        return replace(status, polling=False, problem=f"poll failed: {event.error}")
    return status


def run_polls(
    config_path: Path,
    db_path: Path,
    stop: threading.Event,
    report: Callable[[PollEvent], None],
    unavailable: Callable[[str], None],
) -> None:
    """Poll until `stop` is set, on the calling thread; each poller event goes to `report`."""
    from feeds import poller

    try:
        asyncio.run(poller.run_poller(config_path, db_path, stop=stop, on_event=report))
    except Exception as exc:  # the dashboard outlives its poller, and says why it stopped
        unavailable(f"poller stopped: {exc}")
