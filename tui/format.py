"""Text for the terminal: local times, ages, and matched words made visible or plain."""

from __future__ import annotations

from datetime import datetime

from feeds.text import strip_controls
from storage import MARK_END, MARK_START

BOLD_YELLOW = "\x1b[1;33m"
RESET = "\x1b[0m"


def local_time(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def plain(marked: str) -> str:
    """Drop match marks; anything else that could steer a terminal goes too."""
    return strip_controls(marked.replace(MARK_START, "").replace(MARK_END, ""))


def ansi(marked: str) -> str:
    """Matched words in bold yellow. Controls are stripped before the marks become ANSI."""
    first, *marked_chunks = marked.split(MARK_START)
    parts = [strip_controls(first)]
    for chunk in marked_chunks:
        inside, _, rest = chunk.partition(MARK_END)
        parts.append(BOLD_YELLOW + strip_controls(inside) + RESET + strip_controls(rest))
    return "".join(parts)
