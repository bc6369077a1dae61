"""The database on disk: idempotent writes, updates, time-ordered ids, migrations, sharing."""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import storage
from feeds.parse import parse_feed
from feeds.query import parse_query, to_fts5
from storage.db import SCHEMA_VERSION
from tests.conftest import REAL_FEEDS


@dataclass(frozen=True)
class Entry:
    guid: str
    title: str
    summary: str = ""
    link: str = ""
    author: str = ""
    published: datetime = datetime(2024, 10, 23, 12, tzinfo=UTC)
    updated: datetime | None = None


def fts_ids(db, query: str) -> set[int]:
    return {h.item.id for h in storage.search(db, to_fts5(parse_query(query)), limit=10_000)}


def test_schema_is_versioned_and_wal(db_path):
    db = storage.open_db(db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert {"feeds", "items", "storylines", "item_storylines", "items_fts"} <= set(db.table_names())


def test_reingesting_the_same_feed_changes_nothing(db_path):
    db = storage.open_db(db_path)
    path = REAL_FEEDS / "nbcnews-world_2024-10-23.xml"
    parsed = parse_feed(path.read_bytes(), feed="NBC")
    feed_id = storage.ensure_feed(db, "NBC")
    first = storage.save_items(db, feed_id, parsed.items)
    assert len(first.new) == len(parsed.items) == 12
    again = storage.save_items(db, feed_id, parse_feed(path.read_bytes(), feed="NBC").items)
    assert (again.new, again.updated, again.unchanged) == ([], [], 12)
    assert storage.item_count(db) == 12
    assert db.execute("SELECT count(*) FROM items_fts").fetchone()[0] == 12
    # The same guid in another feed is another item.
    other = storage.ensure_feed(db, "NBC mirror")
    assert len(storage.save_items(db, other, parsed.items).new) == 12


def test_a_changed_entry_is_updated_and_reindexed(db_path):
    db = storage.open_db(db_path)
    feed_id = storage.ensure_feed(db, "Sky")
    (item_id,) = storage.save_items(db, feed_id, [Entry("g", "Two dead as boat sinks")]).new
    db.execute("UPDATE items SET read = 1 WHERE id = ?", (item_id,))
    result = storage.save_items(db, feed_id, [Entry("g", "Three dead as boat sinks", "update")])
    assert result.updated == [item_id] and not result.new
    (stored,) = storage.load_items(db, [item_id]).values()
    assert stored.title == "Three dead as boat sinks" and stored.read
    assert fts_ids(db, "three") == {item_id}
    assert fts_ids(db, "two") == set()
    assert fts_ids(db, "update") == {item_id}


def test_duplicate_entries_within_one_batch_are_stored_once(db_path):
    db = storage.open_db(db_path)
    feed_id = storage.ensure_feed(db, "F")
    result = storage.save_items(db, feed_id, [Entry("g", "first"), Entry("g", "second")])
    assert len(result.new) == 1
    assert storage.search(db, None)[0].item.title == "second"


def test_ids_follow_publication_time_even_for_late_items(db_path):
    db = storage.open_db(db_path)
    feed_id = storage.ensure_feed(db, "F")
    base = datetime(2024, 10, 23, 12, tzinfo=UTC)
    storage.save_items(db, feed_id, [Entry("new", "new", published=base)])
    # Arrives later, but was published earlier: it files itself in the past.
    storage.save_items(db, feed_id, [Entry("old", "old", published=base - timedelta(days=2))])
    # Same second as another item: still unique, still in order.
    storage.save_items(db, feed_id, [Entry("twin", "twin", published=base)])
    hits = storage.search(db, None)
    assert [h.item.title for h in hits] == ["twin", "new", "old"]
    assert [h.item.seq for h in hits] == [3, 1, 2]  # seq: arrival order, for watchers


def test_failed_batch_leaves_nothing_behind(db_path):
    db = storage.open_db(db_path)
    feed_id = storage.ensure_feed(db, "F")

    def explode(item):
        raise RuntimeError("tagger bug")

    with pytest.raises(RuntimeError):
        storage.save_items(db, feed_id, [Entry("a", "a"), Entry("b", "b")], tag=explode)
    assert storage.item_count(db) == 0
    assert db.execute("SELECT count(*) FROM items_fts").fetchone()[0] == 0


def test_storyline_sync_and_retag_through_fts(real_db):
    korea = to_fts5(parse_query('"north korea"'))
    stale = storage.sync_storylines(real_db, [storage.StorylineRecord("nk", "NK", korea)])
    assert stale == ["nk"]
    count = storage.retag_storyline(real_db, "nk", korea, find_terms=lambda t, s: ["north korea"])
    assert count == len(fts_ids(real_db, '"north korea"')) > 5
    hits = storage.search(real_db, None, storage.SearchFilter(storyline="nk"), limit=100)
    assert {h.item.id for h in hits} == fts_ids(real_db, '"north korea"')
    assert all(h.item.storylines == ("nk",) for h in hits)
    # Unchanged definition: nothing stale. Removal: links go, items stay.
    assert storage.sync_storylines(real_db, [storage.StorylineRecord("nk", "NK", korea)]) == []
    before = storage.item_count(real_db)
    storage.sync_storylines(real_db, [])
    assert real_db.execute("SELECT count(*) FROM item_storylines").fetchone()[0] == 0
    assert storage.item_count(real_db) == before


def test_unknown_storyline_is_a_clear_error(real_db):
    with pytest.raises(storage.UnknownStoryline, match="no storyline 'nope'"):
        storage.search(real_db, None, storage.SearchFilter(storyline="nope"))


def test_daily_counts_and_stats(real_db):
    since = datetime(2024, 10, 1, tzinfo=UTC)
    counts = storage.daily_counts(real_db, "dprk-troops-russia", since)
    assert counts[date(2024, 10, 23)] >= 5
    assert sum(counts.values()) == len(
        storage.search(
            real_db, None, storage.SearchFilter(storyline="dprk-troops-russia"), limit=999
        )
    )
    everything = storage.daily_counts(real_db, None, since)
    assert sum(everything.values()) == 433
    stats = {
        s.slug: s for s in storage.storyline_stats(real_db, now=datetime(2024, 12, 18, tzinfo=UTC))
    }
    assert stats["dprk-troops-russia"].newest.date() == date(2024, 12, 17)
    assert stats["dprk-troops-russia"].last_7d >= 2


def test_hot_queries_use_indexes(real_db):
    plans = {
        "newest first": "SELECT rowid FROM items_fts WHERE items_fts MATCH 'korea' "
        "ORDER BY rowid DESC LIMIT 50",
        "storyline page": "SELECT item_id FROM item_storylines WHERE storyline_id = 1 "
        "AND item_id < 9 ORDER BY item_id DESC LIMIT 50",
        "changes since": "SELECT id FROM items WHERE seq > 10",
        "guid lookup": "SELECT id FROM items WHERE feed_id = 1 AND guid IN ('a', 'b')",
    }
    for name, sql in plans.items():
        plan = " ".join(row[3] for row in real_db.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "SCAN items " not in plan + " " and "TEMP B-TREE" not in plan, (name, plan)


def test_refuses_a_database_from_a_newer_wirewatch(db_path):
    db = storage.open_db(db_path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(storage.StorageError, match="newer than this wirewatch"):
        storage.open_db(db_path)


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("this is not sqlite" * 100)
    with pytest.raises(storage.StorageError, match=r"notes\.txt"):
        storage.open_db(path)


def _writer(path: str, feed: str, count: int) -> None:
    db = storage.open_db(path)
    feed_id = storage.ensure_feed(db, feed)
    base = datetime(2024, 10, 23, tzinfo=UTC)
    for i in range(count):
        entry = Entry(f"{feed}-{i}", f"{feed} item {i}", published=base + timedelta(seconds=i))
        storage.save_items(db, feed_id, [entry])


def test_two_processes_write_one_database_without_loss(db_path):
    storage.open_db(db_path).close()
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(db_path), f"f{n}", 150)) for n in range(2)]
    for process in writers:
        process.start()
    reader = storage.open_db(db_path)
    while any(p.is_alive() for p in writers):
        storage.search(reader, None, limit=10)  # reading alongside never blocks or fails
    for process in writers:
        process.join()
        assert process.exitcode == 0
    assert storage.item_count(reader) == 300
    seqs = [r[0] for r in reader.execute("SELECT seq FROM items ORDER BY seq")]
    assert seqs == sorted(set(seqs))  # every batch got its own sequence number


def test_db_directory_is_created(tmp_path: Path):
    path = tmp_path / "deep" / "er" / "w.db"
    storage.open_db(path)
    assert path.exists()


def test_migrating_a_version_1_database_keeps_every_item(db_path):
    import sqlite3

    from sqlite_utils import Database

    from storage.db import MIGRATIONS

    conn = sqlite3.connect(db_path, isolation_level=None)
    old = Database(conn)
    MIGRATIONS[0](old)
    old.execute("PRAGMA user_version = 1")
    old.execute("INSERT INTO feeds (id, name) VALUES (1, 'F')")
    old.execute("INSERT INTO storylines (id, slug, title) VALUES (1, 's', 'S')")
    for n in (1, 2):
        old.execute(
            "INSERT INTO items (id, feed_id, guid, title, published, seq) VALUES (?, 1, ?, ?, 0, ?)",
            (n * 1_000_000, f"g{n}", f"item {n}", n),
        )
    old.execute("INSERT INTO item_storylines (storyline_id, item_id) VALUES (1, 2000000)")
    conn.close()
    db = storage.open_db(db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    everything = storage.timeline(db)
    assert [d.title for d in everything] == ["item 2", "item 1"]
    assert [d.title for d in storage.timeline(db, "s")] == ["item 2"]
    assert fts_ids(db, "item") == {1_000_000, 2_000_000}


def test_storyline_counts_are_of_new_items_only(db_path):
    db = storage.open_db(db_path)
    storage.sync_storylines(db, [storage.StorylineRecord("s", "S", "x")])
    feed_id = storage.ensure_feed(db, "F")

    def tag(item):
        return [storage.Tag("s", ["boat"])]

    first = storage.save_items(db, feed_id, [Entry("g", "Two dead as boat sinks")], tag=tag)
    changed = storage.save_items(db, feed_id, [Entry("g", "Three dead as boat sinks")], tag=tag)
    assert first.tags == {"s": 1}
    assert changed.updated and changed.tags == {}
    assert storage.timeline(db, "s")[0].title == "Three dead as boat sinks"


def test_changes_since_tells_new_items_from_edited_ones(db_path):
    db = storage.open_db(db_path)
    storage.sync_storylines(db, [storage.StorylineRecord("s", "S", "x")])
    feed_id = storage.ensure_feed(db, "F")

    def tag(item):
        return [storage.Tag("s")]

    storage.save_items(db, feed_id, [Entry("a", "Two dead as boat sinks")], tag=tag)
    seen = storage.latest_seq(db)
    storage.save_items(
        db,
        feed_id,
        [Entry("a", "Three dead as boat sinks"), Entry("b", "Storm hits coast")],
        tag=tag,
    )
    changes = storage.changes_since(db, seen)
    assert len(changes.developments) == 2  # both rows need redrawing
    assert changes.new_items == {"s": 1}  # but only one item is news
    assert storage.changes_since(db, changes.seq).developments == ()
