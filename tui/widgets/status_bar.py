"""The status bar: feed health, last and next poll, items today, progress while polling."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from storage import Overview
from tui.clock import Clock
from tui.format import relative_age
from tui.poll_worker import PollStatus

BAR_WIDTH = 10


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = round(width * done / total) if total else 0
    return "▰" * filled + "▱" * (width - filled)


def _until(clock: Clock, when) -> str:
    seconds = int((when - clock.now()).total_seconds())
    if seconds <= 60:
        return "now"
    if seconds < 3600:
        return f"in {seconds // 60} min"
    return f"in {seconds // 3600} h"


def status_content(
    overview: Overview | None, poll: PollStatus, clock: Clock, note: str = ""
) -> Content:
    parts: list[str | tuple[str, str] | Content] = []

    def add(text: str, style: str = "") -> None:
        if parts:
            parts.append(("  ·  ", "$text-muted"))
        parts.append((text, style))

    if note:
        add(note, "bold $warning")
    if overview is not None:
        if overview.feeds == 0:
            if poll.enabled:
                add("no feeds in feeds.yaml", "$warning")
        elif overview.failing:
            add(f"▲ {overview.failing} of {overview.feeds} feeds failing", "bold $error")
        elif overview.fetched == 0:
            add(f"{overview.feeds} feeds, not polled yet", "$text-muted")
        else:
            add(f"● {overview.feeds} feeds OK", "$success")
    if poll.polling:
        add(f"polling {poll.done}/{poll.total} {progress_bar(poll.done, poll.total)}", "$accent")
    else:
        last = poll.finished_at or (overview.last_fetch if overview else None)
        if last is not None:
            add(f"last poll {relative_age(last, clock.now())}")
        upcoming = poll.next_due or (overview.next_due if overview else None)
        if poll.enabled and not poll.unavailable and upcoming is not None:
            add(f"next {_until(clock, upcoming)}")
    if not poll.enabled:
        add("polling off", "$text-muted")
    elif poll.unavailable:
        add(poll.unavailable, "$warning")
    if poll.problem:
        add(poll.problem, "$error")
    if overview is not None:
        add(f"{overview.items_since} items today")
    return Content.assemble(*parts)


class StatusBar(Widget):
    overview: reactive[Overview | None] = reactive(None)
    poll: reactive[PollStatus] = reactive(PollStatus)
    note: reactive[str] = reactive("")

    def __init__(self, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock

    def render(self) -> Content:
        return status_content(self.overview, self.poll, self.clock, self.note)
