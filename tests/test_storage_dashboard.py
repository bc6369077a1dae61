"""What the dashboard reads beyond the timeline: feed health, the status overview, an item's
development, and the bulk loader that builds the benchmark database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import storage
from feeds.query import parse_query, to_fts5
from storage.developments import document_frequencies

NOW = datetime(2024, 12, 18, 8, 0, tzinfo=UTC)


def test_overview_of_configured_feeds(real_db):
    configured = real_db.execute("SELECT count(*) FROM feeds WHERE in_config = 1").fetchone()[0]
    first = storage.overview(real_db, NOW - timedelta(days=1))
    assert (first.feeds, first.failing, first.fetched) == (configured, 0, 0)
    assert first.last_fetch is None and first.next_due is None
    health = storage.feed_health(real_db, NOW, configured_only=False)
    assert first.items_since == sum(s.items_24h for s in health) > 0
    fetched, due = int(NOW.timestamp()), int(NOW.timestamp()) + 600
    real_db.execute(
        "UPDATE feeds SET last_status = 'ok', last_fetch = ?, next_due = ? WHERE in_config = 1",
        (fetched, due),
    )
    real_db.execute(
        "UPDATE feeds SET last_status = 'dead' WHERE id = "
        "(SELECT min(id) FROM feeds WHERE in_config = 1)"
    )
    later = storage.overview(real_db, NOW)
    assert (later.failing, later.fetched) == (1, configured)
    assert later.last_fetch == NOW and later.next_due == NOW + timedelta(minutes=10)


def test_development_of_item_has_all_its_sources(real_db):
    (hit,) = storage.search(real_db, to_fts5(parse_query('"U.S. confirms"')))
    development = storage.development_of_item(real_db, hit.item.id)
    assert development is not None
    assert hit.item.id in {s.item_id for s in development.sources}
    assert storage.development_of_item(real_db, 1) is None


def _items(count: int, start: datetime) -> list[storage.BulkItem]:
    return [
        storage.BulkItem(
            feed_id=1,
            guid=f"g{n}",
            title=f"Report {n} on {'Kursk' if n % 10 == 0 else 'weather'}",
            link=f"https://example.org/{n}",
            summary="words " * 50,
            published=int(start.timestamp()) + n // 3,  # three items share each second
            storylines=("kursk",) if n % 10 == 0 else (),
        )
        for n in range(count)
    ]


def test_bulk_load_builds_a_searchable_timeline(db_path):
    db = storage.open_db(db_path)
    storage.ensure_feed(db, "Bulk")
    storage.sync_storylines(db, [storage.StorylineRecord("kursk", "Kursk", "kursk")])
    start = datetime(2024, 1, 1, tzinfo=UTC)
    assert storage.bulk_load(db, iter(_items(3000, start)), batch_size=700) == 3000
    assert storage.item_count(db) == 3000
    match = to_fts5(parse_query("kursk"))
    assert storage.count_matches(db, match) == 300
    newest = storage.search(db, match, limit=2)
    assert [h.item.title for h in newest] == ["Report 2990 on Kursk", "Report 2980 on Kursk"]
    page = storage.timeline(db, "kursk", limit=3)
    assert [d.title for d in page] == [f"Report {n} on Kursk" for n in (2990, 2980, 2970)]
    assert len(storage.timeline(db, limit=5000)) == 3000  # one development per item
    assert storage.unread_counts(db) == {"kursk": 300, None: 3000}
    # Grouping weighs words by how many items have them: the counts were rebuilt too.
    assert document_frequencies(db, ["kursk"]) == ({"kursk": 300}, 3000)
    # The FTS trigger is back: a normal write after the bulk load is searchable.
    feed_id = storage.ensure_feed(db, "Later")
    storage.save_items(db, feed_id, [_Entry("late", "Kursk again", start + timedelta(days=9))])
    assert storage.count_matches(db, match) == 301
    with pytest.raises(storage.StorageError, match="without items"):
        storage.bulk_load(db, _items(1, start))


class _Entry:
    def __init__(self, guid: str, title: str, published: datetime):
        self.guid, self.title, self.published = guid, title, published
        self.link = self.summary = self.author = ""
        self.updated = None


def test_new_dashboard_queries_use_indexes(real_db):
    plans = {
        "items since": "SELECT count(*) FROM items WHERE id >= 5",
        "item's development": "SELECT development_id FROM items WHERE id = 5",
    }
    for name, sql in plans.items():
        plan = " ".join(row[3] for row in real_db.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "SCAN i " not in plan + " " and "SCAN items " not in plan + " ", (name, plan)
