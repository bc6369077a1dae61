"""Helpers for driving the dashboard in tests: a fixed clock, an app on a copy of the real
fixture database, and waiting for its workers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot

from feeds.config import load_config
from tests.conftest import REPO
from tui.app import WirewatchApp
from tui.clock import Clock
from tui.screens.main import MainScreen
from tui.screens.search import SearchScreen
from tui.widgets.sidebar import Sidebar
from tui.widgets.status_bar import StatusBar
from tui.widgets.timeline import Timeline

# The morning after the newest fixture item (2024-12-17 23:48 UTC).
NOW = datetime(2024, 12, 18, 8, 0, tzinfo=UTC)
SIZE = (120, 36)


def make_app(db_path: Path, **options) -> WirewatchApp:
    options.setdefault("poll", False)
    options.setdefault("clock", Clock.fixed(NOW))
    options.setdefault("watch_interval", 0.05)
    return WirewatchApp(db_path, load_config(REPO / "feeds.yaml"), **options)


async def wait_for(pilot: Pilot, condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds (workers and timers need real time)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await pilot.pause(0.02)
        await asyncio.sleep(0.01)


def main_screen(app: WirewatchApp) -> MainScreen:
    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


def timeline(app: WirewatchApp) -> Timeline:
    return main_screen(app).query_one(Timeline)


def loaded(app: WirewatchApp) -> bool:
    """First page shown, and the slower figures (counts, status) arrived too."""
    screen = next((s for s in app.screen_stack if isinstance(s, MainScreen)), None)
    if screen is None or not screen.is_mounted:
        return False
    return screen.ready and screen.query_one(StatusBar).overview is not None


async def open_search(app: WirewatchApp, pilot: Pilot) -> SearchScreen:
    """Press / and wait for the search screen."""
    await pilot.press("slash")
    await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
    return app.screen


async def show_all_items(app: WirewatchApp, pilot: Pilot) -> Timeline:
    """Select "All items" in the sidebar and wait for its first page."""
    main_screen(app).query_one(Sidebar).select("all")
    view = timeline(app)
    await wait_for(pilot, lambda: view.border_title == "All items" and view.developments)
    return view
