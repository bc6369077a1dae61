"""The dashboard app: owns the database threads, the watcher and the poller; wires screens.

Everything slow runs off the event loop: queries on two database threads (`reader` for what
the reader waits on, `stats` for counts), the watcher and the poller on thread workers. They
report back with messages; the app turns database changes into the `changes` signal that
screens subscribe to, and poll events into the status bar's `PollStatus`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.signal import Signal

import storage
from feeds.config import Config
from tui import poll_worker
from tui.clock import Clock
from tui.database import DatabaseThread
from tui.messages import DatabaseChanged, PollReported, PollUnavailable, WatchFailed
from tui.poll_worker import PollStatus
from tui.screens.feeds import FeedsScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.search import SearchScreen
from tui.session import Session
from tui.watcher import DatabaseChange, watch


class WirewatchApp(App[None]):
    TITLE = "wirewatch"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("slash", "search", "Search"),
        Binding("f", "feeds", "Feeds"),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(
        self,
        db_path: Path,
        config: Config,
        *,
        poll: bool = True,
        clock: Clock | None = None,
        note: str = "",
        watch_interval: float = 0.5,
    ) -> None:
        super().__init__()
        self.db_path = db_path
        self.config = config
        self.watch_interval = watch_interval
        self.poll_status = PollStatus() if poll else poll_worker.OFF
        self.changes: Signal[DatabaseChange] = Signal(self, "database-changed")
        self.session = Session(
            reader=DatabaseThread(db_path, "reader"),
            stats=DatabaseThread(db_path, "stats"),
            clock=clock or Clock(),
            config=config,
            changes=self.changes,
            polling=poll,
            storyline_titles={s.slug: s.title for s in config.storylines},
            note=note,
        )
        self._stop = threading.Event()

    def on_mount(self) -> None:
        # Read where the watcher starts before the first timeline query is queued behind it
        # on the same thread: whatever commits in between is reported, never lost.
        start = self.session.reader.submit(storage.latest_seq)
        self.push_screen(MainScreen(self.session))
        self.run_worker(self._watch_from(start), name="watch", exit_on_error=False)
        if self.poll_status.enabled:
            self.run_worker(
                partial(
                    poll_worker.run_polls,
                    self.config.path,
                    self.db_path,
                    self._stop,
                    lambda event: self.post_message(PollReported(event)),
                    lambda reason: self.post_message(PollUnavailable(reason)),
                ),
                name="poll",
                thread=True,
                exit_on_error=False,
            )

    async def _watch_from(self, start: Future[int]) -> None:
        seq = await asyncio.wrap_future(start)
        self.run_worker(
            partial(
                watch,
                self.db_path,
                seq,
                lambda change: self.post_message(DatabaseChanged(change)),
                self._stop,
                self.watch_interval,
                lambda error: self.post_message(WatchFailed(error)),
            ),
            name="watcher",
            thread=True,
            exit_on_error=False,
        )

    def on_unmount(self) -> None:
        self._stop.set()
        self.session.reader.close()
        self.session.stats.close()

    # --- messages from the workers ----------------------------------------------------

    @on(DatabaseChanged)
    def _database_changed(self, message: DatabaseChanged) -> None:
        self.changes.publish(message.change)

    @on(WatchFailed)
    def _watch_failed(self, message: WatchFailed) -> None:
        self.notify(message.error, title="Watching the database", severity="warning", markup=False)

    @on(PollReported)
    def _poll_reported(self, message: PollReported) -> None:
        from feeds.poller import ConfigReloaded  # loaded by now: the poller sent this

        if isinstance(message.event, ConfigReloaded):
            self.notify(
                f"{message.event.feeds} feeds, {message.event.storylines} storylines.",
                title="feeds.yaml reloaded",
                markup=False,
            )
        self.poll_status = poll_worker.apply(
            self.poll_status, message.event, self.session.clock.now()
        )
        self._main_screen().show_poll_status(self.poll_status)

    @on(PollUnavailable)
    def _poll_unavailable(self, message: PollUnavailable) -> None:
        self.poll_status = PollStatus(unavailable=message.reason)
        self._main_screen().show_poll_status(self.poll_status)

    def _main_screen(self) -> MainScreen:
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    # --- actions ----------------------------------------------------------------------

    def action_search(self) -> None:
        if not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen(self.session))

    def action_feeds(self) -> None:
        if not isinstance(self.screen, FeedsScreen):
            self.push_screen(FeedsScreen(self.session))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key binding of the screen, so the palette offers all that keys do."""
        yield from super().get_system_commands(screen)
        seen = {"quit"}
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen or binding.system:
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                f"{binding.description} (key: {active.binding.key_display or binding.key})",
                partial(self.run_action, binding.action, active.node),
            )
