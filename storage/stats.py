"""Per-storyline figures over time: items per day, and the storyline overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlite_utils import Database

from storage.ids import ID_SCALE, id_floor


@dataclass(frozen=True)
class StorylineStats:
    slug: str
    title: str
    items: int
    last_24h: int
    last_7d: int
    newest: datetime | None


def daily_counts(
    db: Database,
    slug: str | None,
    since: datetime,
    utc_offset: timedelta = timedelta(0),
    *,
    untagged: bool = False,
) -> dict[date, int]:
    """Items per local day since `since`, for one storyline (or all items when slug is None,
    or the items of no storyline with `untagged`).

    `utc_offset` shifts day boundaries to the reader's local time.
    """
    offset = int(utc_offset.total_seconds())
    if slug is None:
        outside = (
            " AND NOT EXISTS (SELECT 1 FROM item_storylines l WHERE l.item_id = items.id)"
            if untagged
            else ""
        )
        rows = db.execute(
            "SELECT date(published + ?, 'unixepoch') AS day, count(*) FROM items "
            f"WHERE id >= ?{outside} GROUP BY day",
            (offset, id_floor(since)),
        )
    else:
        rows = db.execute(
            "SELECT date(i.published + ?, 'unixepoch') AS day, count(*) "
            "FROM item_storylines l JOIN storylines s ON s.id = l.storyline_id "
            "JOIN items i ON i.id = l.item_id "
            "WHERE s.slug = ? AND l.item_id >= ? GROUP BY day",
            (offset, slug, id_floor(since)),
        )
    return {date.fromisoformat(day): count for day, count in rows}


def storyline_stats(db: Database, now: datetime | None = None) -> list[StorylineStats]:
    now = now or datetime.now(UTC)
    day = id_floor(now - timedelta(days=1))
    week = id_floor(now - timedelta(days=7))
    rows = db.execute(
        "SELECT s.slug, s.title, count(l.item_id), "
        "coalesce(sum(l.item_id >= ?), 0), coalesce(sum(l.item_id >= ?), 0), max(l.item_id) "
        "FROM storylines s LEFT JOIN item_storylines l ON l.storyline_id = s.id "
        "GROUP BY s.id ORDER BY s.slug",
        (day, week),
    )
    return [
        StorylineStats(
            slug,
            title,
            items,
            last_day,
            last_week,
            datetime.fromtimestamp(newest // ID_SCALE, UTC) if newest is not None else None,
        )
        for slug, title, items, last_day, last_week, newest in rows
    ]
