"""Search results: one entry per item, newest first, matched words highlighted, a page at a
time (the next page is asked for as the reader nears the end)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from feeds.text import strip_controls
from storage import SearchHit
from tui.clock import Clock
from tui.format import marked_spans

PREFETCH = 15  # entries from the end at which the next page is asked for
MATCH_STYLE = "bold reverse $accent"


def marked_content(marked: str, style: str = "") -> Content:
    """Text whose matched words are between MARK_START and MARK_END, as styled Content."""
    matched_style = f"{style} {MATCH_STYLE}".strip()
    return Content.assemble(
        *(
            (text, matched_style if matched else style)
            for text, matched in marked_spans(marked)
            if text
        )
    )


def hit_content(hit: SearchHit, clock: Clock) -> Content:
    item = hit.item
    head = Content.assemble(
        (f"{clock.local(item.published):%Y-%m-%d %H:%M}  ", "$text-muted"),
        (strip_controls(item.feed), "bold"),
        "  ",
        marked_content(hit.title, "" if item.read else "bold"),
    )
    # The trailing newline leaves a blank line between results (the option list ignores
    # vertical padding).
    if not hit.snippet:
        return Content.assemble(head, "\n")
    return Content.assemble(head, "\n", marked_content(hit.snippet, "$text-muted"), "\n")


class SearchResults(OptionList):
    HELP_TITLE = "Search results"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Next result", show=False),
        Binding("k", "cursor_up", "Previous result", show=False),
    ]

    class Chosen(Message):
        def __init__(self, hit: SearchHit) -> None:
            super().__init__()
            self.hit = hit

    class MoreWanted(Message):
        def __init__(self, before_id: int) -> None:
            super().__init__()
            self.before_id = before_id

    def __init__(self, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.hits: list[SearchHit] = []
        self.has_more = False
        self._waiting = False

    def show(self, hits: Sequence[SearchHit], has_more: bool) -> None:
        self.hits = list(hits)
        self.has_more = has_more
        self._waiting = False
        self.set_options(self._options_for(self.hits))
        self.highlighted = 0 if self.hits else None
        self.scroll_home(animate=False)

    def extend(self, hits: Sequence[SearchHit], has_more: bool) -> None:
        known = {h.item.id for h in self.hits}
        fresh = [h for h in hits if h.item.id not in known]
        self.hits.extend(fresh)
        self.has_more = has_more
        self._waiting = False
        self.add_options(self._options_for(fresh))

    def _options_for(self, hits: Sequence[SearchHit]) -> list[Option]:
        return [Option(hit_content(hit, self.clock)) for hit in hits]

    @property
    def current(self) -> SearchHit | None:
        index = self.highlighted
        return self.hits[index] if index is not None and index < len(self.hits) else None

    def _want_more(self) -> None:
        if self.has_more and not self._waiting and self.hits:
            self._waiting = True
            self.post_message(self.MoreWanted(self.hits[-1].item.id))

    @on(OptionList.OptionHighlighted)
    def _near_end(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_index >= len(self.hits) - PREFETCH:
            self._want_more()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new >= self.max_scroll_y - PREFETCH:  # the mouse wheel, too, reaches the end
            self._want_more()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self.hits[event.option_index]))
