"""The poller end to end: a real server on 127.0.0.1, real feeds, a real SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import socket
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage
from feeds.config import load_config
from feeds.fetch import FetchLimits
from feeds.parse import parse_feed
from feeds.poller import (
    ConfigRejected,
    ConfigReloaded,
    FeedFetched,
    PollFinished,
    PollSettings,
    PollStarted,
    _ConfigWatch,
    poll_once,
    run_poller,
)
from tests.conftest import REAL_FEEDS, TRICKY_FEEDS, feeds_yaml

BBC = REAL_FEEDS / "bbc-news_2024-10-23.xml"
NBC = REAL_FEEDS / "nbcnews-world_2024-10-23.xml"
MOSCOW = REAL_FEEDS / "themoscowtimes-news_2024-12-17.xml"
SETTINGS = PollSettings(
    limits=FetchLimits(connect_timeout=5, read_timeout=1, total_timeout=5, max_bytes=1_000_000),
    tick=0.05,
)
STORYLINES = """
- {slug: russia, title: Russia, match: Russia}
- {slug: korea, title: Korea, match: "korea*"}
"""


def items_in(path: Path) -> int:
    return len(parse_feed(path.read_bytes(), feed="x").items)


@pytest.fixture
def poll(write_config, db_path):
    """Write feeds.yaml for `feeds` and poll it once; returns (summary, events, db)."""
    databases = []

    async def run(
        feeds, *, all_feeds=False, storylines=STORYLINES, settings=SETTINGS, also=None, **kw
    ):
        config = load_config(write_config(feeds_yaml(feeds, storylines)))
        db = storage.open_db(db_path)
        databases.append(db)
        events = []

        def on_event(event):
            events.append(event)
            if also:
                also(event)

        summary = await poll_once(
            config, db, all_feeds=all_feeds, on_event=on_event, settings=settings, **kw
        )
        return summary, events, db

    yield run
    for db in databases:
        db.close()


def health(db) -> dict[str, storage.FeedHealth]:
    return {h.name: h for h in storage.feed_health(db)}


async def test_a_poll_stores_every_feed_tags_and_counts(feed_server, poll):
    feeds = {
        "BBC": feed_server.feed("/bbc", BBC),
        "NBC": feed_server.feed("/nbc", NBC),
        "Moscow Times": feed_server.feed("/mt", MOSCOW, gzip=True),
    }
    summary, events, db = await poll(feeds)
    expected = {"BBC": items_in(BBC), "NBC": items_in(NBC), "Moscow Times": items_in(MOSCOW)}
    assert (summary.feeds, summary.ok, summary.not_modified, summary.failed) == (3, 3, 0, 0)
    assert dict(summary.by_feed) == expected
    assert summary.new_items == sum(expected.values()) == storage.item_count(db)
    links = dict(
        db.execute(
            "SELECT s.slug, count(*) FROM item_storylines l "
            "JOIN storylines s ON s.id = l.storyline_id GROUP BY s.slug"
        ).fetchall()
    )
    assert dict(summary.by_storyline) == links and links["russia"] > 5
    assert isinstance(events[0], PollStarted) and events[0].total == 3
    assert isinstance(events[-1], PollFinished) and events[-1].summary == summary
    fetched = {e.feed: e for e in events if isinstance(e, FeedFetched)}
    assert {name: e.new_items for name, e in fetched.items()} == expected
    assert all(e.status == "ok" and e.http_status == 200 for e in fetched.values())
    state = health(db)
    assert {name: (h.status, h.items, h.failures) for name, h in state.items()} == {
        name: ("ok", count, 0) for name, count in expected.items()
    }
    assert state["BBC"].title == "BBC News" and state["BBC"].next_due > datetime.now(UTC)


async def test_a_second_poll_sends_validators_and_writes_nothing(feed_server, poll):
    feeds = {
        "etag": feed_server.feed("/etag", BBC, etag='"abc"'),
        "date": feed_server.feed("/date", NBC, last_modified="Wed, 23 Oct 2024 10:00:00 GMT"),
        "none": feed_server.feed("/none", MOSCOW),  # no validators: fetched whole again
    }
    _, _, db = await poll(feeds)
    seq = db.execute("SELECT max(seq) FROM items").fetchone()[0]
    total = storage.item_count(db)
    again, events, db = await poll(feeds, all_feeds=True)
    assert (again.feeds, again.ok, again.not_modified, again.new_items) == (3, 1, 2, 0)
    assert feed_server.hits("/etag")[-1].headers["if-none-match"] == '"abc"'
    assert (
        feed_server.hits("/date")[-1].headers["if-modified-since"]
        == "Wed, 23 Oct 2024 10:00:00 GMT"
    )
    assert "if-none-match" not in feed_server.hits("/none")[-1].headers
    assert storage.item_count(db) == total
    assert db.execute("SELECT max(seq) FROM items").fetchone()[0] == seq  # nothing rewritten
    assert {e.feed: e.status for e in events if isinstance(e, FeedFetched)} == {
        "etag": "not-modified",
        "date": "not-modified",
        "none": "ok",
    }


async def test_without_all_only_due_feeds_are_fetched(feed_server, poll):
    feeds = {"BBC": feed_server.feed("/bbc", BBC)}
    await poll(feeds)
    summary, events, _ = await poll(feeds)
    assert summary.feeds == 0 and len(feed_server.hits("/bbc")) == 1
    assert summary.next_due is not None and summary.next_due > datetime.now(UTC)
    assert [type(e) for e in events] == [PollStarted, PollFinished]


async def test_one_broken_feed_never_stops_the_others(feed_server, poll):
    with closed_port() as port:
        feeds = {
            "good": feed_server.feed("/good", BBC),
            "500": feed_server.add("/500", status=500),
            "404": feed_server.add("/404", status=404),
            "stalled": feed_server.feed("/stall", BBC, delay=30),
            "refused": f"http://127.0.0.1:{port}/rss",
            "html": feed_server.add("/html", body=b"<html><body>Not a feed</body></html>"),
            "empty": feed_server.add("/empty", body=b""),
            "huge": feed_server.feed("/huge", BBC, padding=2_000_000),
            "garbage": feed_server.add("/garbage", body=bytes(range(256)) * 20),
            "reset": feed_server.add("/reset", reset=True),
            "good too": feed_server.feed("/good2", NBC),
        }
        summary, _, db = await poll(feeds)
    assert (summary.feeds, summary.ok, summary.failed) == (11, 2, 9)
    assert summary.new_items == items_in(BBC) + items_in(NBC)
    state = health(db)
    errors = {name: state[name].last_error for name in feeds if name not in ("good", "good too")}
    assert errors == {
        "500": "HTTP 500 Internal Server Error",
        "404": "HTTP 404 Not Found",
        "stalled": "server went silent for 1 s (read timeout)",
        "refused": "connection refused",
        "html": errors["html"],
        "empty": "empty document",
        "huge": "response larger than 1,000,000 bytes",
        "garbage": errors["garbage"],
        "reset": "connection reset by the server",
    }
    assert errors["html"].startswith("not an RSS or Atom feed")
    assert errors["garbage"] and "\x00" not in errors["garbage"]
    assert dict(summary.errors) == errors
    for name in errors:
        assert (state[name].status, state[name].failures, state[name].items) == ("error", 1, 0)
        assert state[name].next_due > datetime.now(UTC)
    assert state["good"].status == "ok" and state["good too"].status == "ok"


async def test_tricky_documents_are_parsed_or_recorded(feed_server, poll):
    files = sorted(TRICKY_FEEDS.glob("feedparser__encoding__*.xml"))[:25]
    feeds = {f.stem: feed_server.feed(f"/{f.name}", f, content_type="text/xml") for f in files}
    summary, _, db = await poll(feeds)
    assert summary.feeds == len(files) and summary.ok + summary.failed == len(files)
    assert summary.ok > 15
    for h in health(db).values():
        assert h.status in ("ok", "error") and (h.status == "ok") == (h.last_error is None)


async def test_failures_back_off_and_success_resets(feed_server, poll):
    feeds = {"flaky": feed_server.add("/flaky", status=503)}
    for _ in range(3):
        await poll(feeds, all_feeds=True)
    _, _, db = await poll(feeds, all_feeds=True)
    assert health(db)["flaky"].failures == 4
    wait = health(db)["flaky"].next_due - datetime.now(UTC)
    assert timedelta(minutes=100) < wait < timedelta(minutes=135)  # 15 min * 2^3, jittered
    feed_server.feed("/flaky", BBC)
    _, _, db = await poll(feeds, all_feeds=True)
    assert (health(db)["flaky"].status, health(db)["flaky"].failures) == ("ok", 0)


async def test_retry_after_is_honoured(feed_server, poll):
    feeds = {"busy": feed_server.add("/busy", status=429, headers={"Retry-After": "7200"})}
    summary, _, db = await poll(feeds)
    assert summary.failed == 1
    wait = health(db)["busy"].next_due - datetime.now(UTC)
    assert timedelta(minutes=119) < wait <= timedelta(hours=2)
    again, _, _ = await poll(feeds)
    assert again.feeds == 0 and len(feed_server.hits("/busy")) == 1


async def test_a_permanent_redirect_is_followed_next_time(feed_server, poll):
    feed_server.feed("/new", BBC, etag='"n"')
    feeds = {"BBC": feed_server.add("/old", status=301, location="/new")}
    summary, events, db = await poll(feeds)
    (fetched,) = [e for e in events if isinstance(e, FeedFetched)]
    assert fetched.moved_to == feed_server.url("/new") and summary.ok == 1
    assert health(db)["BBC"].fetch_url == feed_server.url("/new")
    assert health(db)["BBC"].url == feeds["BBC"]  # feeds.yaml is not rewritten
    again, _, _ = await poll(feeds, all_feeds=True)
    assert again.not_modified == 1
    assert len(feed_server.hits("/old")) == 1 and len(feed_server.hits("/new")) == 2
    assert feed_server.hits("/new")[-1].headers["if-none-match"] == '"n"'


async def test_a_gone_feed_is_dead_until_its_entry_changes(feed_server, poll):
    feeds = {"old": feed_server.add("/gone", status=410), "BBC": feed_server.feed("/bbc", BBC)}
    summary, _, db = await poll(feeds)
    assert summary.failed == 1 and health(db)["old"].dead
    assert health(db)["old"].last_error == "HTTP 410 Gone: the feed was removed"
    assert health(db)["old"].next_due is None
    again, _, _ = await poll(feeds, all_feeds=True)
    assert again.dead == ("old",) and again.feeds == 1
    assert len(feed_server.hits("/gone")) == 1
    feeds["old"] = feed_server.feed("/moved-by-hand", NBC)  # the user edits its url
    revived, _, db = await poll(feeds)
    assert revived.feeds == 1 and revived.ok == 1 and revived.dead == ()
    assert health(db)["old"].status == "ok" and not health(db)["old"].dead


async def test_local_feeds_take_the_same_road(tmp_path, poll):
    local = tmp_path / "local.xml"
    local.write_bytes(NBC.read_bytes())
    feeds = {"local": "local.xml", "missing": "nowhere.xml"}
    summary, _, db = await poll(feeds)
    assert (summary.ok, summary.failed, summary.new_items) == (1, 1, items_in(NBC))
    assert health(db)["missing"].last_error.startswith("no such file")
    again, _, _ = await poll(feeds, all_feeds=True)
    assert again.not_modified == 1
    local.write_bytes(MOSCOW.read_bytes())
    changed, _, _ = await poll(feeds, all_feeds=True)
    assert changed.ok == 1 and changed.new_items == items_in(MOSCOW)


async def test_per_host_and_global_limits_hold(feed_server, poll):
    feeds = {f"f{i}": feed_server.feed(f"/f{i}", BBC, delay=0.2) for i in range(12)}
    settings = PollSettings(limits=SETTINGS.limits, concurrency=8, per_host=3)
    started = time.monotonic()
    summary, _, _ = await poll(feeds, settings=settings)
    elapsed = time.monotonic() - started
    assert summary.ok == 12
    assert elapsed >= 0.8  # 12 feeds, 3 at a time against one host: 4 waves of 0.2 s
    assert elapsed < 8  # ... and not 12 in sequence plus a timeout


@pytest.mark.skipif(
    socket.gethostbyname("localhost") != "127.0.0.1", reason="needs localhost = 127.0.0.1"
)
async def test_a_busy_host_does_not_hold_up_the_others(feed_server, poll):
    # Ten slow feeds on one host name, then one quick feed on another (same server).
    feeds = {f"slow{i}": feed_server.feed(f"/s{i}", NBC, delay=0.3) for i in range(10)}
    feeds["quick"] = feed_server.feed("/quick", BBC).replace("127.0.0.1", "localhost")
    settings = PollSettings(limits=SETTINGS.limits, concurrency=4, per_host=2)
    _, events, _ = await poll(feeds, settings=settings)
    order = [e.feed for e in events if isinstance(e, FeedFetched)]
    assert len(order) == 11 and order.index("quick") < 3


async def test_many_slow_feeds_take_about_as_long_as_one(feed_server, poll):
    feeds = {f"f{i}": feed_server.feed(f"/f{i}", NBC, delay=0.5) for i in range(16)}
    settings = PollSettings(limits=SETTINGS.limits, concurrency=32, per_host=16)
    started = time.monotonic()
    summary, _, _ = await poll(feeds, settings=settings)
    assert summary.ok == 16
    assert time.monotonic() - started < 2.5  # in sequence: 8 s


async def test_batches_are_written_in_one_transaction_each(feed_server, poll, db_path):
    feeds = {f"f{i}": feed_server.feed(f"/f{i}", NBC) for i in range(20)}
    await poll(feeds)  # the database exists, feeds and storylines synced
    begins = []
    blocker = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)

    def on_event(event):
        # Another process holds the write lock while every fetch completes; the writer
        # waits (busy_timeout), and meanwhile all the other feeds queue up.
        if isinstance(event, PollStarted):
            blocker.execute("BEGIN IMMEDIATE")
            threading.Timer(1.5, blocker.execute, ("COMMIT",)).start()
            db.conn.set_trace_callback(
                lambda sql: begins.append(sql) if sql.startswith("BEGIN") else None
            )

    config = load_config(Path("feeds.yaml"))
    db = storage.open_db(db_path)
    try:
        summary = await poll_once(config, db, all_feeds=True, on_event=on_event, settings=SETTINGS)
    finally:
        db.close()
        blocker.close()
    assert summary.feeds == 20 and summary.ok == 20
    assert len(begins) == 2  # the first feed to finish, then the other nineteen at once


async def test_stop_drops_fetches_in_flight_and_keeps_finished_ones(feed_server, poll):
    feeds = {"fast": feed_server.feed("/fast", BBC), "stuck": feed_server.feed("/s", NBC, delay=30)}
    stop = asyncio.Event()
    settings = PollSettings(limits=FetchLimits(read_timeout=60, total_timeout=60))

    def stop_after_the_first(event):
        if isinstance(event, FeedFetched):
            stop.set()

    started = time.monotonic()
    summary, _, db = await poll(feeds, settings=settings, stop=stop, also=stop_after_the_first)
    assert time.monotonic() - started < 10
    assert summary.interrupted and (summary.feeds, summary.ok) == (1, 1)
    assert storage.item_count(db) == items_in(BBC)
    assert health(db)["stuck"].last_fetch is None  # as if never tried: due next time


def wait_for(events: queue.Queue, wanted, timeout: float = 20.0):
    """The first event from the poller's thread that `wanted` accepts."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            event = events.get(timeout=left)
        except queue.Empty:
            break
        if wanted(event):
            return event
    raise AssertionError("the poller did not report it in time")


def test_the_long_running_poller_follows_edits_of_feeds_yaml(feed_server, write_config, db_path):
    # As the dashboard will run it: its own thread and event loop, a threading.Event to stop.
    bbc, nbc = feed_server.feed("/bbc", BBC), feed_server.feed("/nbc", NBC)
    path = write_config(feeds_yaml({"BBC": bbc}))
    events: queue.Queue = queue.Queue()
    stop = threading.Event()
    crashed = []

    def work():
        try:
            asyncio.run(
                run_poller(path, db_path, stop=stop, on_event=events.put, settings=SETTINGS)
            )
        except BaseException as exc:
            crashed.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    try:
        wait_for(events, lambda e: isinstance(e, FeedFetched) and e.feed == "BBC")
        path.write_text(feeds_yaml({"BBC": bbc, "NBC": nbc}))
        reloaded = wait_for(events, lambda e: isinstance(e, ConfigReloaded))
        assert (reloaded.path, reloaded.feeds, reloaded.storylines) == (path, 2, 0)
        nbc_fetched = wait_for(events, lambda e: isinstance(e, FeedFetched))
        assert (nbc_fetched.feed, nbc_fetched.new_items) == ("NBC", items_in(NBC))

        path.write_text("feeds:\n  - {name: Broken}\n")
        rejected = wait_for(events, lambda e: isinstance(e, (ConfigRejected, ConfigReloaded)))
        assert isinstance(rejected, ConfigRejected)
        assert rejected.error == f"{path}:2: feeds[0]: missing required key 'url'"

        path.write_text(feeds_yaml({"NBC": nbc}, STORYLINES))
        reloaded = wait_for(events, lambda e: isinstance(e, ConfigReloaded))
        assert (reloaded.feeds, reloaded.storylines) == (1, 2)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert not worker.is_alive() and not crashed
    # Each feed fetched once: after a fetch it is next due a whole interval later.
    assert len(feed_server.hits("/bbc")) == 1 and len(feed_server.hits("/nbc")) == 1
    db = storage.open_db(db_path)
    try:
        assert storage.storyline_slugs(db) == ["korea", "russia"]
        assert db.execute("SELECT count(*) FROM item_storylines").fetchone()[0] > 0  # re-tagged
        assert [h.name for h in storage.feed_health(db)] == ["NBC"]  # BBC left the config
        assert storage.item_count(db) == items_in(BBC) + items_in(NBC)  # its items stay
    finally:
        db.close()


def test_an_edit_of_feeds_yaml_counts_once_it_holds_still(tmp_path):
    # An editor that truncates, then writes, must not be caught with an empty file.
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds: []\n")
    watch = _ConfigWatch(path)
    assert not watch.changed()
    path.write_text("")  # caught half way through a save
    assert not watch.changed()
    path.write_text("feeds:\n  - {name: A, url: 'https://a.example/rss'}\n")
    assert not watch.changed()  # not the half-written content, and not settled yet
    assert watch.changed()  # the same content a look later: this is the edit
    assert not watch.changed()
    watch.retry()
    assert watch.changed()
    path.unlink()
    assert not watch.changed() and watch.changed()  # a removed file is an edit too


@contextlib.contextmanager
def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield port


async def test_two_pollers_sharing_a_database_fetch_each_feed_once(
    feed_server, write_config, db_path
):
    """The dashboard's poller and a headless `wirewatch poll` may run at once."""
    feeds = {name: feed_server.feed(f"/{name}", BBC, delay=0.2) for name in ("a", "b", "c", "d")}
    config = load_config(write_config(feeds_yaml(feeds)))
    first, second = storage.open_db(db_path), storage.open_db(db_path)
    try:
        summaries = await asyncio.gather(
            poll_once(config, first, settings=SETTINGS),
            poll_once(config, second, settings=SETTINGS),
        )
    finally:
        first.close()
        second.close()
    assert sorted(len(feed_server.hits(f"/{name}")) for name in feeds) == [1, 1, 1, 1]
    assert sum(s.feeds for s in summaries) == 4
    db = storage.open_db(db_path)
    assert {h.status for h in storage.feed_health(db)} == {"ok"}
    assert all(
        h.next_due > datetime.now(UTC) + timedelta(minutes=10) for h in storage.feed_health(db)
    )


@pytest.mark.parametrize("all_feeds", [False, True])
async def test_a_feed_another_poller_is_fetching_is_left_to_it(
    feed_server, write_config, db_path, all_feeds
):
    """The race CI once caught: the second poller reads the states after the first one
    claimed a never-fetched feed, which it would fetch regardless of next_due."""
    feeds = {name: feed_server.feed(f"/{name}", BBC) for name in ("a", "b")}
    config = load_config(write_config(feeds_yaml(feeds)))
    db = storage.open_db(db_path)
    try:
        storage.sync_feeds(db, [(spec.name, spec.location) for spec in config.feeds])
        other = storage.feed_ids(db)["a"]
        now = datetime.now(UTC)
        assert storage.claim_feeds(db, [(other, None)], now + timedelta(minutes=5)) == {other}
        summary = await poll_once(config, db, all_feeds=all_feeds, settings=SETTINGS)
    finally:
        db.close()
    assert (len(feed_server.hits("/a")), len(feed_server.hits("/b"))) == (0, 1)
    assert summary.feeds == 1
