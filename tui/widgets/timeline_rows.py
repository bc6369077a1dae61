"""The timeline's rows as plain data: developments newest first, under a heading per local day.

Kept apart from the widget so that merging live changes can be tested without a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from storage import Development


@dataclass(frozen=True)
class Heading:
    day: date


Row = Heading | Development


def layout(developments: Sequence[Development], local: Callable[[datetime], datetime]) -> list[Row]:
    """Day headings interleaved with developments (which must be newest first)."""
    rows: list[Row] = []
    last_day: date | None = None
    for development in developments:
        day = local(development.published).date()
        if day != last_day:
            rows.append(Heading(day))
            last_day = day
        rows.append(development)
    return rows


def merge(
    current: Sequence[Development],
    changed: Iterable[Development],
    belongs: Callable[[Development], bool],
    oldest_key: int | None = None,
) -> list[Development]:
    """`current` with `changed` applied: updated in place, new ones filed by their key.

    A changed development that no longer `belongs` (its storyline tag went) leaves. One whose
    items now include an item shown under another row has absorbed that row, which leaves.
    With `oldest_key`, developments older than it are left for paging to bring in, so that
    a gap never opens in the middle of what was loaded.
    """
    updates = {d.id: d for d in changed}
    if not updates:
        return list(current)
    absorbed = {s.item_id for d in updates.values() for s in d.sources}
    kept = [
        d
        for d in current
        if d.id not in updates and not any(s.item_id in absorbed for s in d.sources)
    ]
    for development in updates.values():
        if not belongs(development):
            continue
        if oldest_key is not None and development.key < oldest_key:
            continue
        kept.append(development)
    kept.sort(key=lambda d: d.key, reverse=True)
    return kept
