"""Each feed's fetch state: what the poller reads before a fetch and records after it.

Times cross this boundary as UTC datetimes and are stored as unix seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from storage.db import transaction
from storage.ids import id_floor

# last_status values
OK = "ok"
NOT_MODIFIED = "not-modified"
ERROR = "error"
DEAD = "dead"


def _utc(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def _ts(when: datetime | None) -> int | None:
    return None if when is None else int(when.timestamp())


@dataclass(frozen=True)
class FetchState:
    """What the poller needs to decide whether and how to fetch a configured feed."""

    feed_id: int
    name: str
    url: str  # the configured location
    moved_to: str | None  # where a permanent redirect sent `moved_from`
    moved_from: str | None
    etag: str | None
    last_modified: str | None
    validated_url: str | None  # the URL the validators belong to
    status: str | None  # None: never fetched
    failures: int  # consecutive
    next_due: datetime | None
    entry: str | None  # the feeds.yaml entry as of the last fetch
    claimed_until: datetime | None = None  # another poller's lease on a fetch in flight

    @property
    def dead(self) -> bool:
        return self.status == DEAD

    def claimed(self, now: datetime) -> bool:
        """Whether a poller (perhaps another process) is fetching this feed right now."""
        return self.claimed_until is not None and self.claimed_until > now


@dataclass(frozen=True)
class FetchRecord:
    """What one fetch leaves on its feed."""

    fetched_at: datetime
    status: str  # OK | NOT_MODIFIED | ERROR | DEAD
    http_status: int | None
    error: str | None
    failures: int
    next_due: datetime | None  # None: never again (dead)
    etag: str | None
    last_modified: str | None
    validated_url: str | None
    moved_to: str | None
    moved_from: str | None
    entry: str
    new_items: int = 0
    site_link: str = ""


@dataclass(frozen=True)
class FeedHealth:
    """One feed as `wirewatch feeds` shows it."""

    name: str
    url: str  # configured
    fetch_url: str  # where it is fetched from (differs after a permanent redirect)
    title: str
    in_config: bool
    status: str | None
    http_status: int | None
    last_fetch: datetime | None
    last_success: datetime | None
    last_error: str | None
    failures: int
    next_due: datetime | None
    last_new: int
    items: int
    items_24h: int  # published in the last 24 hours

    @property
    def dead(self) -> bool:
        return self.status == DEAD


_STATE_COLUMNS = (
    "id, name, url, moved_to, moved_from, etag, last_modified, validated_url, last_status, "
    "failures, next_due, entry, claimed_until"
)


def fetch_states(db: Database) -> dict[str, FetchState]:
    """The fetch state of every configured feed, by name."""
    states = {}
    rows = db.execute(f"SELECT {_STATE_COLUMNS} FROM feeds WHERE in_config = 1")
    for row in rows:
        *head, failures, next_due, entry, claimed_until = row
        states[row[1]] = FetchState(
            *head,
            failures or 0,
            _utc(next_due),
            entry,
            _utc(claimed_until),
        )
    return states


def claim_feeds(
    db: Database,
    wanted: Sequence[tuple[int, datetime | None]],
    until: datetime,
    now: datetime | None = None,
) -> set[int]:
    """Take the feeds (id, next_due as read) whose next_due nobody changed since and that
    nobody holds; their ids.

    Two pollers may share a database (the dashboard's and a headless `wirewatch poll`):
    both see a feed fall due, and this compare-and-set lets only one of them fetch it. The
    winner's claim moves next_due to `until` and marks it as a lease (claimed_until), which
    lapses by itself should the winner die mid-fetch; recording the fetch replaces it.
    """
    now = now or datetime.now(UTC)
    claimed: set[int] = set()
    with transaction(db):
        for feed_id, expected in wanted:
            cursor = db.execute(
                "UPDATE feeds SET next_due = ?, claimed_until = ? WHERE id = ? "
                "AND next_due IS ? AND (claimed_until IS NULL OR claimed_until <= ?)",
                (_ts(until), _ts(until), feed_id, _ts(expected), _ts(now)),
            )
            if cursor.rowcount:
                claimed.add(feed_id)
    return claimed


def record_fetch(db: Database, feed_id: int, record: FetchRecord) -> None:
    """Store the outcome of one fetch (joins the caller's transaction, if any)."""
    success = record.status in (OK, NOT_MODIFIED)
    with transaction(db):
        db.execute(
            "UPDATE feeds SET last_fetch = ?, last_status = ?, http_status = ?, last_error = ?, "
            "failures = ?, next_due = ?, etag = ?, last_modified = ?, validated_url = ?, "
            "moved_to = ?, moved_from = ?, entry = ?, last_new = ?, claimed_until = NULL, "
            "last_success = CASE WHEN ? THEN ? ELSE last_success END, "
            "site_link = CASE WHEN ? != '' THEN ? ELSE site_link END WHERE id = ?",
            (
                _ts(record.fetched_at),
                record.status,
                record.http_status,
                record.error,
                record.failures,
                _ts(record.next_due),
                record.etag,
                record.last_modified,
                record.validated_url,
                record.moved_to,
                record.moved_from,
                record.entry,
                record.new_items,
                success,
                _ts(record.fetched_at),
                record.site_link,
                record.site_link,
                feed_id,
            ),
        )


def health_sql(configured_only: bool = True) -> str:
    # Both counts walk the (feed_id, id) index, never the items (tests/test_fetch_state.py
    # keeps the plan); ids follow publication time, so "last 24 h" is an id range.
    where = "WHERE f.in_config = 1" if configured_only else ""
    return (
        "SELECT f.name, f.url, CASE WHEN f.moved_from = f.url THEN f.moved_to END, f.title, "
        "f.in_config, f.last_status, f.http_status, f.last_fetch, f.last_success, "
        "f.last_error, f.failures, f.next_due, f.last_new, "
        "(SELECT count(*) FROM items i WHERE i.feed_id = f.id), "
        "(SELECT count(*) FROM items i WHERE i.feed_id = f.id AND i.id >= ?) "
        f"FROM feeds f {where} ORDER BY f.name"
    )


def feed_health(
    db: Database, now: datetime | None = None, *, configured_only: bool = True
) -> list[FeedHealth]:
    """Every (configured) feed's fetch health and item counts, by name."""
    now = now or datetime.now(UTC)
    rows = db.execute(health_sql(configured_only), (id_floor(now - timedelta(days=1)),))
    return [
        FeedHealth(
            name=name,
            url=url,
            fetch_url=moved or url,
            title=title or "",
            in_config=bool(in_config),
            status=status,
            http_status=http_status,
            last_fetch=_utc(last_fetch),
            last_success=_utc(last_success),
            last_error=error,
            failures=failures or 0,
            next_due=_utc(next_due),
            last_new=last_new or 0,
            items=items,
            items_24h=recent,
        )
        for (
            name,
            url,
            moved,
            title,
            in_config,
            status,
            http_status,
            last_fetch,
            last_success,
            error,
            failures,
            next_due,
            last_new,
            items,
            recent,
        ) in rows
    ]
