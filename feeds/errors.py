"""The errors wirewatch reports to its user, each naming its culprit.

Callers catch exactly what they can handle: the CLI turns any `WirewatchError` into one line
on stderr and exit status 2; the poller keeps a `FeedError` on that feed's health record and
moves on to the next feed.
"""

from __future__ import annotations

from pathlib import Path


class WirewatchError(Exception):
    """A mistake in the user's input or the outside world, never a bug: no traceback."""


class ConfigError(WirewatchError):
    """feeds.yaml is unreadable or invalid; names the file, the line and the key."""

    def __init__(self, path: Path | str, line: int | None, key: str | None, message: str):
        self.path = Path(path)
        self.line = line
        self.key = key
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class QueryError(WirewatchError):
    """A malformed query; `position` is the 0-based offset of the culprit in `query`."""

    def __init__(self, message: str, position: int, query: str):
        self.message = message
        self.position = position
        self.query = query
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.message} (at column {self.position + 1})"

    def pointer(self) -> str:
        """The query with a caret under the culprit, for a terminal."""
        return f"{self.query}\n{' ' * self.position}^"


class FeedError(WirewatchError):
    """One feed could not be fetched or read; the others carry on."""

    def __init__(self, feed: str, message: str):
        self.feed = feed
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.feed}: {self.message}"


class ParseError(FeedError):
    """The bytes a feed returned are not a feed we can read."""
