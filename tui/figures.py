"""The sidebar's figures: unread counts and items per day, computed on a database thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlite_utils import Database

import storage
from tui.clock import Clock

ACTIVITY_DAYS = 14


# The figures' key for the items of no storyline: "#" never starts a slug.
UNTAGGED_KEY = "#untagged"


@dataclass(frozen=True)
class SidebarFigures:
    storylines: dict[str, str]  # slug -> title, as the database has them now
    unread: dict[str | None, int]  # slug (None: every item, UNTAGGED_KEY) -> unread items
    daily: dict[str | None, list[int]]  # the same keys -> items per local day, oldest first


def sidebar_figures(db: Database, clock: Clock) -> SidebarFigures:
    storylines = storage.storyline_titles(db)
    today = clock.start_of_today()
    since = today - timedelta(days=ACTIVITY_DAYS - 1)
    offset = today.utcoffset() or timedelta(0)
    days = [(since + timedelta(days=n)).date() for n in range(ACTIVITY_DAYS)]
    daily: dict[str | None, list[int]] = {}
    for slug in [None, *storylines]:
        counts = storage.daily_counts(db, slug, since, offset)
        daily[slug] = [counts.get(day, 0) for day in days]
    untagged = storage.daily_counts(db, None, since, offset, untagged=True)
    daily[UNTAGGED_KEY] = [untagged.get(day, 0) for day in days]
    unread = storage.unread_counts(db)
    unread[UNTAGGED_KEY] = storage.unread_untagged(db)
    return SidebarFigures(storylines, unread, daily)
