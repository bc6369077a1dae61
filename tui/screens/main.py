"""The main screen: storylines on the left, the selected timeline, the highlighted development.

It wires its widgets and does their I/O in workers: widgets only show what they are given
and say what the reader did. Live changes come from the session's `changes` signal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer

import storage
from storage import Development
from tui import poll_worker, views
from tui.database import reported
from tui.figures import sidebar_figures
from tui.format import plain
from tui.poll_worker import PollStatus
from tui.screens.confirm import ConfirmScreen
from tui.session import Session
from tui.views import View
from tui.watcher import DatabaseChange
from tui.widgets.detail import DetailPane, SourceLine
from tui.widgets.sidebar import Sidebar
from tui.widgets.status_bar import StatusBar
from tui.widgets.timeline import Timeline

PAGE = 100
FIGURES_EVERY = 3.0  # seconds: at most this often are counts re-read, and toasts shown
TICK = 30.0  # seconds: relative ages and the status bar move on


class MainScreen(Screen[None]):
    HELP_TITLE = "Dashboard"
    CSS_PATH = "main.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "toggle_read", "Read/unread"),
        Binding("o", "open_link", "Open link"),
        Binding("M", "mark_all_read", "Mark all read"),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.views: list[View] = views.lineup(session.storyline_titles)
        self.view: View = self.views[1] if session.storyline_titles else views.ALL
        self._figures_stale = True
        self.figures_shown = False  # the counts and sparklines arrived at least once
        self._arrived_while_loading: list[Development] | None = None
        self._unseen: Counter[str] = Counter()  # new items in other storylines, not yet told
        self._today = session.clock.today()

    def compose(self) -> ComposeResult:
        clock = self.session.clock
        with Horizontal(id="body"):
            yield Sidebar(self.views, id="sidebar")
            with Vertical(id="reading"):
                yield Timeline(clock, id="timeline")
                yield DetailPane(clock, self.session.storyline_titles, id="detail")
        yield StatusBar(clock, id="status")
        yield Footer()

    @property
    def timeline(self) -> Timeline:
        return self.query_one(Timeline)

    @property
    def ready(self) -> bool:
        """The first page is shown and so are the figures (for screenshots and tests)."""
        return self.figures_shown and bool(self.timeline.developments)

    def on_mount(self) -> None:
        status = self.query_one(StatusBar)
        status.note = self.session.note
        status.poll = PollStatus() if self.session.polling else poll_worker.OFF
        self.query_one(Sidebar).select(self.view.key)
        self.timeline.focus()
        self.session.changes.subscribe(self, self.on_database_change)
        self.set_interval(FIGURES_EVERY, self._every_few_seconds)
        self.set_interval(TICK, self._tick)

    # --- loading ----------------------------------------------------------------------

    @on(Sidebar.Selected)
    def _view_selected(self, event: Sidebar.Selected) -> None:
        if event.view != self.view or not self.timeline.developments:
            self.view = event.view
            # Content, not a str: a str border title would be parsed as markup.
            self.timeline.border_title = Content(plain(event.view.title))
            self.load_view(event.view)
        if event.confirmed:
            self.timeline.focus()

    @work(exclusive=True, group="timeline")
    async def load_view(self, view: View) -> None:
        # Changes reported while the page is read may be newer than it: kept, then merged.
        self._arrived_while_loading = []
        with reported(self, "Timeline"):
            page = await self.session.reader.call(view.page, None, PAGE + 1)
            if view != self.view:
                return
            empty = (
                "No developments yet." if view.slug is None else "Nothing in this storyline yet."
            )
            self.timeline.show(page[:PAGE], has_more=len(page) > PAGE, empty=empty)
            arrived, self._arrived_while_loading = self._arrived_while_loading, None
            if arrived:
                self.timeline.merge(arrived, view.contains)
            if self._figures_stale:
                # First paint done: now the slower counts.
                self._refresh_figures_if_stale()

    @on(Timeline.MoreWanted)
    def _more_wanted(self, event: Timeline.MoreWanted) -> None:
        self.load_more(self.view, event.before)

    @work(exclusive=True, group="more")
    async def load_more(self, view: View, before: int) -> None:
        with reported(self, "Timeline"):
            page = await self.session.reader.call(view.page, before, PAGE + 1)
            if view == self.view:
                self.timeline.extend(page[:PAGE], has_more=len(page) > PAGE)

    def _every_few_seconds(self) -> None:
        self._toast_other_storylines()
        self._refresh_figures_if_stale()

    def _refresh_figures_if_stale(self) -> None:
        if self._figures_stale:
            self._figures_stale = False
            self.refresh_figures()

    @work(exclusive=True, group="figures")
    async def refresh_figures(self) -> None:
        session = self.session
        with reported(self, "Counts"):
            overview = await session.stats.call(storage.overview, session.clock.start_of_today())
            self.query_one(StatusBar).overview = overview
            figures = await session.stats.call(sidebar_figures, session.clock)
            if figures.storylines != session.storyline_titles:
                self._show_storylines(figures.storylines)
            self.query_one(Sidebar).set_figures(figures.unread, figures.daily)
            self.figures_shown = True

    def _show_storylines(self, titles: dict[str, str]) -> None:
        """Storylines added, renamed or removed in feeds.yaml while the dashboard runs."""
        ordered = views.keep_order(list(self.session.storyline_titles), titles)
        # In place: the detail panes and the toasts read the same mapping.
        self.session.storyline_titles.clear()
        self.session.storyline_titles.update(ordered)
        self.views = views.lineup(ordered)
        self.query_one(Sidebar).set_views(self.views)

    def show_poll_status(self, poll: PollStatus) -> None:
        self.query_one(StatusBar).poll = poll

    def _tick(self) -> None:
        self.timeline.refresh()
        self.query_one(StatusBar).refresh()
        today = self.session.clock.today()
        if today != self._today:  # "items today" and the sparklines move on at midnight
            self._today = today
            self._figures_stale = True

    # --- live changes -----------------------------------------------------------------

    def on_database_change(self, change: DatabaseChange) -> None:
        self._figures_stale = True
        if change.reload:
            self.load_view(self.view)
        elif change.developments:
            self.timeline.merge(change.developments.values(), self.view.contains)
            if self._arrived_while_loading is not None:
                self._arrived_while_loading.extend(change.developments.values())
        titles = self.session.storyline_titles
        for slug, count in change.changes.new_items.items():
            if slug is not None and slug in titles and slug != self.view.slug:
                self._unseen[slug] += count

    def _toast_other_storylines(self) -> None:
        """One toast for what arrived elsewhere since the last: a busy poll commits often."""
        if not self._unseen:
            return
        titles = self.session.storyline_titles
        news = [f"{plain(titles[slug])} +{count}" for slug, count in sorted(self._unseen.items())]
        self._unseen.clear()
        self.notify(", ".join(news), title="New in other storylines", markup=False)

    # --- reading ----------------------------------------------------------------------

    @on(Timeline.Highlighted)
    def _highlighted(self, event: Timeline.Highlighted) -> None:
        self.query_one(DetailPane).development = event.development

    @on(Timeline.Opened)
    def _opened(self, event: Timeline.Opened) -> None:
        self.query_one(DetailPane).focus()
        if event.development.unread:
            self.set_read([event.development], True)

    @on(SourceLine.Clicked)
    def _source_clicked(self, event: SourceLine.Clicked) -> None:
        if event.source.link:
            self.app.open_url(event.source.link)
        development = self.timeline.highlighted
        if development is not None and development.unread:
            self.set_read([development], True)

    def action_open_link(self) -> None:
        development = self.timeline.highlighted
        if development is None:
            return
        if development.link:
            self.app.open_url(development.link)
        else:
            self.notify("This development has no link.", severity="warning")
        if development.unread:
            self.set_read([development], True)

    def action_toggle_read(self) -> None:
        development = self.timeline.highlighted
        if development is not None:
            self.set_read([development], development.unread)

    @work(group="marks")
    async def set_read(self, developments: Sequence[Development], read: bool) -> None:
        reader = self.session.reader
        ids = [d.id for d in developments]
        with reported(self, "Marking read"):
            await reader.call(storage.mark_developments_read, ids, read)
            fresh = await reader.call(storage.load_developments, ids)
            self.timeline.merge(fresh.values(), self.view.contains)
            self._figures_stale = True

    def action_mark_all_read(self) -> None:
        view = self.view
        question = f"Mark every item in “{plain(view.title)}” as read?"
        self.app.push_screen(
            ConfirmScreen(question), lambda yes: self.mark_all_read(view) if yes else None
        )

    @work(group="marks")
    async def mark_all_read(self, view: View) -> None:
        reader = self.session.reader
        with reported(self, "Marking read"):
            await reader.call(view.mark_all_read)
            ids = [d.id for d in self.timeline.developments]
            fresh = await reader.call(storage.load_developments, ids)
            if view == self.view:
                self.timeline.merge(fresh.values(), self.view.contains)
            self._figures_stale = True
            self._refresh_figures_if_stale()

    def action_back(self) -> None:
        if self.query_one(DetailPane).has_focus_within:
            self.timeline.focus()
        elif self.timeline.has_focus:
            self.query_one(Sidebar).focus()
