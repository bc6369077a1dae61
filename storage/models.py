"""Typed values that cross the storage boundary, in both directions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# Snippets and highlighted titles mark matched words with these two characters. Stored text
# never holds control characters (feeds.text strips them), so they cannot collide.
MARK_START = "\x02"
MARK_END = "\x03"


class NewItem(Protocol):
    """What a writer hands to `save_items`: `feeds.parse.Item` has this shape."""

    guid: str
    title: str
    link: str
    summary: str
    author: str
    published: datetime
    updated: datetime | None


@dataclass(frozen=True)
class Tag:
    """One storyline an item belongs to, and the query terms that put it there."""

    slug: str
    terms: Sequence[str] = ()


@dataclass(frozen=True)
class SaveResult:
    new: list[int]  # item ids
    updated: list[int]
    unchanged: int
    tags: dict[str, int]  # storyline slug -> new items it gained


@dataclass(frozen=True)
class StoredItem:
    id: int
    seq: int
    feed: str
    guid: str
    title: str
    link: str
    summary: str
    author: str
    published: datetime
    updated: datetime | None
    read: bool
    storylines: tuple[str, ...]


@dataclass(frozen=True)
class SearchHit:
    item: StoredItem
    title: str  # with MARK_START/MARK_END around matched words
    snippet: str  # a window of the summary, marked the same way


@dataclass(frozen=True)
class StorylineRecord:
    slug: str
    title: str
    definition: str
