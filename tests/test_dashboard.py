"""The dashboard, driven with Pilot on a real database file (the 433 real fixture items)."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from textual.content import Content
from textual.widgets import DataTable, Input, Static

import storage
from feeds.config import load_config
from feeds.ingest import ingest_files, prepare
from tests.conftest import REAL_FEEDS, REPO
from tests.dashboard import (
    NOW,
    SIZE,
    loaded,
    main_screen,
    make_app,
    open_search,
    show_all_items,
    timeline,
    wait_for,
)
from tui.app import WirewatchApp
from tui.clock import Clock
from tui.figures import UNTAGGED_KEY
from tui.screens.confirm import ConfirmScreen
from tui.screens.development import DevelopmentScreen
from tui.screens.feeds import FeedsScreen
from tui.screens.help import HelpScreen
from tui.screens.search import SearchScreen
from tui.widgets.detail import DetailPane
from tui.widgets.search_results import SearchResults
from tui.widgets.sidebar import Sidebar
from tui.widgets.status_bar import StatusBar
from tui.widgets.timeline_rows import Heading

DPRK = "dprk-troops-russia"
BRICS = "brics-summit"


@pytest.fixture
def db_file(real_db_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "dashboard.db"
    path.write_bytes(real_db_template.read_bytes())
    return path


def rss(items: list[tuple[str, str, datetime]], title: str = "Wire") -> bytes:
    """A small RSS document: (title, summary, published) per item."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><description>{escape(s)}</description>"
        f"<link>https://example.org/{n}</link><guid>wire-{n}-{escape(t)}</guid>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>"
        for n, (t, s, when) in enumerate(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://example.org/</link><description>d</description>{entries}"
        "</channel></rss>"
    ).encode()


def ingest_in_second_connection(db_path: Path, tmp_path: Path, items, name="wire.xml") -> None:
    """What a `wirewatch poll` in another process does: its own connection, then commit."""
    feed = tmp_path / name
    feed.write_bytes(rss(items))
    config = load_config(REPO / "feeds.yaml")
    db = storage.open_db(db_path)
    try:
        ingest_files(db, [feed], config, prepare(db, config), feed_name="Wire")
    finally:
        db.close()


def stored(db_path: Path, query, *args):
    """What a storage query answers on the database file, from a connection of its own."""
    db = storage.open_db(db_path)
    try:
        return query(db, *args)
    finally:
        db.close()


def unread(db_path: Path, development_id: int) -> bool:
    db = storage.open_db(db_path)
    try:
        return storage.load_developments(db, [development_id])[development_id].unread
    finally:
        db.close()


def shown_text(pane: DetailPane) -> str:
    return " ".join(str(w.render()) for w in pane.query(Static))


async def test_opens_on_the_first_storyline_newest_first_under_day_headings(db_file):
    app = make_app(db_file)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        view = timeline(app)
        assert view.border_title == "DPRK troops in Russia"
        assert all(DPRK in d.storylines for d in view.developments)
        keys = [d.key for d in view.developments]
        assert keys == sorted(keys, reverse=True)
        rows = view._rows
        assert rows[0] == Heading(datetime(2024, 12, 17).date())
        assert view.highlighted == view.developments[0]
        assert "Several Hundred" in view.render_line(1).text
        assert "8 h ago" in view.render_line(1).text  # relative age at the fixed clock
        detail = main_screen(app).query_one(DetailPane)
        # The detail follows the highlight by message, a moment after the first page.
        await wait_for(pilot, lambda: detail.development == view.developments[0])
        # The sidebar: counts and sparklines once the figures arrive, off the first paint.
        sidebar = main_screen(app).query_one(Sidebar)
        assert sidebar._unread == {
            **stored(db_file, storage.unread_counts),
            UNTAGGED_KEY: stored(db_file, storage.unread_untagged),
        }
        assert sidebar._unread[None] == 433
        # The 17 DPRK and 8 BRICS items are the only tagged ones.
        assert sidebar._unread[UNTAGGED_KEY] == 433 - 17 - 8
        yesterday = stored(db_file, storage.daily_counts, DPRK, NOW - timedelta(days=1))
        assert sidebar._daily[DPRK][-2] == yesterday[datetime(2024, 12, 17).date()] >= 2
        status = main_screen(app).query_one(StatusBar)
        assert status.overview.feeds == 17


async def test_selecting_a_storyline_in_the_sidebar(db_file):
    app = make_app(db_file)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        sidebar = main_screen(app).query_one(Sidebar)
        sidebar.focus()
        await pilot.press("down")  # DPRK -> BRICS
        await wait_for(pilot, lambda: timeline(app).border_title == "BRICS summit")
        await wait_for(pilot, lambda: BRICS in timeline(app).developments[0].storylines)
        assert all(BRICS in d.storylines for d in timeline(app).developments)
        await pilot.press("down", "enter")  # Untagged, and Enter moves to the timeline
        await wait_for(pilot, lambda: timeline(app).has_focus)
        await wait_for(pilot, lambda: not timeline(app).developments[0].storylines)
        assert not any(d.storylines for d in timeline(app).developments)


async def test_moving_through_the_timeline_and_opening_a_row(db_file):
    app = make_app(db_file)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        view = timeline(app)
        detail = main_screen(app).query_one(DetailPane)
        developments = list(view.developments)
        await pilot.press("j", "j")
        assert view.highlighted == developments[2]
        await pilot.press("k")
        assert view.highlighted == developments[1]
        await pilot.press("down", "down", "up")
        assert view.highlighted == developments[2]
        await wait_for(pilot, lambda: detail.development == developments[2])
        assert developments[2].unread
        await pilot.press("enter")  # opening shows the detail and marks it read
        await wait_for(pilot, lambda: detail.has_focus)
        await wait_for(pilot, lambda: not view.highlighted.unread)
        assert not unread(db_file, developments[2].id)
        # The pane recomposes for the development now read: wait for its new children.
        await wait_for(pilot, lambda: detail.development and not detail.development.unread)
        await wait_for(pilot, lambda: developments[2].title in shown_text(detail))
        assert "source" in shown_text(detail)
        await pilot.press("escape")
        await wait_for(pilot, lambda: view.has_focus)


async def test_toggle_read_and_mark_all_read_persist(db_file):
    before = stored(db_file, storage.unread_counts)
    app = make_app(db_file)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        view = timeline(app)
        first = view.highlighted
        await pilot.press("m")
        await wait_for(pilot, lambda: not view.highlighted.unread)
        assert not unread(db_file, first.id)
        await pilot.press("m")
        await wait_for(pilot, lambda: view.highlighted.unread)
        assert unread(db_file, first.id)
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not any(d.unread for d in view.developments))
        await wait_for(pilot, lambda: main_screen(app).query_one(Sidebar)._unread.get(DPRK, 0) == 0)
        db = storage.open_db(db_file)
        counts = storage.unread_counts(db)
        db.close()
        assert DPRK not in counts and counts[BRICS] == before[BRICS]  # only the one viewed


async def test_paging_loads_older_developments_as_the_reader_scrolls(db_file):
    app = make_app(db_file)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        view = await show_all_items(app, pilot)
        assert len(view.developments) == 100 and view.has_more
        for _ in range(4):
            await pilot.press("end")
            await pilot.pause(0.1)
        await wait_for(pilot, lambda: not view.has_more)
        db = storage.open_db(db_file)
        total = len(storage.timeline(db, limit=10_000))
        db.close()
        assert len(view.developments) == total
        assert len({d.id for d in view.developments}) == total


async def test_items_written_by_another_connection_appear_without_a_key_press(db_file, tmp_path):
    before = stored(db_file, storage.unread_counts)
    app = make_app(db_file)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        view = timeline(app)
        latest = view.developments[0]  # 23:48 "Several Hundred North Korean Casualties..."
        await pilot.press("j")  # the reader is on the second row (16:13, "Moscow Waging...")
        reading = view.highlighted
        ingest_in_second_connection(
            db_file,
            tmp_path,
            [
                (
                    "Satellite images show DPRK soldiers training near Vladivostok",
                    "North Korean soldiers train at a Russian base in the Far East, analysts say.",
                    NOW - timedelta(minutes=12),
                ),
                (  # the same news as both of yesterday's rows: it joins them into one
                    "North Korean troops reach the front in Kursk, Ukraine says",
                    "Thousands of North Korean soldiers fight for Russia in Kursk.",
                    NOW - timedelta(minutes=20),
                ),
                (
                    "BRICS leaders agree on a summit declaration in Kazan",
                    "The BRICS summit ended with a declaration.",
                    NOW - timedelta(minutes=5),
                ),
            ],
        )
        await wait_for(pilot, lambda: view.developments[0].title.startswith("Satellite images"))
        top = view.developments[0]
        assert top.unread and top.feeds == ("Wire",)
        assert view._rows[0] == Heading(NOW.date())  # a new day heading, "Today"
        assert "12 min ago" in view.render_line(1).text and "Wire" in view.render_line(1).text
        # The row being read became one with yesterday's other row and the new report: the
        # highlight stays on it, and the absorbed row is gone.
        await wait_for(pilot, lambda: len(view.highlighted.sources) == 3)
        merged = view.highlighted
        items = {s.item_id for s in merged.sources}
        assert {s.item_id for s in reading.sources + latest.sources} < items
        assert merged.feeds == ("The Moscow Times - News", "Wire")
        assert [d for d in view.developments if items & {s.item_id for s in d.sources}] == [merged]
        assert "+1  North Korean troops reach the front" in view.render_line(3).text
        detail = main_screen(app).query_one(DetailPane)
        await wait_for(pilot, lambda: detail.development == view.highlighted)
        # The BRICS item is not in this view: a toast says so.
        await wait_for(pilot, lambda: app._notifications)
        messages = [n.message for n in app._notifications]
        assert any("BRICS summit +1" in m for m in messages)
        sidebar = main_screen(app).query_one(Sidebar)
        await wait_for(pilot, lambda: sidebar._unread[DPRK] == before[DPRK] + 2)


async def test_new_rows_do_not_move_a_scrolled_view(db_file, tmp_path):
    app = make_app(db_file)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        view = await show_all_items(app, pilot)
        view.focus()
        await pilot.press("pagedown", "pagedown")
        await wait_for(pilot, lambda: view.scroll_y > 0)
        top_line = round(view.scroll_y)
        looking_at = [view.render_line(y).text for y in range(5)]
        highlighted = view.highlighted
        ingest_in_second_connection(
            db_file, tmp_path, [("Zanzibar ferry timetable changes", "A new timetable.", NOW)]
        )
        await wait_for(pilot, lambda: view.developments[0].title.startswith("Zanzibar"))
        # One row and its day heading above: the view keeps its place by scrolling down.
        await wait_for(pilot, lambda: round(view.scroll_y) == top_line + 2)
        assert [view.render_line(y).text for y in range(5)] == looking_at
        assert view.highlighted == highlighted
        assert "1 new above" in view.border_subtitle
        await pilot.press("g")  # to the newest
        assert view.highlighted.title.startswith("Zanzibar")
        assert view.border_subtitle == ""


def sync_config_in_second_connection(db_path: Path, config_path: Path) -> None:
    """What a poller does when feeds.yaml changes: storylines synced, the new ones tagged."""
    db = storage.open_db(db_path)
    try:
        prepare(db, load_config(config_path))
    finally:
        db.close()


async def test_storylines_edited_in_feeds_yaml_join_and_leave_the_sidebar(db_file, tmp_path):
    app = make_app(db_file)
    shipped = (REPO / "feeds.yaml").read_text(encoding="utf-8")
    edited = tmp_path / "feeds.yaml"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        sidebar = main_screen(app).query_one(Sidebar)
        view = timeline(app)
        reading = list(view.developments)
        edited.write_text(
            shipped + "  - slug: kursk\n    title: Fighting in [b]Kursk[/b]\n    match: Kursk\n",
            encoding="utf-8",
        )
        sync_config_in_second_connection(db_file, edited)
        await wait_for(pilot, lambda: "storyline-kursk" in sidebar.views)
        assert list(sidebar.views) == [
            "all",
            f"storyline-{DPRK}",
            f"storyline-{BRICS}",
            "storyline-kursk",
            "untagged",
        ]
        await wait_for(pilot, lambda: sidebar._unread.get("kursk", 0) > 0)
        assert "Fighting in [b]Kursk[/b]" in str(sidebar.get_option("storyline-kursk").prompt)
        assert view.border_title == "DPRK troops in Russia"  # the reader stays where they are
        assert view.developments == reading
        sidebar.select("storyline-kursk")
        # The title shows as written: the border holds it as escaped markup.
        await wait_for(
            pilot,
            lambda: Content.from_markup(view.border_title).plain == "Fighting in [b]Kursk[/b]",
        )
        await wait_for(pilot, lambda: view.developments)
        assert all("kursk" in d.storylines for d in view.developments)
        # The storyline being read leaves feeds.yaml: back to every item.
        edited.write_text(shipped, encoding="utf-8")
        sync_config_in_second_connection(db_file, edited)
        await wait_for(pilot, lambda: "storyline-kursk" not in sidebar.views)
        await wait_for(pilot, lambda: view.border_title == "All items" and view.developments)
        assert sidebar.selected.key == "all"


async def test_search_as_you_type_highlights_and_shows_the_item(db_file):
    app = make_app(db_file)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await open_search(app, pilot)
        results = app.screen.query_one(SearchResults)
        await wait_for(pilot, lambda: len(results.hits) == 50 and results.has_more)  # all items
        await pilot.press(*"north korean troops")
        await wait_for(pilot, lambda: len(results.hits) == 12)
        assert not results.has_more
        first = results.hits[0]
        assert first.item.title.startswith("‘Several Hundred’ North Korean Casualties")
        # Matched words carry the highlight style in the rendered entry.
        prompt = results.get_option_at_index(0).prompt
        marked = {prompt.plain[s.start : s.end] for s in prompt.spans if "reverse" in str(s.style)}
        assert {"North", "Korean"} <= marked
        published = [h.item.published for h in results.hits]
        assert published == sorted(published, reverse=True)
        assert "12 items, newest first" in str(app.screen.query_one("#summary", Static).render())
        await pilot.press("enter")  # from the query: shows the highlighted item
        await wait_for(pilot, lambda: isinstance(app.screen, DevelopmentScreen))
        detail = app.screen.query_one(DetailPane)
        await wait_for(pilot, lambda: detail.development is not None)
        assert first.item.id in {s.item_id for s in detail.development.sources}
        assert not detail.development.unread  # showing it marked it read
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main_screen(app))


async def test_search_filters_by_storyline_and_time(db_file):
    app = make_app(db_file)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await open_search(app, pilot)
        screen = app.screen
        results = screen.query_one(SearchResults)
        await pilot.press(*"russia")
        await wait_for(pilot, lambda: results.hits and "russia" in results.hits[0].title.lower())
        screen.query_one("#storyline").value = BRICS
        await wait_for(pilot, lambda: all(BRICS in h.item.storylines for h in results.hits))
        assert results.hits
        screen.query_one("#storyline").value = "*"
        screen.query_one("#period").value = 2  # past 7 days, at the fixed clock
        await wait_for(
            pilot, lambda: all(h.item.published > NOW - timedelta(days=7) for h in results.hits)
        )
        assert {h.item.published.date() for h in results.hits} == {datetime(2024, 12, 17).date()}


async def test_an_invalid_query_is_explained_inline_and_the_app_goes_on(db_file):
    app = make_app(db_file)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await open_search(app, pilot)
        error = app.screen.query_one("#error", Static)
        query = app.screen.query_one("#query", Input)
        await pilot.press(*"qf?")  # keys that mean something elsewhere are text here
        assert isinstance(app.screen, SearchScreen) and query.value == "qf?"
        query.value = ""
        await pilot.press(*'"north korea')
        await wait_for(pilot, lambda: error.has_class("-visible"))
        text = str(error.render())
        assert "unclosed quote (at column 1)" in text and text.endswith("^")
        await pilot.press('"')  # closing the quote fixes it
        results = app.screen.query_one(SearchResults)
        await wait_for(pilot, lambda: not error.has_class("-visible"))
        await wait_for(
            pilot,
            lambda: (
                results.hits
                and "North Korea" in results.hits[0].item.title + results.hits[0].item.summary
            ),
        )
        assert app.is_running
        assert query.value == '"north korea"'


async def test_feeds_screen_shows_health_and_refreshes_a_feed(db_file):
    db = storage.open_db(db_file)
    db.execute(
        "UPDATE feeds SET last_status = 'error', http_status = 503, failures = 2, "
        "last_error = 'Service Unavailable', last_fetch = ? WHERE name = 'BBC World'",
        (int(NOW.timestamp()) - 300,),
    )
    db.close()
    app = make_app(db_file)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedsScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.statuses)
        table = screen.query_one(DataTable)
        assert table.row_count == len(screen.statuses) == 25  # 17 configured + 8 ingested
        bbc = [str(c) for c in table.get_row("BBC World")]
        assert bbc[1] == "failing ×2" and bbc[2] == "5 min ago" and bbc[3] == "503"
        assert bbc[7] == "Service Unavailable"
        moscow = [str(c) for c in table.get_row("The Moscow Times - News")]
        assert moscow[4:6] == ["104", "20"]  # items, items in the last 24 h
        assert "1 failing" in str(screen.query_one("#summary", Static).render())
        table.move_cursor(row=table.get_row_index("BBC World"))
        await pilot.press("r")
        await wait_for(pilot, lambda: app._notifications)
        db = storage.open_db(db_file)
        (due,) = db.execute("SELECT next_due FROM feeds WHERE name = 'BBC World'").fetchone()
        db.close()
        assert due == int(NOW.timestamp())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main_screen(app))


HOSTILE = "[bold red]Pwned[/] [@click=app.quit]click me[/] \x1b[31mred\x1b[0m"


async def test_markup_in_a_title_is_shown_literally(db_file, tmp_path):
    app = make_app(db_file)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        main_screen(app).query_one(Sidebar).select("all")
        view = timeline(app)
        ingest_in_second_connection(db_file, tmp_path, [(HOSTILE, HOSTILE, NOW)])
        await wait_for(pilot, lambda: view.developments and "Pwned" in view.developments[0].title)
        row = view.render_line(1).text
        assert "[bold red]Pwned[/] [@click=app.quit]click me[/]" in row
        assert "\x1b" not in row
        detail = main_screen(app).query_one(DetailPane)
        await pilot.press("g")
        await wait_for(pilot, lambda: detail.development and "Pwned" in detail.development.title)
        await pilot.pause(0.1)
        title = detail.query_one(".title", Static)
        assert "[bold red]Pwned[/] [@click=app.quit]click me[/]" in str(title.render())
        await pilot.click(title)  # a click on the would-be link does nothing
        await pilot.pause(0.1)
        assert app.is_running
        rendered = "".join(s.text for s in title.render_lines(title.region.reset_offset))
        assert "\x1b" not in rendered
        # Search results too.
        await open_search(app, pilot)
        await pilot.press(*"pwned")
        results = app.screen.query_one(SearchResults)
        await wait_for(pilot, lambda: len(results.hits) == 1)
        prompt = results.get_option_at_index(0).prompt
        assert "[bold red]" in prompt.plain and "\x1b" not in prompt.plain


async def test_help_lists_every_binding_and_the_palette_offers_the_actions(db_file):
    app = make_app(db_file)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        commands = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Search", "Feeds", "Help", "Read/unread", "Open link", "Mark all read"} <= commands
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = str(app.screen.query_one(Static).render())
        for expected in ("Mark all read", "Refresh feed", "Search", "Edit query", "Open link"):
            assert expected in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main_screen(app))


async def test_the_dashboard_polls_its_feeds_and_shows_what_arrives(tmp_path):
    # Two local feeds (the poller reads file paths like URLs) and the shipped storylines.
    for name in ("themoscowtimes-news_2024-12-17.xml", "skynews-world_2024-12-17.xml"):
        (tmp_path / name).write_bytes((REAL_FEEDS / name).read_bytes())
    shipped = (REPO / "feeds.yaml").read_text(encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "feeds:\n"
        "  - {name: Moscow Times, url: themoscowtimes-news_2024-12-17.xml}\n"
        "  - {name: Sky News, url: skynews-world_2024-12-17.xml}\n"
        + shipped[shipped.index("\nterms:") :],
        encoding="utf-8",
    )
    db_path = tmp_path / "polled.db"
    loaded_config = load_config(config)
    db = storage.open_db(db_path)
    prepare(db, loaded_config)
    db.close()
    app = WirewatchApp(db_path, loaded_config, clock=Clock.fixed(NOW), watch_interval=0.05)
    async with app.run_test(size=SIZE) as pilot:
        view = timeline(app)
        status = main_screen(app).query_one(StatusBar)
        # Nothing stored at the start: the poller fetches, the watcher brings the rows in.
        await wait_for(pilot, lambda: len(view.developments) == 2, timeout=20)
        assert view.developments[0].title.startswith("‘Several Hundred’ North Korean")
        await wait_for(pilot, lambda: status.poll.finished_at is not None, timeout=20)
        assert (status.poll.done, status.poll.failed) == (2, 0) and status.poll.new_items > 0
        await wait_for(pilot, lambda: status.overview and status.overview.fetched == 2)
        text = str(status.render())
        assert "● 2 feeds OK" in text and "last poll just now" in text
