"""The sidebar's figures: unread counts and items per day, computed on a database thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlite_utils import Database

import storage
from tui.clock import Clock

ACTIVITY_DAYS = 14


@dataclass(frozen=True)
class SidebarFigures:
    unread: dict[str | None, int]  # slug (None: every item) -> unread items
    daily: dict[str | None, list[int]]  # slug -> items per local day, oldest first


def sidebar_figures(db: Database, slugs: Sequence[str], clock: Clock) -> SidebarFigures:
    today = clock.start_of_today()
    since = today - timedelta(days=ACTIVITY_DAYS - 1)
    offset = today.utcoffset() or timedelta(0)
    days = [(since + timedelta(days=n)).date() for n in range(ACTIVITY_DAYS)]
    daily: dict[str | None, list[int]] = {}
    for slug in [None, *slugs]:
        counts = storage.daily_counts(db, slug, since, offset)
        daily[slug] = [counts.get(day, 0) for day in days]
    return SidebarFigures(storage.unread_counts(db), daily)
