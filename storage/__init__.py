"""The SQLite database: schema and migrations, writes, timelines and keyword search.

Nothing outside this package writes SQL.
"""

from storage.bulk import BulkItem, bulk_load
from storage.db import open_db, transaction
from storage.developments import (
    Candidate,
    Development,
    Source,
    development_of_item,
    load_developments,
    timeline,
)
from storage.errors import StorageError, UnknownStoryline
from storage.feeds import ensure_feed, feed_ids, sync_feeds
from storage.fetch_state import (
    FeedHealth,
    FetchRecord,
    FetchState,
    claim_feeds,
    feed_health,
    fetch_states,
    record_fetch,
)
from storage.health import Overview, overview, request_fetch
from storage.ids import id_floor
from storage.items import item_count, load_items, save_items
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
from storage.reading import (
    Changes,
    changes_since,
    data_version,
    latest_seq,
    mark_all_read,
    mark_developments_read,
    mark_items_read,
    unread_counts,
    unread_untagged,
)
from storage.search import SearchFilter, count_matches, search
from storage.stats import StorylineStats, daily_counts, storyline_stats
from storage.storylines import (
    retag_storyline,
    storyline_slugs,
    storyline_titles,
    sync_storylines,
)

__all__ = [
    "MARK_END",
    "MARK_START",
    "BulkItem",
    "Candidate",
    "Changes",
    "Development",
    "FeedHealth",
    "FetchRecord",
    "FetchState",
    "NewItem",
    "Overview",
    "SaveResult",
    "SearchFilter",
    "SearchHit",
    "Source",
    "StorageError",
    "StoredItem",
    "StorylineRecord",
    "StorylineStats",
    "Tag",
    "UnknownStoryline",
    "bulk_load",
    "changes_since",
    "claim_feeds",
    "count_matches",
    "daily_counts",
    "data_version",
    "development_of_item",
    "ensure_feed",
    "feed_health",
    "feed_ids",
    "fetch_states",
    "id_floor",
    "item_count",
    "latest_seq",
    "load_developments",
    "load_items",
    "mark_all_read",
    "mark_developments_read",
    "mark_items_read",
    "open_db",
    "overview",
    "record_fetch",
    "request_fetch",
    "retag_storyline",
    "save_items",
    "search",
    "storyline_slugs",
    "storyline_stats",
    "storyline_titles",
    "sync_feeds",
    "sync_storylines",
    "timeline",
    "transaction",
    "unread_counts",
    "unread_untagged",
]
