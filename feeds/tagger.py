"""Storylines -> compiled matchers; an item -> the storylines it belongs to, and why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlite_utils import Database

import storage
from feeds.config import Config, StorylineSpec
from feeds.match import document, matched_terms, matches
from feeds.query import Node, to_fts5
from storage import NewItem, StorylineRecord, Tag


@dataclass(frozen=True)
class CompiledStoryline:
    slug: str
    title: str
    query: Node
    fts: str  # the same query for FTS5
    feeds: frozenset[str]  # empty: every feed
    definition: str

    def applies_to(self, feed: str) -> bool:
        return not self.feeds or feed in self.feeds

    def terms(self, title: str, summary: str) -> list[str]:
        doc = document(title, summary)
        return matched_terms(self.query, doc) if matches(self.query, doc) else []


def compile_storyline(spec: StorylineSpec) -> CompiledStoryline:
    assert spec.query is not None, "StorylineSpec comes from feeds.config with its query parsed"
    return CompiledStoryline(
        spec.slug,
        spec.title,
        spec.query,
        to_fts5(spec.query),
        frozenset(spec.feeds),
        spec.definition,
    )


def compile_storylines(config: Config) -> list[CompiledStoryline]:
    return [compile_storyline(spec) for spec in config.storylines]


def tagger(storylines: Sequence[CompiledStoryline], feed: str) -> Callable[[NewItem], list[Tag]]:
    """The tag function for items of `feed`: evaluated in memory as each item is stored."""
    relevant = [s for s in storylines if s.applies_to(feed)]

    def tag(item: NewItem) -> list[Tag]:
        if not relevant:
            return []
        doc = document(item.title, item.summary)
        return [Tag(s.slug, matched_terms(s.query, doc)) for s in relevant if matches(s.query, doc)]

    return tag


def sync_storylines(db: Database, storylines: Sequence[CompiledStoryline]) -> dict[str, int]:
    """Bring the database's storylines in line with the config; re-tag what changed.

    Returns slug -> item count for each storyline that was (re)tagged.
    """
    stale = storage.sync_storylines(
        db, [StorylineRecord(s.slug, s.title, s.definition) for s in storylines]
    )
    by_slug = {s.slug: s for s in storylines}
    return {slug: retag(db, by_slug[slug]) for slug in stale}


def retag(db: Database, storyline: CompiledStoryline) -> int:
    """Re-tag every stored item for one storyline, through the FTS5 index."""
    return storage.retag_storyline(
        db, storyline.slug, storyline.fts, sorted(storyline.feeds), storyline.terms
    )
