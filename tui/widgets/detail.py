"""The detail pane: one development in full — title, every source with its time and link,
the summary, and which storyline terms matched.

Feed text is untrusted: it only ever enters `Content` as plain text, never as markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from storage import Development, Source
from tui.clock import Clock
from tui.format import plain, relative_age


class SourceLine(Static):
    """One report of the development; a click opens its link."""

    class Clicked(Message):
        def __init__(self, source: Source) -> None:
            super().__init__()
            self.source = source

    def __init__(self, source: Source, number: int, body: Content) -> None:
        super().__init__(body, classes="source" + ("" if source.read else " -unread"))
        self.source = source
        self.number = number

    def on_click(self) -> None:
        self.post_message(self.Clicked(self.source))


def _when(clock: Clock, source: Source) -> str:
    return f"{clock.local(source.published):%a %d %b %H:%M}"


def source_content(clock: Clock, source: Source, number: int, headline: str) -> Content:
    parts: list[str | tuple[str, str]] = [
        (f"{number:>2}  ", "$text-muted"),
        (_when(clock, source), "$text-muted"),
        "  ",
        (plain(source.feed), "bold"),
    ]
    if plain(source.title) != plain(headline):
        parts += ["\n    ", (plain(source.title), "italic")]
    if source.link:
        parts += ["\n    ", (plain(source.link), "underline $text-primary")]
    return Content.assemble(*parts)


def terms_content(development: Development, titles: Mapping[str, str]) -> Content:
    if not development.terms:
        return Content.styled("In no storyline", "$text-muted")
    parts: list[str | tuple[str, str]] = []
    for slug, terms in development.terms.items():
        if parts:
            parts.append("\n")
        parts.append((plain(titles.get(slug, slug)), "bold $accent"))
        if terms:
            parts += (" — matched ", ", ".join(plain(t) for t in terms))
    return Content.assemble(*parts)


class DetailPane(VerticalScroll, can_focus=True):
    HELP_TITLE = "Detail pane"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Scroll down", show=False),
        Binding("k", "scroll_up", "Scroll up", show=False),
    ]

    development: reactive[Development | None] = reactive(None, recompose=True)

    def __init__(
        self, clock: Clock, storyline_titles: Mapping[str, str], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.storyline_titles = storyline_titles

    def compose(self) -> ComposeResult:
        development = self.development
        if development is None:
            yield Static("Nothing selected.", classes="placeholder")
            return
        yield Static(Content(plain(development.title)), classes="title")
        published = self.clock.local(development.published)
        state = "unread" if development.unread else "read"
        age = relative_age(development.published, self.clock.now())
        yield Static(
            Content.styled(f"{published:%A %d %B %Y, %H:%M} · {age} · {state}", "$text-muted"),
            classes="meta",
        )
        yield Static(terms_content(development, self.storyline_titles), classes="terms")
        count = len(development.sources)
        yield Static(
            Content.styled(f"{count} source{'s' if count != 1 else ''}", "bold"),
            classes="heading",
        )
        for number, source in enumerate(development.sources, 1):
            yield SourceLine(
                source, number, source_content(self.clock, source, number, development.title)
            )
        if development.summary:
            yield Static(Content(plain(development.summary)), classes="summary")
