"""Feed health as the dashboard shows it: each feed's last fetch, and the overall picture.

The poller writes the fetch columns of `feeds`; these queries only read them, so they give
the same answer whether this process polls or a separate `wirewatch poll` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from storage.db import chunks, transaction
from storage.ids import id_floor

# feeds.last_status values the poller writes; anything else (or NULL) is "never fetched".
FAILING = ("error", "dead")


def _utc(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


@dataclass(frozen=True)
class FeedStatus:
    name: str
    url: str
    title: str
    configured: bool  # in feeds.yaml now (feeds dropped from it keep their items)
    status: str | None  # ok | not-modified | error | dead; None: never fetched
    http_status: int | None
    last_fetch: datetime | None
    last_error: str | None
    failures: int  # consecutive
    next_due: datetime | None
    items: int
    items_24h: int  # published in the 24 hours before `now`

    @property
    def failing(self) -> bool:
        return self.status in FAILING


@dataclass(frozen=True)
class Overview:
    """What the status bar says: are the feeds well, when was and is the next poll."""

    feeds: int  # configured
    failing: int
    fetched: int  # configured feeds fetched at least once
    last_fetch: datetime | None
    next_due: datetime | None
    items_since: int  # items published at or after the `since` asked for


def feed_statuses(db: Database, now: datetime) -> list[FeedStatus]:
    """Every feed, configured ones first, then by name."""
    day = id_floor(now - timedelta(days=1))
    rows = db.execute(
        "SELECT f.name, f.url, coalesce(f.title, ''), f.in_config, f.last_status, f.http_status, "
        "f.last_fetch, f.last_error, coalesce(f.failures, 0), f.next_due, "
        "(SELECT count(*) FROM items i WHERE i.feed_id = f.id), "
        "(SELECT count(*) FROM items i WHERE i.feed_id = f.id AND i.id >= ?) "
        "FROM feeds f ORDER BY f.in_config DESC, f.name COLLATE NOCASE",
        (day,),
    )
    return [
        FeedStatus(
            name=name,
            url=url,
            title=title,
            configured=bool(in_config),
            status=status or None,
            http_status=http_status,
            last_fetch=_utc(last_fetch),
            last_error=error or None,
            failures=failures,
            next_due=_utc(next_due),
            items=items,
            items_24h=recent,
        )
        for (
            name,
            url,
            title,
            in_config,
            status,
            http_status,
            last_fetch,
            error,
            failures,
            next_due,
            items,
            recent,
        ) in rows
    ]


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
