"""The timeline: one line per development, newest first, under day headings.

A Line API widget (like toolong's log view): it renders only the lines on screen, whatever
the number of developments loaded, and it holds only the pages the reader has scrolled to.
Data comes down from the screen (`show`, `extend`, `merge`); the widget asks for more with
`MoreWanted` as the reader nears the end, and says what is highlighted or opened.

Rows that arrive while the reader is scrolled down are filed above without moving the view;
at the very top they slide in, and the highlighted development stays highlighted either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from storage import Development
from tui.clock import Clock
from tui.format import day_heading, plain, relative_age, sources_label
from tui.widgets.timeline_rows import Heading, Row, layout, merge

# Ask for the next page when the cursor or the view comes this close to the last loaded row.
PREFETCH_ROWS = 30
WIDE = 76  # from this width on, rows show the relative age too
WIDER = 110  # and from this one, more of the source's name


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` cells with an ellipsis, or padded to it."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def _sources_cell(feeds: Sequence[str], width: int) -> str:
    """'BBC World +3' in `width` cells: the first feed's name gives way, never the count."""
    label = sources_label(feeds)
    if cell_len(label) <= width or len(feeds) < 2:
        return _fit(label, width)
    more = f" +{len(feeds) - 1}"
    return _fit(plain(feeds[0]), width - len(more)) + more


class Timeline(ScrollView, can_focus=True):
    HELP_TITLE = "Timeline"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Next", show=False),
        Binding("up,k", "cursor_up", "Previous", show=False),
        Binding("pagedown,ctrl+d", "page_down", "Page down", show=False),
        Binding("pageup,ctrl+u", "page_up", "Page up", show=False),
        Binding("home,g", "first", "Newest", show=False),
        Binding("end,G", "last", "Oldest loaded", show=False),
        Binding("enter", "open", "Open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--heading",
        "timeline--rule",
        "timeline--time",
        "timeline--age",
        "timeline--source",
        "timeline--unread",
        "timeline--read",
        "timeline--marker",
        "timeline--cursor",
        "timeline--empty",
    }

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        def __init__(self, development: Development | None) -> None:
            super().__init__()
            self.development = development

    class Opened(Message):
        def __init__(self, development: Development) -> None:
            super().__init__()
            self.development = development

    class MoreWanted(Message):
        """The reader nears the end of what is loaded: send the page before `before`."""

        def __init__(self, before: int) -> None:
            super().__init__()
            self.before = before

    def __init__(self, clock: Clock, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.clock = clock
        self._developments: list[Development] = []
        self._rows: list[Row] = []
        self._row_of: dict[int, int] = {}
        self.has_more = False
        self._waiting_for_more = False
        self._announced: Development | None = None
        self._new_above = 0
        self.empty_message = "Loading…"

    # --- data down -------------------------------------------------------------------

    @property
    def developments(self) -> Sequence[Development]:
        return self._developments

    @property
    def highlighted(self) -> Development | None:
        row = self._rows[self.cursor] if 0 <= self.cursor < len(self._rows) else None
        return row if isinstance(row, Development) else None

    def show(self, developments: Sequence[Development], has_more: bool, empty: str = "") -> None:
        """Replace everything: a new storyline, or a reload. The view goes to the top."""
        self.empty_message = empty or "Nothing here yet."
        self.has_more = has_more
        self._waiting_for_more = False
        self._new_above = 0
        self._set_developments(list(developments))
        self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor = self._first_development_row(0)
        self._update_subtitle()

    def extend(self, developments: Sequence[Development], has_more: bool) -> None:
        """Append the next page (older developments)."""
        known = {d.id for d in self._developments}
        self.has_more = has_more
        self._waiting_for_more = False
        self._relayout(self._developments + [d for d in developments if d.id not in known])

    def merge(self, changed: Iterable[Development], belongs: Callable[[Development], bool]) -> int:
        """Apply live changes; returns how many developments are new to this view."""
        before = {d.id for d in self._developments}
        oldest = self._developments[-1].key if self.has_more and self._developments else None
        merged = merge(self._developments, changed, belongs, oldest)
        added = {d.id for d in merged if d.id not in before}
        self._relayout(merged, added)
        return len(added)

    # --- layout and anchoring -----------------------------------------------------------

    def _set_developments(self, developments: list[Development]) -> None:
        self._developments = developments
        self._rows = layout(developments, self.clock.local)
        self._row_of = {
            row.id: index for index, row in enumerate(self._rows) if isinstance(row, Development)
        }
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))
        self.refresh()

    def _anchor(self) -> tuple[int | None, int]:
        """The development at (or just below) the top of the view, and its line on screen."""
        top = round(self.scroll_y)
        for index in range(top, len(self._rows)):
            row = self._rows[index]
            if isinstance(row, Development):
                return row.id, index - top
        return None, 0

    def _successor(self, development: Development | None) -> int | None:
        """The row now showing `development`: itself, or the one that absorbed its items."""
        if development is None:
            return None
        if development.id in self._row_of:
            return self._row_of[development.id]
        items = {s.item_id for s in development.sources}
        for row, candidate in enumerate(self._rows):
            if isinstance(candidate, Development) and any(
                s.item_id in items for s in candidate.sources
            ):
                return row
        return None

    def _relayout(self, developments: list[Development], added: set[int] = frozenset()) -> None:
        top = round(self.scroll_y)
        anchor_id, anchor_line = self._anchor()
        anchor = self._rows[self._row_of[anchor_id]] if anchor_id is not None else None
        highlighted = self.highlighted
        old_cursor = self.cursor
        self._set_developments(developments)
        cursor = self._successor(highlighted)
        if cursor is None:
            cursor = self._first_development_row(min(old_cursor, max(0, len(self._rows) - 1)))
        height = self.scrollable_content_region.height
        anchor_row = self._successor(anchor)  # type: ignore[arg-type]
        if top == 0 and cursor < height:
            new_top = 0  # at the top, new rows slide in above the cursor
        elif anchor_row is not None:
            new_top = max(0, anchor_row - anchor_line)
            self._new_above += sum(1 for i in added if self._row_of[i] < new_top)
        else:
            new_top = top
        self.scroll_to(y=new_top, animate=False, immediate=True)
        self.set_reactive(Timeline.cursor, cursor)
        self._announce_highlight()
        self._update_subtitle()

    def _first_development_row(self, start: int) -> int:
        for index in range(start, len(self._rows)):
            if isinstance(self._rows[index], Development):
                return index
        for index in range(min(start, len(self._rows) - 1), -1, -1):
            if isinstance(self._rows[index], Development):
                return index
        return 0

    def _update_subtitle(self) -> None:
        if self._new_above and round(self.scroll_y) > 0:
            self.border_subtitle = f"↑ {self._new_above} new above (g: go to newest)"
        else:
            self._new_above = 0
            self.border_subtitle = ""

    # --- cursor and paging ------------------------------------------------------------

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, len(self._rows) - 1)) if self._rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        if self._rows:
            # Bring the day heading into view with the first development under it.
            above = new > 0 and isinstance(self._rows[new - 1], Heading)
            region = Region(0, new - 1, 1, 2) if above else Region(0, new, 1, 1)
            self.scroll_to_region(region, animate=False, immediate=True)
        self._announce_highlight()
        self._want_more()

    def _announce_highlight(self) -> None:
        # Compared by value: the same development may come back changed (a new source, read).
        development = self.highlighted
        if development != self._announced:
            self._announced = development
            self.post_message(self.Highlighted(development))

    def _want_more(self) -> None:
        if not self.has_more or self._waiting_for_more or not self._developments:
            return
        height = self.scrollable_content_region.height
        near_end = len(self._rows) - PREFETCH_ROWS
        if self.cursor >= near_end or round(self.scroll_y) + height >= near_end:
            self._waiting_for_more = True
            self.post_message(self.MoreWanted(self._developments[-1].key))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if round(new) == 0 and self._new_above:
            self._update_subtitle()
        self._want_more()

    def _step(self, direction: int) -> None:
        index = self.cursor + direction
        while 0 <= index < len(self._rows) and not isinstance(self._rows[index], Development):
            index += direction
        if 0 <= index < len(self._rows):
            self.cursor = index
        elif direction < 0:
            self.scroll_to(y=0, animate=False)  # show the heading above the first row

    def action_cursor_down(self) -> None:
        self._step(1)

    def action_cursor_up(self) -> None:
        self._step(-1)

    def action_page_down(self) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.cursor = self._first_development_row(self.cursor + height)

    def action_page_up(self) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        target = max(0, self.cursor - height)
        row = target
        while row > 0 and not isinstance(self._rows[row], Development):
            row -= 1
        self.cursor = (
            row if isinstance(self._rows[row], Development) else self._first_development_row(0)
        )

    def action_first(self) -> None:
        self.cursor = self._first_development_row(0)
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_last(self) -> None:
        self.cursor = self._first_development_row(len(self._rows) - 1)

    def action_open(self) -> None:
        development = self.highlighted
        if development is not None:
            self.post_message(self.Opened(development))

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_y) + event.y
        if not (0 <= index < len(self._rows)) or not isinstance(self._rows[index], Development):
            return
        if index == self.cursor and event.chain >= 2:
            self.action_open()
        self.cursor = index

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))

    # --- rendering --------------------------------------------------------------------

    def _style(self, *names: str) -> Style:
        # Whole styles, not partial ones: $text and $text-muted are "auto" colours, which only
        # resolve against the background (a partial style would guess, and guess wrong in
        # the light theme).
        return self.get_component_rich_style(*names)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = round(self.scroll_y) + y
        if not self._rows:
            text = self.empty_message if y == 1 else ""
            return Strip([Segment(_fit("  " + text, width), self._style("timeline--empty"))])
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        if isinstance(row, Heading):
            return self._heading_line(row, width, base)
        return self._development_line(row, width, base, index == self.cursor)

    def _heading_line(self, heading: Heading, width: int, base: Style) -> Strip:
        label = f" {day_heading(heading.day, self.clock.today())} "
        label = _fit(label, min(width, cell_len(label)))
        rule = "─" * max(0, width - cell_len(label) - 1)
        return Strip(
            [
                Segment("─", self._style("timeline--rule")),
                Segment(label, self._style("timeline--heading")),
                Segment(rule, self._style("timeline--rule")),
            ],
            width,
        ).crop_extend(0, width, base)

    def _development_line(
        self, development: Development, width: int, base: Style, is_cursor: bool
    ) -> Strip:
        cursor = self._style("timeline--cursor") if is_cursor else Style()
        line = base + cursor if is_cursor else base

        def part(text: str, *names: str) -> Segment:
            return Segment(text, self._style(*names) + cursor)

        unread = development.unread
        now = self.clock.now()
        segments = [
            part(" ● " if unread else "   ", "timeline--marker"),
            part(f"{self.clock.local(development.published):%H:%M}  ", "timeline--time"),
        ]
        used = 3 + 7
        if width >= WIDE:
            segments.append(
                part(f"{relative_age(development.published, now):>11}  ", "timeline--age")
            )
            used += 13
        source_width = 24 if width >= WIDER else 16
        source = _sources_cell(development.feeds, source_width) + "  "
        segments.append(part(source, "timeline--source"))
        used += source_width + 2
        title = _fit(plain(development.title), max(0, width - used - 1))
        segments.append(part(title, "timeline--unread" if unread else "timeline--read"))
        return Strip(segments).crop_extend(0, width, line)
