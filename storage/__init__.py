"""The SQLite database: schema and migrations, writes, timelines and keyword search.

Nothing outside this package writes SQL.
"""

from storage.db import open_db, transaction
from storage.errors import StorageError
from storage.feeds import ensure_feed, feed_ids, sync_feeds
from storage.fetch_state import (
    FeedHealth,
    FetchRecord,
    FetchState,
    feed_health,
    fetch_states,
    record_fetch,
)
from storage.items import id_floor, item_count, load_items, save_items
from storage.models import (
    MARK_END,
    MARK_START,
    NewItem,
    SaveResult,
    SearchHit,
    StoredItem,
    StorylineRecord,
    Tag,
)
from storage.search import SearchFilter, UnknownStoryline, count_matches, search
from storage.storylines import retag_storyline, storyline_slugs, sync_storylines
from storage.timeline import StorylineStats, daily_counts, storyline_stats

__all__ = [
    "MARK_END",
    "MARK_START",
    "FeedHealth",
    "FetchRecord",
    "FetchState",
    "NewItem",
    "SaveResult",
    "SearchFilter",
    "SearchHit",
    "StorageError",
    "StoredItem",
    "StorylineRecord",
    "StorylineStats",
    "Tag",
    "UnknownStoryline",
    "count_matches",
    "daily_counts",
    "ensure_feed",
    "feed_health",
    "feed_ids",
    "fetch_states",
    "id_floor",
    "item_count",
    "load_items",
    "open_db",
    "record_fetch",
    "retag_storyline",
    "save_items",
    "search",
    "storyline_slugs",
    "storyline_stats",
    "sync_feeds",
    "sync_storylines",
    "transaction",
]
