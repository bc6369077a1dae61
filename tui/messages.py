"""Messages that workers post to the app from their threads (`post_message` is thread-safe)."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from tui.watcher import DatabaseChange


class DatabaseChanged(Message):
    """Another connection wrote to the database; here is what changed."""

    def __init__(self, change: DatabaseChange) -> None:
        super().__init__()
        self.change = change


class WatchFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class PollReported(Message):
    """An event from the poller (see tui.poll_worker.apply)."""

    def __init__(self, event: Any) -> None:
        super().__init__()
        self.event = event


class PollUnavailable(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason
