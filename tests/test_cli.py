"""The `wirewatch` command line, run in-process on real files and a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REAL_FEEDS, REPO, TRICKY_FEEDS


@pytest.fixture
def ingested(cli, db_path):
    result = cli("--config", REPO / "feeds.yaml", "--db", db_path, "ingest", REAL_FEEDS)
    assert result.status == 0, result.err
    return lambda *args: cli("--config", REPO / "feeds.yaml", "--db", db_path, *args)


def test_help_lists_the_commands(cli):
    result = cli("--help")
    assert result.status == 0
    assert "search" in result.out and "ingest" in result.out and "demo" in result.out
    assert "--no-poll" in result.out and "opens the dashboard" in result.out


def test_no_command_opens_the_dashboard_which_needs_a_terminal(cli):
    # Under pytest stdout is captured, not a terminal: one line, no escape codes, status 2.
    result = cli("--no-poll")
    assert result.status == 2 and result.out == ""
    assert result.err.startswith("wirewatch: the dashboard needs a terminal")


def test_ingest_reports_per_file_and_is_idempotent(ingested):
    assert "30 files read, 0 failed, 0 new items" in ingested("ingest", REAL_FEEDS).out
    summary = ingested("search", "--limit", "1000", "--json").out.splitlines()
    assert len(summary) == 433


def test_ingest_every_tricky_feed_without_a_crash(cli, db_path):
    result = cli("--config", REPO / "feeds.yaml", "--db", db_path, "ingest", TRICKY_FEEDS)
    assert "Traceback" not in result.err
    assert result.status == 1  # some files are not feeds at all, and say so:
    assert "newsboat__data__empty.xml: empty document" in result.err
    assert "rss_empty_document.xml: not an RSS or Atom feed" in result.err
    assert "153 files read" not in result.out and "150 files read, 3 failed" in result.out


def test_search_plain_output_is_newest_first(ingested):
    lines = ingested("search", "north korean troops", "--limit", "3").out.splitlines()
    assert lines == [
        "2024-12-17 23:48  The Moscow Times - News  ‘Several Hundred’ North Korean Casualties "
        "in Russia’s Kursk – U.S. Official",
        "2024-12-17 16:13  The Moscow Times - News  Moscow Waging 'Intense' Counteroffensive With "
        "North Korean Troops in Kursk Region, Kyiv Says",
        "2024-11-04 15:28  The Moscow Times - News  Russia to Intervene Against Seoul, Pay $200M "
        "for N. Korean Troops – South Korean Lawmaker",
    ]


def test_search_json_fields(ingested):
    lines = ingested("search", '"U.S. confirms"', "--json").out.splitlines()
    (record,) = [json.loads(line) for line in lines]
    assert record["title"] == "North Korean troops have been sent to Russia, U.S. confirms"
    assert record["feed"] == "NBC News World"
    assert record["published"] == "2024-10-23T10:37:44+00:00"
    assert record["link"].startswith("https://www.nbcnews.com/")
    assert record["storylines"] == ["dprk-troops-russia"]
    assert record["id"] == record["link"]
    assert "\x02" not in record["snippet"] and record["snippet"]


def test_search_by_storyline_alone_lists_it(ingested):
    lines = [
        json.loads(x)
        for x in ingested("search", "--storyline", "brics-summit", "--json").out.splitlines()
    ]
    assert lines and all("brics-summit" in r["storylines"] for r in lines)
    assert [r["published"] for r in lines] == sorted((r["published"] for r in lines), reverse=True)


def test_search_since_until_and_rank(ingested):
    since = [
        json.loads(x)
        for x in ingested("search", "korean", "--since", "2024-12-01", "--json").out.splitlines()
    ]
    assert since and all(r["published"] >= "2024-12-01" for r in since)
    until = [
        json.loads(x)
        for x in ingested("search", "korea", "--until", "2024-10-24", "--json").out.splitlines()
    ]
    assert until and all(r["published"] < "2024-10-24" for r in until)
    ranked = [
        json.loads(x)["title"]
        for x in ingested("search", "brics", "--rank", "--json").out.splitlines()
    ]
    newest = [
        json.loads(x)["title"] for x in ingested("search", "brics", "--json").out.splitlines()
    ]
    assert sorted(ranked) == sorted(newest) and ranked != newest
    assert "BRICS" in ranked[0]  # a title hit outranks summary-only mentions


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("search", '"unclosed'), "bad query: unclosed quote (at column 1)"),
        (("search", "a OR"), "bad query: OR needs a term after it (at column 3)"),
        (("search", "x", "--storyline", "nope"), "no storyline 'nope'"),
        (("search", "x", "--since", "last tuesday"), "bad time 'last tuesday'"),
    ],
)
def test_user_mistakes_exit_2_with_one_clear_line(ingested, args, message):
    result = ingested(*args)
    assert result.status == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_bad_limit_is_a_usage_error(ingested):
    assert ingested("search", "x", "--limit", "0").status == 2


def test_terminal_output_highlights_matches_and_pipes_do_not(ingested, monkeypatch):
    plain = ingested("search", "Kursk", "--limit", "1").out
    assert "\x1b" not in plain
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    coloured = ingested("search", "Kursk", "--limit", "1").out
    assert "\x1b[1;33mKursk\x1b[0m" in coloured


def test_installed_console_script(tmp_path):
    env = {
        **os.environ,
        "WIREWATCH_DB": str(tmp_path / "w.db"),
        "WIREWATCH_CONFIG": str(REPO / "feeds.yaml"),
    }
    exe = Path(sys.executable).parent / "wirewatch"
    result = subprocess.run(
        [str(exe), "ingest", str(REAL_FEEDS / "wsj-world_2024-10-22.xml")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "4 new" in result.stdout
