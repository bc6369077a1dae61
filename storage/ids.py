"""Item ids that sort by publication time.

items.id = publication second * ID_SCALE + a tie-breaker: ids sort by publication time, so
FTS5 walks its rowids newest first and "since" filters become a rowid range. A late,
back-dated item takes the id of its own publication time and files itself in the past,
where a reader expects it, rather than on top of the timeline.
"""

from __future__ import annotations

from datetime import datetime

ID_SCALE = 1_000_000


def id_floor(when: datetime) -> int:
    """The smallest item id for items published at or after `when`."""
    return max(0, int(when.timestamp())) * ID_SCALE


def published_of(item_id: int) -> int:
    """The publication time (unix seconds) an item id encodes."""
    return item_id // ID_SCALE
