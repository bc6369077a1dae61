"""Text for the terminal: local times, relative ages, counts, and matched words made visible
or plain. Plain functions of their arguments, so the dashboard and its tests agree."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from feeds.text import strip_controls
from storage import MARK_END, MARK_START

BOLD_YELLOW = "\x1b[1;33m"
RESET = "\x1b[0m"


def local_time(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def plain(marked: str) -> str:
    """Drop match marks; anything else that could steer a terminal goes too."""
    return strip_controls(marked.replace(MARK_START, "").replace(MARK_END, ""))


def marked_spans(marked: str) -> list[tuple[str, bool]]:
    """(text, matched) pieces of text whose matched words are between MARK_START and
    MARK_END. Each piece is stripped of control characters on its own: the marks are
    controls too."""
    first, *marked_chunks = marked.split(MARK_START)
    spans = [(strip_controls(first), False)]
    for chunk in marked_chunks:
        inside, _, rest = chunk.partition(MARK_END)
        spans += [(strip_controls(inside), True), (strip_controls(rest), False)]
    return spans


def ansi(marked: str) -> str:
    """Matched words in bold yellow. Controls are stripped before the marks become ANSI."""
    return "".join(
        f"{BOLD_YELLOW}{text}{RESET}" if matched else text for text, matched in marked_spans(marked)
    )


def relative_age(when: datetime, now: datetime) -> str:
    """'just now', '12 min ago', '3 h ago', '5 days ago', '4 mo ago', '2 y ago'."""
    seconds = int((now - when).total_seconds())
    if seconds < -60:
        return "ahead"  # a feed's clock (or date) in the future
    if seconds < 60:
        return "just now"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} h ago"
    days = hours // 24
    if days < 60:
        return "1 day ago" if days == 1 else f"{days} days ago"
    if days < 730:
        return f"{days // 30} mo ago"
    return f"{days // 365} y ago"


def day_heading(day: date, today: date) -> str:
    """'Today · Wednesday 23 October 2024'; 'Yesterday · ...'; else the date alone."""
    label = f"{day:%A} {day.day} {day:%B %Y}"
    if day == today:
        return f"Today · {label}"
    if day == today - timedelta(days=1):
        return f"Yesterday · {label}"
    return label


def sources_label(feeds: Sequence[str]) -> str:
    """The first feed and how many more reported it: 'BBC World +3'."""
    if not feeds:
        return ""
    first = plain(feeds[0])
    return f"{first} +{len(feeds) - 1}" if len(feeds) > 1 else first


def compact_count(n: int) -> str:
    """A count that fits a sidebar: 987, 12k, 1.2M."""
    if n < 10_000:
        return str(n)
    if n < 1_000_000:
        return f"{n // 1000}k"
    return f"{n / 1_000_000:.1f}M"


SPARK_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int]) -> str:
    """One character per value, scaled to the largest: a day of nothing is the lowest bar,
    any day with something at least the second."""
    top = max(values, default=0)
    steps = len(SPARK_BARS) - 1
    return "".join(
        SPARK_BARS[0] if v <= 0 else SPARK_BARS[max(1, round(v / top * steps))] for v in values
    )
