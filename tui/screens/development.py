"""One development in full, over whatever screen opened it (a search result, for one).

Opening it marks it read, as opening a row of the timeline does.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer

import storage
from tui.database import reported
from tui.session import Session
from tui.widgets.detail import DetailPane, SourceLine


class DevelopmentScreen(ModalScreen[None]):
    HELP_TITLE = "Development"
    CSS_PATH = "modal.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Back"),
        Binding("o", "open_link", "Open link"),
        Binding("m", "toggle_read", "Read/unread"),
    ]

    def __init__(self, session: Session, item_id: int) -> None:
        super().__init__()
        self.session = session
        self.item_id = item_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield DetailPane(self.session.clock, self.session.storyline_titles)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DetailPane).focus()
        self.load(mark_read=True)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @work(exclusive=True)
    async def load(self, mark_read: bool = False, read: bool = True) -> None:
        reader = self.session.reader
        with reported(self, "Loading"):
            development = await reader.call(storage.development_of_item, self.item_id)
            if development is None:
                self.notify("That item is no longer stored.", severity="warning")
                self.dismiss()
                return
            if mark_read and development.unread == read:
                await reader.call(storage.mark_developments_read, [development.id], read)
                development = await reader.call(storage.development_of_item, self.item_id)
            self.detail.development = development

    def action_toggle_read(self) -> None:
        development = self.detail.development
        if development is not None:
            self.load(mark_read=True, read=development.unread)

    def action_open_link(self) -> None:
        development = self.detail.development
        if development is not None and development.link:
            self.app.open_url(development.link)

    @on(SourceLine.Clicked)
    def _source_clicked(self, event: SourceLine.Clicked) -> None:
        if event.source.link:
            self.app.open_url(event.source.link)
