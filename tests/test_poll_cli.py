"""`wirewatch poll` and `wirewatch feeds` against a real server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import REAL_FEEDS, feeds_yaml

BBC = REAL_FEEDS / "bbc-news_2024-10-23.xml"
NBC = REAL_FEEDS / "nbcnews-world_2024-10-23.xml"
WSJ = REAL_FEEDS / "wsj-world_2024-10-22.xml"


@pytest.fixture
def served(feed_server, write_config, db_path, cli):
    """feeds.yaml with three good feeds and a broken one; runs `wirewatch ARGS...` on it."""
    feeds = {
        "BBC": feed_server.feed("/bbc", BBC, etag='"b1"'),
        "NBC": feed_server.feed("/nbc", NBC, last_modified="Wed, 23 Oct 2024 10:00:00 GMT"),
        "WSJ": feed_server.feed("/wsj", WSJ, etag='"w1"', gzip=True),
        "Broken": feed_server.add("/broken", status=500),
    }
    config = write_config(feeds_yaml(feeds, "- {slug: korea, title: Korea, match: korea*}"))
    return lambda *args: cli("--config", config, "--db", db_path, *args)


def test_poll_once_end_to_end(served, feed_server):
    first = served("poll", "--once")
    assert first.status == 0, first.err  # a failed feed is not a failed command
    assert first.out.startswith("4 feeds in ")
    assert "3 OK, 0 not modified, 1 failed; 58 new items" in first.out
    assert "storylines: korea +" in first.out
    assert first.err == "Broken: HTTP 500 Internal Server Error\n"
    assert "\r" not in first.err + first.out  # no progress bar when not on a terminal

    again = served("poll", "--once", "--all")
    assert again.status == 0
    assert "4 feeds in " in again.out
    assert "0 OK, 3 not modified, 1 failed; 0 new items" in again.out
    assert feed_server.hits("/bbc")[-1].headers["if-none-match"] == '"b1"'
    assert feed_server.hits("/wsj")[-1].headers["if-none-match"] == '"w1"'
    assert "if-modified-since" in feed_server.hits("/nbc")[-1].headers
    assert len(served("search", "--limit", "1000", "--json").out.splitlines()) == 58


def test_poll_once_without_all_skips_fresh_feeds(served, feed_server):
    served("poll", "--once")
    again = served("poll", "--once")
    assert again.status == 0
    assert again.out.startswith("no feed due (4 configured); next one due 20")
    assert len(feed_server.hits("/bbc")) == 1


def test_a_progress_bar_on_a_terminal(served, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    result = served("poll", "--once")
    assert result.status == 0
    assert "\r\x1b[2K[" in result.err and "] 4/4 feeds" in result.err
    assert result.out.startswith("4 feeds in ")


def test_feeds_health_table_and_json(served):
    before = served("feeds")
    assert before.status == 0
    assert before.out.splitlines()[1].split()[:4] == ["BBC", "never", "fetched", "never"]
    served("poll", "--once")
    table = served("feeds").out.splitlines()
    assert " ".join(table[0].split()) == "NAME STATUS LAST FETCH NEXT DUE ITEMS 24H URL"
    broken = next(i for i, line in enumerate(table) if line.startswith("Broken"))
    assert "error 500" in table[broken]
    assert table[broken + 1] == "    error: HTTP 500 Internal Server Error"
    records = {r["name"]: r for r in map(json.loads, served("feeds", "--json").out.splitlines())}
    assert list(records) == ["BBC", "NBC", "WSJ", "Broken"]  # feeds.yaml order
    bbc = records["BBC"]
    assert (bbc["status"], bbc["http_status"], bbc["items"], bbc["failures"]) == ("ok", 200, 42, 0)
    assert bbc["title"] == "BBC News" and bbc["last_error"] is None and not bbc["dead"]
    assert bbc["items_24h"] == 0  # the fixture feeds are from 2024
    broken = records["Broken"]
    assert (broken["status"], broken["failures"], broken["items"]) == ("error", 1, 0)
    assert broken["last_error"] == "HTTP 500 Internal Server Error"
    assert broken["next_due"] > broken["last_fetch"]


def test_feeds_health_shows_moves_and_dead_feeds(feed_server, write_config, db_path, cli):
    feed_server.feed("/new", BBC)
    feeds = {
        "Moved": feed_server.add("/old", status=308, location="/new"),
        "Gone": feed_server.add("/gone", status=410),
    }
    config = write_config(feeds_yaml(feeds))
    result = cli("--config", config, "--db", db_path, "poll", "--once")
    assert "1 OK, 0 not modified, 1 failed" in result.out
    assert "Gone: HTTP 410 Gone: the feed was removed" in result.err
    again = cli("--config", config, "--db", db_path, "poll", "--once", "--all")
    assert "not polled, gone for good (410): Gone; edit an entry" in again.err
    table = cli("--config", config, "--db", db_path, "feeds").out
    assert f"    moved for good to {feed_server.url('/new')}" in table
    gone = next(line for line in table.splitlines() if line.startswith("Gone"))
    assert "dead 410" in gone and "never (dead)" in gone


def test_poll_mistakes_exit_2(served, tmp_path, write_config, db_path, cli):
    assert served("poll", "--all").status == 2
    assert "--all needs --once" in served("poll", "--all").err
    bad = write_config("feeds:\n  - {name: A}\n", name="bad.yaml")
    result = cli("--config", bad, "--db", db_path, "poll", "--once")
    assert result.status == 2 and "bad.yaml:2: feeds[0]: missing required key 'url'" in result.err
    assert not db_path.exists()  # nothing written
    (tmp_path / "adir").mkdir()
    result = served("--db", tmp_path / "adir", "poll", "--once")
    assert result.status == 2 and "Traceback" not in result.err


def _read_lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)


def _wait_line(lines: queue.Queue, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if text in line:
            return line
    raise AssertionError(f"no line with {text!r} in time")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_the_headless_poller_logs_each_fetch_and_stops_on_a_signal(
    feed_server, write_config, tmp_path, sig
):
    feeds = {"BBC": feed_server.feed("/bbc", BBC), "Broken": feed_server.add("/x", status=404)}
    config = write_config(feeds_yaml(feeds))
    exe = Path(sys.executable).parent / "wirewatch"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [str(exe), "--config", str(config), "--db", str(tmp_path / "w.db"), "poll"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        assert "polling the feeds of" in _wait_line(lines, "polling")
        fetched = " | ".join([_wait_line(lines, "  "), _wait_line(lines, "  ")])
        assert "ok            BBC  42 new" in fetched
        assert "error         Broken  HTTP 404 Not Found; retry 20" in fetched
        config.write_text(feeds_yaml({**feeds, "NBC": feed_server.feed("/nbc", NBC)}))
        assert "config reloaded: 3 feeds, 0 storylines" in _wait_line(lines, "config")
        assert "NBC  12 new" in _wait_line(lines, "NBC")
        process.send_signal(sig)
        assert process.wait(timeout=30) == 0
        assert "stopped" in _wait_line(lines, "stopped")
        assert process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_ctrl_c_stops_poll_once_after_what_is_written(feed_server, write_config, tmp_path):
    feeds = {"fast": feed_server.feed("/fast", BBC), "stuck": feed_server.feed("/s", NBC, delay=60)}
    config = write_config(feeds_yaml(feeds))
    db = tmp_path / "w.db"
    exe = Path(sys.executable).parent / "wirewatch"
    process = subprocess.Popen(
        [str(exe), "--config", str(config), "--db", str(db), "poll", "--once"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (_fetched(db, "fast") and feed_server.hits("/s")):
            time.sleep(0.05)
        assert feed_server.hits("/s")  # the stuck one is in flight
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert "1 feed in " in out and "1 OK" in out and "42 new items (interrupted)" in out
    assert "Traceback" not in err


def _fetched(db: Path, feed: str) -> bool:
    if not db.exists():
        return False
    with contextlib.closing(sqlite3.connect(db, timeout=10)) as conn:
        try:
            row = conn.execute("SELECT last_fetch FROM feeds WHERE name = ?", (feed,)).fetchone()
        except sqlite3.OperationalError:  # not created yet
            return False
    return bool(row and row[0])
