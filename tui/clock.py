"""What time it is for the reader, and in which zone.

The dashboard asks a `Clock` instead of `datetime.now()`, so that tests can fix the time
(relative ages such as "12 min ago" stay stable in snapshots) and the offline demo can run a
clock that starts on the day its bundled news was published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo


@dataclass(frozen=True)
class Clock:
    offset: timedelta = timedelta(0)  # added to the system time
    frozen_at: datetime | None = None  # if set, the time never moves
    tz: tzinfo | None = None  # None: the system's local zone

    @classmethod
    def fixed(cls, when: datetime, tz: tzinfo | None = UTC) -> Clock:
        return cls(frozen_at=when, tz=tz)

    @classmethod
    def starting_at(cls, when: datetime, tz: tzinfo | None = None) -> Clock:
        """A running clock that reads `when` now."""
        return cls(offset=when - datetime.now(UTC), tz=tz)

    def now(self) -> datetime:
        if self.frozen_at is not None:
            return self.frozen_at.astimezone(UTC)
        return datetime.now(UTC) + self.offset

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

    def today(self) -> date:
        return self.local(self.now()).date()

    def start_of_today(self) -> datetime:
        """Local midnight of today, as an aware datetime."""
        local_now = self.local(self.now())
        return local_now.replace(hour=0, minute=0, second=0, microsecond=0)
