"""What the timeline can show: every development, one storyline's, or the untagged ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlite_utils import Database

import storage
from storage import Development
from tui.figures import UNTAGGED_KEY


@dataclass(frozen=True)
class View:
    key: str  # stable id, also the sidebar option id
    title: str
    slug: str | None = None  # a storyline's
    untagged: bool = False

    def contains(self, development: Development) -> bool:
        if self.slug is not None:
            return self.slug in development.storylines
        if self.untagged:
            return not development.storylines
        return True

    def page(self, db: Database, before: int | None, limit: int) -> list[Development]:
        return storage.timeline(db, self.slug, untagged=self.untagged, before=before, limit=limit)

    def mark_all_read(self, db: Database) -> None:
        storage.mark_all_read(db, self.slug, untagged=self.untagged)

    @property
    def count_key(self) -> str | None:
        """Its key in the sidebar figures (tui.figures): a slug, None for every item."""
        return UNTAGGED_KEY if self.untagged else self.slug


ALL = View("all", "All items")
UNTAGGED = View("untagged", "Untagged", untagged=True)


def storyline(slug: str, title: str) -> View:
    return View(f"storyline-{slug}", title, slug=slug)


def lineup(titles: Mapping[str, str]) -> list[View]:
    """Every view of the sidebar, in order, for the storylines `titles` (slug -> title)."""
    return [ALL, *(storyline(slug, title) for slug, title in titles.items()), UNTAGGED]


def keep_order(shown: Sequence[str], now: Mapping[str, str]) -> dict[str, str]:
    """The storylines `now` has (slug -> title): those already `shown` keep their places
    and new ones follow, so a feeds.yaml edit never shuffles what the reader knows."""
    kept = [slug for slug in shown if slug in now]
    added = [slug for slug in now if slug not in shown]
    return {slug: now[slug] for slug in kept + added}
