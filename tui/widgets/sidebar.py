"""The sidebar: every view the timeline can show, with unread counts and a 14-day sparkline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.format import compact_count, plain, sparkline
from tui.views import View

ACTIVITY_DAYS = 14


def entry(view: View, unread: int | None, daily: Sequence[int] | None) -> Content:
    """The unread count and title, the sparkline under the title, and a blank line (the
    option list ignores vertical padding)."""
    count = "" if unread is None else compact_count(unread)
    count_style = "bold $accent" if unread else "$text-muted"
    first = Content.assemble((f"{count:>4} ", count_style), plain(view.title))
    if daily is None:
        return Content.assemble(first, "\n")
    bars = [
        (bar, "$accent" if value else "$foreground 20%")
        for bar, value in zip(sparkline(daily), daily, strict=True)
    ]
    return Content.assemble(first, "\n     ", *bars, "\n")


class Sidebar(OptionList):
    HELP_TITLE = "Storylines (sidebar)"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Next storyline", show=False),
        Binding("k", "cursor_up", "Previous storyline", show=False),
    ]

    class Selected(Message):
        """The reader moved to a view (`confirmed`: and pressed Enter on it)."""

        def __init__(self, view: View, confirmed: bool = False) -> None:
            super().__init__()
            self.view = view
            self.confirmed = confirmed

    def __init__(self, views: Sequence[View], *, id: str | None = None) -> None:
        self.views = {view.key: view for view in views}
        self._unread: Mapping[str | None, int] = {}
        self._daily: Mapping[str | None, Sequence[int]] = {}
        super().__init__(*(Option(entry(v, None, None), id=v.key) for v in views), id=id)

    @property
    def selected(self) -> View | None:
        option = self.highlighted_option
        return None if option is None or option.id is None else self.views[option.id]

    def select(self, key: str) -> None:
        self.highlighted = self.get_option_index(key)

    def set_views(self, views: Sequence[View]) -> None:
        """Show `views` instead, staying on the selected one if it is still there (else on
        the first); says Selected only when what is selected changed."""
        before = self.selected
        self.views = {view.key: view for view in views}
        after = self.views.get(before.key) if before is not None else None
        after = after or views[0]
        # Rebuilding the list moves the highlight through other options: not the reader.
        with self.prevent(OptionList.OptionHighlighted):
            self.clear_options()
            self.add_options(Option(self._entry(v), id=v.key) for v in views)
            self.highlighted = self.get_option_index(after.key)
        if after != before:
            self.post_message(self.Selected(after))

    def set_figures(
        self, unread: Mapping[str | None, int], daily: Mapping[str | None, Sequence[int]]
    ) -> None:
        """Unread counts and per-day activity, keyed as `View.count_key`."""
        self._unread, self._daily = unread, daily
        for view in self.views.values():
            self.replace_option_prompt(view.key, self._entry(view))

    def _entry(self, view: View) -> Content:
        return entry(view, self._unread.get(view.count_key, 0), self._daily.get(view.count_key))

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_id is not None:
            self.post_message(self.Selected(self.views[event.option_id]))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id is not None:
            self.post_message(self.Selected(self.views[event.option_id], confirmed=True))
