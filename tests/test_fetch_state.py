"""The feeds table's fetch state: migration from v1, records, health figures."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

import storage
from storage.db import MIGRATIONS, SCHEMA_VERSION
from storage.fetch_state import health_sql
from tests.conftest import REAL_FEEDS

NOW = datetime(2024, 11, 1, 12, tzinfo=UTC)


def _record(fetched_at: datetime) -> storage.FetchRecord:
    return storage.FetchRecord(
        fetched_at=fetched_at,
        status="ok",
        http_status=200,
        error=None,
        failures=0,
        next_due=fetched_at + timedelta(minutes=15),
        etag=None,
        last_modified=None,
        validated_url=None,
        moved_to=None,
        moved_from=None,
        entry="x",
    )


def test_a_version_1_database_gains_the_fetch_state_columns(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    old = Database(conn)
    MIGRATIONS[0](old)
    old.execute("PRAGMA user_version = 1")
    old.execute("INSERT INTO feeds (name, url, in_config, failures) VALUES ('BBC', 'u', 1, 2)")
    conn.close()
    db = storage.open_db(db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 2
    (state,) = storage.fetch_states(db).values()
    assert (state.name, state.failures, state.status, state.moved_to, state.entry) == (
        "BBC",
        2,
        None,
        None,
        None,
    )


def test_records_and_health(db_path):
    from feeds.parse import parse_feed

    db = storage.open_db(db_path)
    storage.sync_feeds(db, [("BBC", "https://bbc.example/rss"), ("Quiet", "https://q.example")])
    feed_id = storage.feed_ids(db)["BBC"]
    parsed = parse_feed((REAL_FEEDS / "bbc-news_2024-10-23.xml").read_bytes(), feed="BBC")
    storage.save_items(db, feed_id, parsed.items)
    record = replace(
        _record(NOW),
        etag='"e"',
        validated_url="https://new.example/rss",
        moved_to="https://new.example/rss",
        moved_from="https://bbc.example/rss",
        new_items=len(parsed.items),
        site_link="https://www.bbc.co.uk/news",
    )
    storage.record_fetch(db, feed_id, record)
    newest = max(item.published for item in parsed.items)
    health = {h.name: h for h in storage.feed_health(db, now=newest + timedelta(hours=22))}
    bbc = health["BBC"]
    assert (bbc.status, bbc.http_status, bbc.last_fetch, bbc.last_success) == ("ok", 200, NOW, NOW)
    assert bbc.fetch_url == "https://new.example/rss" and bbc.url == "https://bbc.example/rss"
    assert bbc.items == len(parsed.items) == bbc.last_new
    recent = [i for i in parsed.items if i.published >= newest - timedelta(hours=2)]
    assert 0 < len(recent) == bbc.items_24h < bbc.items
    quiet = health["Quiet"]
    assert (quiet.status, quiet.last_fetch, quiet.items, quiet.next_due) == (None, None, 0, None)
    # A failure keeps the time of the last success.
    failed = storage.FetchRecord(
        **{**record.__dict__, "fetched_at": NOW + timedelta(hours=1), "status": "error"}
    )
    storage.record_fetch(db, feed_id, failed)
    bbc = {h.name: h for h in storage.feed_health(db)}["BBC"]
    assert bbc.last_success == NOW and bbc.last_fetch == NOW + timedelta(hours=1)
    # Once the configured URL changes, the old move no longer applies.
    storage.sync_feeds(db, [("BBC", "https://bbc.example/rss2")])
    assert {h.name: h for h in storage.feed_health(db)}["BBC"].fetch_url.endswith("rss2")


def test_health_counts_use_the_feed_index(db_path):
    db = storage.open_db(db_path)
    plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + health_sql(), (0,))]
    searches = [step for step in plan if step.startswith("SEARCH i")]
    assert searches == [
        "SEARCH i USING COVERING INDEX idx_items_feed_id_id (feed_id=?)",
        "SEARCH i USING COVERING INDEX idx_items_feed_id_id (feed_id=? AND id>?)",
    ]


def test_a_claim_holds_the_feed_until_its_fetch_is_recorded_or_the_lease_lapses(db_path):
    db = storage.open_db(db_path)
    storage.sync_feeds(db, [("BBC", "https://bbc.example/rss")])
    feed_id = storage.feed_ids(db)["BBC"]
    lease = NOW + timedelta(minutes=5)
    assert storage.claim_feeds(db, [(feed_id, None)], lease, NOW) == {feed_id}
    state = storage.fetch_states(db)["BBC"]
    assert (state.next_due, state.claimed_until) == (lease, lease)
    assert state.claimed(NOW) and not state.claimed(lease)
    # A second poller that read the state after the claim cannot take it while it runs,
    # not even with the next_due it read...
    assert storage.claim_feeds(db, [(feed_id, lease)], lease, NOW) == set()
    # ...but can once the lease lapsed (the first poller died mid-fetch).
    later = lease + timedelta(seconds=1)
    assert storage.claim_feeds(db, [(feed_id, lease)], later + timedelta(minutes=5), later) == {
        feed_id
    }
    storage.record_fetch(db, feed_id, _record(later))
    state = storage.fetch_states(db)["BBC"]
    assert state.claimed_until is None and state.next_due == later + timedelta(minutes=15)
    db.close()
