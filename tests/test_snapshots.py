"""Snapshots of the main, search and feeds screens: the real fixture database, a fixed clock
and a fixed terminal size. Review a change with `pytest --snapshot-update` and the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dashboard import SIZE, loaded, make_app, wait_for
from tui.screens.feeds import FeedsScreen
from tui.screens.search import SearchScreen


@pytest.fixture
def db_file(real_db_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "snapshot.db"
    path.write_bytes(real_db_template.read_bytes())
    return path


def test_main_screen(snap_compare, db_file):
    app = make_app(db_file)

    async def ready(pilot):
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("j")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_main_screen_in_the_light_theme(snap_compare, db_file):
    """Colours come from the theme: text stays readable on a light background."""
    app = make_app(db_file)
    app.theme = "textual-light"

    async def ready(pilot):
        await wait_for(pilot, lambda: loaded(app))

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_search_screen(snap_compare, db_file):
    app = make_app(db_file)

    async def searched(pilot):
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("slash", *"kazan OR pyongyang")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.shown and screen.shown[0] == "kazan OR pyongyang")

    assert snap_compare(app, terminal_size=SIZE, run_before=searched)


def test_feeds_screen(snap_compare, db_file):
    app = make_app(db_file)

    async def feeds(pilot):
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedsScreen) and app.screen.statuses)

    assert snap_compare(app, terminal_size=SIZE, run_before=feeds)
