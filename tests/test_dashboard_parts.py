"""The dashboard's plain parts: text formats, the timeline's rows and merging, the poll status,
the status bar's words, and the offline demo's database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

import storage
from feeds.config import load_config
from feeds.poller import FeedFetched, PollFailed, PollFinished, PollStarted, PollSummary
from storage import Development, Source
from tests.conftest import REPO
from tui import poll_worker, views
from tui.clock import Clock
from tui.commands.demo import build_demo_database, demo_feeds
from tui.format import compact_count, day_heading, relative_age, sources_label, sparkline
from tui.widgets.status_bar import status_content
from tui.widgets.timeline import _sources_cell
from tui.widgets.timeline_rows import Heading, layout, merge

NOW = datetime(2024, 12, 18, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=12), "12 min ago"),
        (timedelta(hours=3, minutes=59), "3 h ago"),
        (timedelta(days=1, hours=2), "1 day ago"),
        (timedelta(days=45), "45 days ago"),
        (timedelta(days=200), "6 mo ago"),
        (timedelta(days=800), "2 y ago"),
        (timedelta(minutes=-30), "ahead"),
    ],
)
def test_relative_age(ago, text):
    assert relative_age(NOW - ago, NOW) == text


def test_day_headings_name_today_and_yesterday():
    today = date(2024, 12, 18)
    assert day_heading(today, today) == "Today · Wednesday 18 December 2024"
    assert day_heading(date(2024, 12, 17), today) == "Yesterday · Tuesday 17 December 2024"
    assert day_heading(date(2024, 10, 23), today) == "Wednesday 23 October 2024"


def test_counts_sources_and_sparklines():
    assert [compact_count(n) for n in (987, 12_345, 1_234_567)] == ["987", "12k", "1.2M"]
    assert sources_label(["BBC World", "NYT", "AP", "NYT"[:2]]) == "BBC World +3"
    assert sources_label(["BBC World"]) == "BBC World"
    # The count survives a narrow column; the name gives way.
    assert _sources_cell(["The Moscow Times - News", "Wire"], 16) == "The Moscow T… +1"
    assert sparkline([0, 1, 2, 4, 8]) == "▁▂▃▅█"
    assert sparkline([0, 0]) == "▁▁" and sparkline([]) == ""


def development(id: int, key: int, items: tuple[int, ...], storylines=("s",)) -> Development:
    when = datetime.fromtimestamp(key, UTC)
    return Development(
        id=id,
        key=key,
        published=when,
        title=f"d{id}",
        summary="",
        link="",
        sources=tuple(Source(i, "F", "t", "", when, False) for i in items),
        storylines=tuple(storylines),
        terms={},
        unread=True,
        seq=0,
    )


def test_rows_group_developments_under_local_days():
    day = 86_400
    base = int(NOW.timestamp())
    developments = [development(3, base, (3,)), development(2, base - 60, (2,))]
    developments.append(development(1, base - day, (1,)))
    rows = layout(developments, Clock.fixed(NOW).local)
    assert rows == [
        Heading(date(2024, 12, 18)),
        developments[0],
        developments[1],
        Heading(date(2024, 12, 17)),
        developments[2],
    ]


def test_merging_live_changes():
    a, b, c = development(1, 300, (10,)), development(2, 200, (20,)), development(3, 100, (30,))
    current = [a, b, c]
    newer = development(4, 400, (40,))
    # A new development files by key; one that absorbed b's item replaces b.
    absorbing = development(1, 300, (10, 20))
    merged = merge(current, [newer, absorbing], lambda d: True)
    assert [d.id for d in merged] == [4, 1, 3]
    # One that left the storyline goes; one older than what is loaded waits for paging.
    gone = development(3, 100, (30,), storylines=())
    old = development(5, 50, (50,))
    merged = merge(current, [gone, old], lambda d: bool(d.storylines), oldest_key=100)
    assert [d.id for d in merged] == [1, 2]


def test_poll_status_follows_the_pollers_events():
    status = poll_worker.PollStatus()
    status = poll_worker.apply(status, PollStarted(3), NOW)
    assert status.polling and (status.done, status.total) == (0, 3)
    status = poll_worker.apply(status, FeedFetched("A", "https://a/", "ok", 200, 4), NOW)
    status = poll_worker.apply(status, FeedFetched("B", "https://b/", "error", 503), NOW)
    assert (status.done, status.failed, status.new_items) == (2, 1, 4)
    text = status_content(None, status, Clock.fixed(NOW)).plain
    assert "polling 2/3 ▰▰▰▰▰▰▰▱▱▱" in text
    due = NOW + timedelta(minutes=15)
    summary = PollSummary(3, 2, 0, 1, 4, {"A": 4}, {}, (("B", "HTTP 503"),), (), 1.5, next_due=due)
    status = poll_worker.apply(status, PollFinished(summary), NOW)
    assert not status.polling and status.finished_at == NOW
    text = status_content(None, status, Clock.fixed(NOW)).plain
    assert "last poll just now" in text and "next in 15 min" in text
    status = poll_worker.apply(status, PollFailed("database is locked"), NOW)
    assert "poll failed: database is locked" in status_content(None, status, Clock.fixed(NOW)).plain


def test_status_bar_words():
    clock = Clock.fixed(NOW)
    overview = storage.Overview(17, 2, 17, NOW - timedelta(minutes=3), None, 42)
    text = status_content(overview, poll_worker.OFF, clock, note="DEMO").plain
    assert (
        text
        == "DEMO  ·  ▲ 2 of 17 feeds failing  ·  last poll 3 min ago  ·  polling off  ·  42 items today"
    )
    healthy = storage.Overview(17, 0, 17, NOW, NOW + timedelta(hours=2), 5)
    text = status_content(healthy, poll_worker.PollStatus(), clock).plain
    assert text.startswith("● 17 feeds OK  ·  last poll just now  ·  next in 2 h")


def test_the_demo_database_has_both_storylines(tmp_path):
    assert len(demo_feeds()) == 25
    newest = build_demo_database(tmp_path / "demo.db", load_config(REPO / "feeds.yaml"))
    assert newest == datetime(2024, 11, 5, 17, 38, 50, tzinfo=UTC)
    db = storage.open_db(tmp_path / "demo.db")
    assert storage.item_count(db) == 368
    for slug in ("dprk-troops-russia", "brics-summit"):
        assert len(storage.timeline(db, slug)) >= 5
    feeds = {s.name for s in storage.feed_health(db, newest, configured_only=False) if s.items}
    assert {"BBC News", "The Moscow Times", "NBC News World", "WSJ World"} <= feeds
    db.close()


def test_demo_needs_a_terminal_or_saves_a_screenshot(cli, tmp_path):
    result = cli("demo")
    assert result.status == 2 and "needs a terminal" in result.err
    result = cli("demo", "--screenshot", tmp_path / "demo.svg")
    assert result.status == 0, result.err
    svg = (tmp_path / "demo.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "DPRK&#160;troops&#160;in&#160;Russia" in svg


def test_a_feeds_yaml_edit_never_shuffles_the_storylines_shown():
    now = {"brics": "BRICS summit", "kursk": "Kursk", "dprk": "DPRK troops (renamed)"}
    ordered = views.keep_order(["dprk", "gone", "brics"], now)
    assert list(ordered.items()) == [
        ("dprk", "DPRK troops (renamed)"),
        ("brics", "BRICS summit"),
        ("kursk", "Kursk"),
    ]
    assert [v.key for v in views.lineup(ordered)] == [
        "all",
        "storyline-dprk",
        "storyline-brics",
        "storyline-kursk",
        "untagged",
    ]


async def test_a_database_wait_outliving_its_screen_ends_quietly():
    """Quitting while a worker waits on the database must not fail the app on its way
    out; a widget missing from a screen that is still up is a bug and still raises."""
    from textual.app import App
    from textual.css.query import NoMatches
    from textual.widgets import Label

    from tui.database import reported

    class Probe(App[None]):
        def compose(self):
            yield Label("x", id="shown")

    app = Probe()
    async with app.run_test():
        label = app.query_one("#shown", Label)
        with pytest.raises(NoMatches), reported(app.screen, "Timeline"):
            app.screen.query_one("#missing")
        await label.remove()
        with reported(label, "Timeline"):  # its node is gone: nothing left to fill
            label.query_one("#anything")
