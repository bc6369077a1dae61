"""Search every stored item as you type, with the query language storylines use.

Typing restarts one exclusive worker that waits out a short pause, then parses and runs the
query: a half-typed query costs nothing, and only the last one's results are shown. A
malformed query is explained under the input, with a caret at the culprit.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, Select, Static

import storage
from feeds.errors import QueryError
from feeds.query import parse_query, to_fts5
from storage import SearchFilter
from tui.database import reported
from tui.screens.development import DevelopmentScreen
from tui.session import Session
from tui.widgets.search_results import SearchResults

PAGE = 50
DEBOUNCE = 0.25  # seconds of quiet typing before a query runs

PERIODS: list[tuple[str, timedelta | None]] = [
    ("Any time", None),
    ("Past 24 hours", timedelta(days=1)),
    ("Past 7 days", timedelta(days=7)),
    ("Past 30 days", timedelta(days=30)),
    ("Past year", timedelta(days=365)),
]
PLACEHOLDER = 'words  "a phrase"  a OR b  -word  prefix*  NEAR(a b, 5)  title:word  @group'


class SearchScreen(Screen[None]):
    HELP_TITLE = "Search"
    CSS_PATH = "search.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("down", "results", "Results", show=False),
        Binding("ctrl+l", "query", "Edit query"),
    ]

    def __init__(self, session: Session, query: str = "") -> None:
        super().__init__()
        self.session = session
        self.initial_query = query
        self._filter = SearchFilter()
        self._match: str | None = None
        self.shown: tuple[str, SearchFilter] | None = None  # what the results are for

    def compose(self) -> ComposeResult:
        titles = self.session.storyline_titles
        storylines = [(Text(title), slug) for slug, title in titles.items()]
        yield Input(self.initial_query, placeholder=PLACEHOLDER, id="query")
        yield Static("", id="error")
        with Horizontal(id="filters"):
            yield Select(
                [(Text("Every storyline"), "*"), *storylines, (Text("Untagged"), "-")],
                value="*",
                allow_blank=False,
                id="storyline",
            )
            yield Select(
                [(label, index) for index, (label, _) in enumerate(PERIODS)],
                value=0,
                allow_blank=False,
                id="period",
            )
            yield Static("", id="summary")
        yield SearchResults(self.session.clock, id="results")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        self._restart()

    @property
    def results(self) -> SearchResults:
        return self.query_one(SearchResults)

    # --- running the query ------------------------------------------------------------

    @on(Input.Changed, "#query")
    @on(Select.Changed)
    def _restart(self) -> None:
        self.run_search(self.query_one("#query", Input).value, self._current_filter())

    def _current_filter(self) -> SearchFilter:
        storyline = self.query_one("#storyline", Select).value
        period = PERIODS[int(self.query_one("#period", Select).value)][1]  # type: ignore[arg-type]
        return SearchFilter(
            storyline=storyline if storyline not in ("*", "-") else None,
            untagged=storyline == "-",
            since=self.session.clock.now() - period if period else None,
        )

    @work(exclusive=True, group="search")
    async def run_search(self, text: str, where: SearchFilter) -> None:
        await asyncio.sleep(DEBOUNCE)
        with reported(self, "Search"):  # the reader may have closed the screen meanwhile
            try:
                match = (
                    to_fts5(parse_query(text, self.session.config.terms)) if text.strip() else None
                )
            except QueryError as exc:
                self._show_error(exc)
                return
            self._show_error(None)
            hits = await self.session.reader.call(storage.search, match, where, limit=PAGE + 1)
            self._match, self._filter = match, where
            self.results.show(hits[:PAGE], has_more=len(hits) > PAGE)
            self.shown = (text, where)
            self._summarize()

    def _show_error(self, error: QueryError | None) -> None:
        label = self.query_one("#error", Static)
        if error is None:
            label.update("")
            label.remove_class("-visible")
            return
        # The caret lines up under the query text (the input has a border and padding).
        pointer = error.pointer().split("\n")[1]
        label.update(Text.assemble((f"{error}\n", "bold"), pointer))
        label.add_class("-visible")
        self.query_one("#summary", Static).update("")

    def _summarize(self) -> None:
        shown = len(self.results.hits)
        more = "+" if self.results.has_more else ""
        noun = "item" if shown == 1 and not more else "items"
        self.query_one("#summary", Static).update(
            f"{shown}{more} {noun}, newest first" if shown else "Nothing matches."
        )

    @on(SearchResults.MoreWanted)
    def _more_wanted(self, event: SearchResults.MoreWanted) -> None:
        self.load_more(self._match, self._filter, event.before_id)

    @work(exclusive=True, group="more")
    async def load_more(self, match: str | None, where: SearchFilter, before_id: int) -> None:
        paged = SearchFilter(
            storyline=where.storyline,
            untagged=where.untagged,
            since=where.since,
            until=where.until,
            before_id=before_id,
        )
        with reported(self, "Search"):
            hits = await self.session.reader.call(storage.search, match, paged, limit=PAGE + 1)
            if (match, where) == (self._match, self._filter):
                self.results.extend(hits[:PAGE], has_more=len(hits) > PAGE)
                self._summarize()

    # --- keys -------------------------------------------------------------------------

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        """Enter in the query shows the highlighted result; the list keeps the focus after."""
        hit = self.results.current
        if hit is not None:
            self.results.focus()
            self.app.push_screen(DevelopmentScreen(self.session, hit.item.id))

    @on(SearchResults.Chosen)
    def _chosen(self, event: SearchResults.Chosen) -> None:
        self.app.push_screen(DevelopmentScreen(self.session, event.hit.item.id))

    def action_results(self) -> None:
        if self.query_one("#query", Input).has_focus and self.results.hits:
            self.results.focus()

    def action_query(self) -> None:
        self.query_one("#query", Input).focus()
