"""Feed health: every feed's last fetch, status, error, items stored and items in 24 hours.

`r` asks for a feed to be fetched now by making it due: the poller, in this dashboard or in
a `wirewatch poll` elsewhere, fetches whatever is due on its next tick.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

import storage
from storage import FeedHealth
from storage.health import FAILING
from tui.clock import Clock
from tui.database import reported
from tui.format import plain, relative_age
from tui.session import Session
from tui.watcher import DatabaseChange

RELOAD_EVERY = 2.0  # seconds: at most this often after changes
TICK = 30.0

COLUMNS = ("Feed", "Status", "Last fetch", "HTTP", "Items", "24 h", "Next", "Error")

STATUS_STYLES = {
    "ok": ("OK", "green"),
    "not-modified": ("not modified", "green"),
    "error": ("failing", "bold red"),
    "dead": ("gone (410)", "bold red"),
}


def _until(clock: Clock, status: FeedHealth) -> str:
    if status.next_due is None:
        return "—"
    seconds = int((status.next_due - clock.now()).total_seconds())
    if seconds <= 0:
        return "due"
    return f"in {seconds // 60} min" if seconds < 3600 else f"in {seconds // 3600} h"


def feed_row(status: FeedHealth, clock: Clock) -> tuple[Text, ...]:
    label, style = STATUS_STYLES.get(status.status or "", ("never fetched", "dim"))
    if status.status in FAILING and status.failures > 1:
        label += f" ×{status.failures}"
    if not status.in_config:  # its items stay; it is not polled
        label, style = "not in feeds.yaml", "dim italic"
    name = Text(plain(status.name), style="" if status.in_config else "dim")
    return (
        name,
        Text(label, style=style),
        Text(relative_age(status.last_fetch, clock.now()) if status.last_fetch else "—"),
        Text(str(status.http_status) if status.http_status else "—"),
        Text(str(status.items), justify="right"),
        Text(str(status.items_24h), justify="right"),
        Text(_until(clock, status) if status.in_config else "—"),
        Text(plain(status.last_error or ""), style="red"),
    )


class FeedsScreen(Screen[None]):
    HELP_TITLE = "Feeds"
    CSS_PATH = "feeds.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("r", "refresh_feed", "Refresh feed"),
        Binding("R", "refresh_all", "Refresh all"),
        Binding("j", "cursor_down", "Next feed", show=False),
        Binding("k", "cursor_up", "Previous feed", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.statuses: list[FeedHealth] = []
        self._stale = False

    def compose(self) -> ComposeResult:
        yield Static("Feeds", id="heading")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="feeds")
        yield Static("", id="summary")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        table.focus()
        self.load()
        self.session.changes.subscribe(self, self._changed)
        self.set_interval(RELOAD_EVERY, self._reload_if_stale)
        self.set_interval(TICK, self.load)

    def _changed(self, change: DatabaseChange) -> None:
        self._stale = True

    def _reload_if_stale(self) -> None:
        if self._stale:
            self._stale = False
            self.load()

    @work(exclusive=True, group="feeds")
    async def load(self) -> None:
        with reported(self, "Feeds"):
            statuses = await self.session.stats.call(
                storage.feed_health, self.session.clock.now(), configured_only=False
            )
            # Configured feeds first: the ones the reader can do something about.
            self.show(sorted(statuses, key=lambda s: (not s.in_config, s.name.casefold())))

    def show(self, statuses: Sequence[FeedHealth]) -> None:
        table = self.query_one(DataTable)
        current = self.current
        self.statuses = list(statuses)
        table.clear()
        for status in self.statuses:
            table.add_row(*feed_row(status, self.session.clock), key=status.name)
        if current is not None and current.name in {s.name for s in self.statuses}:
            table.move_cursor(row=table.get_row_index(current.name), animate=False)
        configured = [s for s in self.statuses if s.in_config]
        failing = sum(s.status in FAILING for s in configured)
        self.query_one("#summary", Static).update(
            f"{len(configured)} feeds in feeds.yaml, {failing} failing · "
            f"{sum(s.items for s in self.statuses)} items stored"
        )

    @property
    def current(self) -> FeedHealth | None:
        table = self.query_one(DataTable)
        if not self.statuses or table.cursor_row < 0 or table.cursor_row >= len(self.statuses):
            return None
        return self.statuses[table.cursor_row]

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()

    def action_refresh_feed(self) -> None:
        status = self.current
        if status is None:
            return
        if not status.in_config:
            self.notify(f"{plain(status.name)} is not in feeds.yaml.", markup=False)
            return
        if status.dead:
            self.notify(
                f"{plain(status.name)} is gone (410): edit its feeds.yaml entry to poll it again.",
                markup=False,
            )
            return
        self.request_fetch([status.name])

    def action_refresh_all(self) -> None:
        self.request_fetch([s.name for s in self.statuses if s.in_config and not s.dead])

    @work(group="refresh")
    async def request_fetch(self, names: list[str]) -> None:
        with reported(self, "Refresh"):
            await self.session.reader.call(storage.request_fetch, names, self.session.clock.now())
        what = plain(names[0]) if len(names) == 1 else f"{len(names)} feeds"
        if self.session.polling:
            self.notify(f"Fetching {what} now.", markup=False)
        else:
            self.notify(
                f"{what} marked due: polling is off here, so the next `wirewatch poll` fetches it.",
                markup=False,
            )
        self._stale = True
