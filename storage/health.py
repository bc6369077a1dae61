"""Feed health as the dashboard's status bar sums it up, and asking for a feed to be fetched.

The poller writes the fetch columns of `feeds` (storage.fetch_state); these read them, or make
a feed due, so they work the same whether this process polls or a `wirewatch poll` elsewhere.
Each feed's own health is `storage.feed_health`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from storage.db import chunks, transaction
from storage.fetch_state import DEAD, ERROR
from storage.ids import id_floor

FAILING = (ERROR, DEAD)


def _utc(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


@dataclass(frozen=True)
class Overview:
    """What the status bar says: are the feeds well, when was and is the next poll."""

    feeds: int  # configured
    failing: int
    fetched: int  # configured feeds fetched at least once
    last_fetch: datetime | None
    next_due: datetime | None
    items_since: int  # items published at or after the `since` asked for


def overview(db: Database, since: datetime) -> Overview:
    marks = ",".join("?" * len(FAILING))
    feeds, failing, fetched, last_fetch, next_due = db.execute(
        "SELECT count(*), coalesce(sum(last_status IN (" + marks + ")), 0), "
        "count(last_fetch), max(last_fetch), min(next_due) FROM feeds WHERE in_config = 1",
        FAILING,
    ).fetchone()
    (items_since,) = db.execute(
        "SELECT count(*) FROM items WHERE id >= ?", (id_floor(since),)
    ).fetchone()
    return Overview(feeds, failing, fetched, _utc(last_fetch), _utc(next_due), items_since)


def request_fetch(db: Database, names: Sequence[str], when: datetime) -> None:
    """Make these feeds due at `when`: whichever poller runs fetches them on its next tick."""
    with transaction(db):
        for chunk in chunks(list(names)):
            marks = ",".join("?" * len(chunk))
            db.execute(
                f"UPDATE feeds SET next_due = ? WHERE name IN ({marks})",
                (int(when.timestamp()), *chunk),
            )
