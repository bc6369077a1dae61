"""Help: every key binding, read from the BINDINGS of the app, the screens and the widgets, so
it cannot fall out of step with what the keys do."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.screens.development import DevelopmentScreen
from tui.screens.feeds import FeedsScreen
from tui.screens.main import MainScreen
from tui.screens.search import SearchScreen
from tui.widgets.search_results import SearchResults

# Textual's own keys that wirewatch relies on, which no wirewatch class declares.
MOVING_AROUND: list[tuple[str, str]] = [
    ("↑ ↓  j k", "move in a list"),
    ("PgUp PgDn  Home End", "move by a page, to the ends"),
    ("Tab  Shift+Tab", "next / previous pane"),
    ("Enter", "open, choose"),
    ("Escape", "back"),
    ("Ctrl+P", "command palette: every action, and the theme (light or dark)"),
    ("mouse", "click to choose, double-click to open, wheel to scroll"),
]


def _bindings(cls: type) -> list[Binding]:
    """The bindings a class declares itself (not those it inherits)."""
    found: list[Binding] = []
    for entry in cls.__dict__.get("BINDINGS", []):
        if isinstance(entry, Binding):
            found.append(entry)
        elif isinstance(entry, tuple):
            found.append(Binding(*entry))
    return found


def _key_label(key: str) -> str:
    names = {
        "slash": "/",
        "question_mark": "?",
        "escape": "Escape",
        "enter": "Enter",
        "down": "↓",
        "up": "↑",
        "pagedown": "PgDn",
        "pageup": "PgUp",
        "home": "Home",
        "end": "End",
    }
    return " ".join(
        names.get(k, k.replace("ctrl+", "Ctrl+")) for k in key.replace(" ", "").split(",")
    )


def section(title: str, rows: Iterable[tuple[str, str]]) -> Content:
    lines = [Content.styled(title, "bold $accent")]
    lines += [Content.assemble((f"  {keys:<22}", "bold"), what) for keys, what in rows]
    return Content("\n").join(lines)


def binding_rows(classes: Iterable[type]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for cls in classes:
        for binding in _bindings(cls):
            if binding.description and binding.key not in seen:
                seen.add(binding.key)
                rows.append((_key_label(binding.key), binding.description))
    return rows


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "modal.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help"),
    ]

    def __init__(self, under: object) -> None:
        """`under`: the screen help was asked from; its keys come first."""
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        sections = [Content.styled("wirewatch keys", "bold")]
        screen_classes = [type(self.under)]
        widget_classes = []
        walk = getattr(self.under, "walk_children", None)
        if walk is not None:
            for widget in walk():
                for cls in type(widget).__mro__:
                    if cls.__module__.startswith("tui.") and cls not in widget_classes:
                        widget_classes.append(cls)
        title = getattr(self.under, "HELP_TITLE", "This screen")
        # The other screens' keys too, with the widgets only they have.
        others = [
            (cls.HELP_TITLE, [cls, *extra])
            for cls, extra in (
                (MainScreen, []),
                (SearchScreen, [SearchResults]),
                (FeedsScreen, []),
                (DevelopmentScreen, []),
            )
            if cls is not type(self.under)
        ]
        for heading, classes in (
            (title, screen_classes),
            *((getattr(cls, "HELP_TITLE", cls.__name__), [cls]) for cls in widget_classes),
            *others,
            ("Everywhere", [type(self.app)]),
        ):
            rows = binding_rows(classes)
            if rows:
                sections.append(section(heading, rows))
        sections.append(section("Moving around", MOVING_AROUND))
        with VerticalScroll(classes="dialog wide"):
            yield Static(Content("\n\n").join(sections))
