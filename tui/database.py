"""One SQLite connection on its own thread, for the dashboard's reads and small writes.

The UI never runs SQL on its event loop: a worker awaits `call(storage.timeline, ...)` and
the query runs here. One thread per connection keeps sqlite3's rule (a connection is used by
one thread at a time) without locks, and queues calls in the order they were made, so a
read submitted after a write sees it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from sqlite_utils import Database
from textual.css.query import NoMatches
from textual.dom import DOMNode

import storage
from storage import StorageError

P = ParamSpec("P")
T = TypeVar("T")


class DatabaseThread:
    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"wirewatch-{name}")
        self._db: Database | None = None

    def _run(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        try:
            if self._db is None:
                # The app opened (and migrated) the database before starting; just connect.
                self._db = storage.open_db(self.path, migrate_schema=False)
            return fn(self._db, *args, **kwargs)
        except sqlite3.Error as exc:  # locked past the busy timeout, disk full, ...
            raise StorageError(f"{self.path.name}: {exc}") from exc

    def submit(
        self, fn: Callable[Concatenate[Database, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> Future[T]:
        """Queue `fn(db, *args, **kwargs)`; the future holds its result."""
        return self._executor.submit(partial(self._run, fn, *args, **kwargs))

    async def call(
        self, fn: Callable[Concatenate[Database, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `fn(db, *args, **kwargs)` on this connection's thread and await its result."""
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def close(self) -> None:
        def _close() -> None:
            if self._db is not None:
                self._db.close()
                self._db = None

        self._executor.submit(_close)
        self._executor.shutdown(wait=True, cancel_futures=False)


@contextmanager
def reported(node: DOMNode, what: str) -> Iterator[None]:
    """A database error in this block becomes a notification, and the dashboard goes on.

    A worker that was waiting on the database when its screen was taken down (the app
    quits, the screen closes) finds the widgets it would fill gone: it stops quietly
    instead of failing the app on its way out.
    """
    try:
        yield
    except StorageError as exc:
        node.notify(f"{what}: {exc}", title="Database", severity="error", markup=False)
    except NoMatches:
        if not leaving(node):
            raise


def leaving(node: DOMNode) -> bool:
    """Whether `node` is being taken down, by the test Textual's own signals use."""
    return not node.is_attached or node._pruning
