"""The poller: due feeds -> fetch, many at once -> parse -> tag and store, a batch at a time.

Two ways in:
- `poll_once(config, db)`: one pass over the due feeds (or every feed), then return a
  `PollSummary`. `wirewatch poll --once` uses it.
- `run_poller(config_path, db_path, stop=...)`: until `stop` is set, fetch each feed as it
  falls due and follow edits of feeds.yaml. `wirewatch poll` uses it; so can the dashboard,
  from a thread worker: `asyncio.run(run_poller(..., stop=threading_event, on_event=...))`.
  It opens its own database connection, so it shares the file with any other process.

Progress goes to `on_event` as small frozen events (`PollStarted`, `FeedFetched`,
`PollFinished`, `ConfigReloaded`, `ConfigRejected`, `PollFailed`), called on the poller's
thread; a dashboard hands them to its UI with `App.call_from_thread`. It must not block.

How the work is spread:
- Fetches run concurrently, at most `concurrency` at once and `per_host` per host, so a
  poll of hundreds of feeds takes about as long as its slowest few, and no server gets
  more than a few requests from us at a time.
- Parsing runs in worker threads: feedparser is CPU-bound, and on the event loop it would
  stall the fetches in flight long enough to trip their timeouts.
- SQLite is blocking, so all database work runs on one dedicated thread, in order. Fetched
  feeds queue up for a single writer; each write takes everything that finished while the
  previous one ran, up to `batch_size` feeds, in ONE transaction (a group commit). Busy
  polls write big batches, quiet ones write at once, and every transaction stays short so
  the dashboard's own writes never wait long. Stopping waits for the batch being written:
  a stop lands between transactions, never inside one.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlite_utils import Database

import storage
from feeds import schedule
from feeds.config import Config, FeedSpec, load_config
from feeds.errors import ConfigError, FeedError
from feeds.fetch import FetchLimits, FetchResult, fetch, new_client
from feeds.ingest import prepare, store_parsed
from feeds.parse import ParsedFeed, parse_feed
from feeds.tagger import CompiledStoryline
from storage import FetchState, StorageError
from storage.fetch_state import DEAD, ERROR, NOT_MODIFIED, OK

T = TypeVar("T")
StopSignal = asyncio.Event | threading.Event
STOP_CHECK = 0.1  # seconds between looks at the stop signal while fetches are in flight
# How long a claimed feed stays ours before another poller may take it: far longer than a
# fetch may last, short enough that a poller killed mid-fetch delays the feed only a little.
CLAIM_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class PollSettings:
    limits: FetchLimits = field(default_factory=FetchLimits)
    concurrency: int = 64  # fetches in flight at once
    per_host: int = 4  # fetches in flight against one host
    batch_size: int = 100  # most feeds written in one transaction
    tick: float = 1.0  # seconds between looks for due feeds and feeds.yaml edits


# Events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollStarted:
    total: int  # feeds about to be fetched


@dataclass(frozen=True)
class FeedFetched:
    """One feed fetched and its outcome stored."""

    feed: str
    url: str  # what was fetched
    status: str  # ok | not-modified | error | dead
    http_status: int | None
    new_items: int = 0
    updated_items: int = 0
    storylines: Mapping[str, int] = field(default_factory=dict)  # slug -> items tagged
    error: str | None = None
    warning: str | None = None  # the document was sloppy but readable
    moved_to: str | None = None  # a permanent redirect seen on this fetch
    next_due: datetime | None = None
    elapsed: float = 0.0


@dataclass(frozen=True)
class PollSummary:
    feeds: int
    ok: int
    not_modified: int
    failed: int
    new_items: int
    by_feed: Mapping[str, int]  # feed -> new items (feeds with some)
    by_storyline: Mapping[str, int]  # slug -> new or changed items tagged
    errors: tuple[tuple[str, str], ...]  # (feed, error) of each failed feed
    dead: tuple[str, ...]  # feeds skipped: they answered 410 Gone
    elapsed: float
    interrupted: bool = False
    next_due: datetime | None = None  # the earliest due time after this poll


@dataclass(frozen=True)
class PollFinished:
    summary: PollSummary


@dataclass(frozen=True)
class ConfigReloaded:
    path: Path
    feeds: int
    storylines: int


@dataclass(frozen=True)
class ConfigRejected:
    """feeds.yaml changed but does not validate; the last good config stays in force."""

    path: Path
    error: str


@dataclass(frozen=True)
class PollFailed:
    """The database refused a batch; those feeds stay due and are tried again."""

    error: str


PollEvent = PollStarted | FeedFetched | PollFinished | ConfigReloaded | ConfigRejected | PollFailed
EventHandler = Callable[[PollEvent], None]


def summarize(
    fetched: Sequence[FeedFetched],
    dead: Sequence[str] = (),
    elapsed: float = 0.0,
    *,
    interrupted: bool = False,
    next_due: datetime | None = None,
) -> PollSummary:
    by_storyline: dict[str, int] = {}
    for event in fetched:
        for slug, count in event.storylines.items():
            by_storyline[slug] = by_storyline.get(slug, 0) + count
    failed = [e for e in fetched if e.status in (ERROR, DEAD)]
    return PollSummary(
        feeds=len(fetched),
        ok=sum(e.status == OK for e in fetched),
        not_modified=sum(e.status == NOT_MODIFIED for e in fetched),
        failed=len(failed),
        new_items=sum(e.new_items for e in fetched),
        by_feed={e.feed: e.new_items for e in fetched if e.new_items},
        by_storyline=by_storyline,
        errors=tuple((e.feed, e.error or e.status) for e in failed),
        dead=tuple(dead),
        elapsed=elapsed,
        interrupted=interrupted,
        next_due=next_due,
    )


# The engine ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fetched:
    spec: FeedSpec
    state: FetchState | None
    result: FetchResult  # its body already parsed and dropped
    parsed: ParsedFeed | None
    parse_error: str | None


def _is_set(stop: StopSignal | None) -> bool:
    return stop is not None and stop.is_set()


async def _pause(stop: StopSignal | None, seconds: float) -> None:
    """Sleep, waking early when `stop` is set (an asyncio or a threading event)."""
    if isinstance(stop, asyncio.Event):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
        return
    deadline = time.monotonic() + seconds
    while not _is_set(stop) and (left := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(STOP_CHECK, left))


def _observe(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()  # retrieved: no "never retrieved" warning for an abandoned write


class _Poller:
    """What one poll or one long-running poller shares: client, limits, writer, DB thread."""

    def __init__(self, db: Database, settings: PollSettings, on_event: EventHandler | None):
        self.db = db
        self.settings = settings
        self._on_event = on_event
        self._rng = random.Random()
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._queue: asyncio.Queue[tuple[_Fetched, asyncio.Future[FeedFetched]] | None]
        self._queue = asyncio.Queue()
        # One thread owns the connection: calls run in order even if their caller was
        # cancelled meanwhile, so two never overlap on it.
        self._db_thread = ThreadPoolExecutor(1, thread_name_prefix="wirewatch-db")
        self.storylines: list[CompiledStoryline] = []

    async def __aenter__(self) -> _Poller:
        self._client = new_client(self.settings.limits, connections=self.settings.concurrency)
        self._writer = asyncio.create_task(self._write_loop())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            await self._queue.put(None)
            await self._writer
            await self._client.aclose()
        finally:
            self._db_thread.shutdown(wait=True)  # the batch being written completes

    def emit(self, event: PollEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)

    async def run_db(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._db_thread, fn, *args)
        except sqlite3.Error as exc:
            raise StorageError(f"database error: {exc}") from exc

    async def prepare(self, config: Config) -> None:
        self.storylines = await self.run_db(prepare, self.db, config)

    async def due(
        self, config: Config, *, every: bool, busy: Iterable[str] = ()
    ) -> tuple[list[tuple[FeedSpec, FetchState | None]], list[str]]:
        """The feeds to fetch now (with their state), and the dead ones left out.

        Each due feed is claimed in the database first: a feed that another poller sharing
        the file claimed (or fetched) since we read the states is left to it.
        """
        states = await self.run_db(storage.fetch_states, self.db)
        now = datetime.now(UTC)
        skip = set(busy)
        jobs, dead = [], []
        for spec in config.feeds:
            state = states.get(spec.name)
            if spec.name in skip or (state is not None and state.claimed(now)):
                continue  # being fetched, by this poller or by another sharing the file
            if schedule.is_dead(spec, state):
                dead.append(spec.name)
            elif schedule.is_due(spec, state, now, every=every):
                jobs.append((spec, state))
        wanted = [(state.feed_id, state.next_due) for _, state in jobs if state is not None]
        claimed = await self.run_db(storage.claim_feeds, self.db, wanted, now + CLAIM_LEASE, now)
        return [
            (spec, state) for spec, state in jobs if state is None or state.feed_id in claimed
        ], dead

    async def next_due(self) -> datetime | None:
        states = await self.run_db(storage.fetch_states, self.db)
        times = [s.next_due for s in states.values() if s.next_due is not None]
        return min(times, default=None)

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).hostname or ""  # local files share one slot set
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.settings.per_host)
        return self._hosts[host]

    async def _fetch(self, spec: FeedSpec, state: FetchState | None) -> _Fetched:
        url = schedule.fetch_url(spec, state)
        etag, last_modified = schedule.validators(url, state)
        # The host's slot first: a task queued behind a busy host must not sit on one of
        # the global slots meanwhile, or one big host would hold up every other.
        async with self._host_slot(url), self._slots:
            try:
                result = await fetch(
                    self._client,
                    url,
                    etag=etag,
                    last_modified=last_modified,
                    limits=self.settings.limits,
                )
            except Exception as exc:  # a bug in one fetch must not stop the others
                result = FetchResult(url, "error", error=f"internal error: {exc!r}"[:200])
        parsed = parse_error = None
        if result.status == "ok":
            try:
                parsed = await asyncio.to_thread(
                    parse_feed,
                    result.body,
                    feed=spec.name,
                    headers=result.headers,
                    base_url=result.final_url or url,
                )
            except FeedError as exc:
                parse_error = exc.message
        return _Fetched(spec, state, replace(result, body=b""), parsed, parse_error)

    async def _write_loop(self) -> None:
        closing = False
        while not closing:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.settings.batch_size and not self._queue.empty():
                queued = self._queue.get_nowait()
                if queued is None:
                    closing = True
                    break
                batch.append(queued)
            try:
                events = await self.run_db(self._write_batch, [fetched for fetched, _ in batch])
            except Exception as exc:  # handed to each feed's waiter, who decides
                for _, future in batch:
                    future.set_exception(exc)
            else:
                for (_, future), event in zip(batch, events, strict=True):
                    future.set_result(event)

    def _write_batch(self, batch: Sequence[_Fetched]) -> list[FeedFetched]:
        """On the DB thread: store a batch of fetched feeds in one transaction."""
        now = datetime.now(UTC)
        events = []
        with storage.transaction(self.db):
            for fetched in batch:
                spec, state = fetched.spec, fetched.state
                result, parsed = fetched.result, fetched.parsed
                saved = None
                if parsed is not None:
                    saved = store_parsed(self.db, spec.name, parsed, self.storylines, spec.location)
                feed_id = state.feed_id if state else storage.ensure_feed(self.db, spec.name)
                record = schedule.plan(
                    spec,
                    state,
                    result,
                    now,
                    parse_error=fetched.parse_error,
                    new_items=len(saved.new) if saved else 0,
                    site_link=parsed.link if parsed else "",
                    rng=self._rng,
                )
                storage.record_fetch(self.db, feed_id, record)
                events.append(
                    FeedFetched(
                        feed=spec.name,
                        url=result.url,
                        status=record.status,
                        http_status=record.http_status,
                        new_items=record.new_items,
                        updated_items=len(saved.updated) if saved else 0,
                        storylines=dict(saved.tags) if saved else {},
                        error=record.error,
                        warning=parsed.warning if parsed else None,
                        moved_to=result.permanent_url,
                        next_due=record.next_due,
                        elapsed=result.elapsed,
                    )
                )
        return events

    async def poll(
        self,
        jobs: Sequence[tuple[FeedSpec, FetchState | None]],
        stop: StopSignal | None = None,
        dead: Sequence[str] = (),
    ) -> PollSummary:
        """Fetch and store `jobs`; on `stop`, drop the fetches in flight, keep the rest."""
        started = time.monotonic()
        self.emit(PollStarted(len(jobs)))
        loop = asyncio.get_running_loop()
        fetching = {asyncio.create_task(self._fetch(spec, state)) for spec, state in jobs}
        writing: set[asyncio.Future[FeedFetched]] = set()
        fetched: list[FeedFetched] = []
        interrupted = False
        try:
            while fetching or writing:
                done, _ = await asyncio.wait(
                    fetching | writing, timeout=STOP_CHECK, return_when=asyncio.FIRST_COMPLETED
                )
                for finished in done:
                    if finished in fetching:
                        fetching.discard(finished)  # type: ignore[arg-type]
                        future: asyncio.Future[FeedFetched] = loop.create_future()
                        self._queue.put_nowait((finished.result(), future))
                        writing.add(future)
                    else:
                        writing.discard(finished)
                        fetched.append(finished.result())  # a failed batch raises here
                        self.emit(fetched[-1])
                if fetching and _is_set(stop):
                    interrupted = True
                    for task in fetching:
                        task.cancel()
                    await asyncio.gather(*fetching, return_exceptions=True)
                    for task in fetching:  # finished before the cancel reached it: keep
                        if not task.cancelled() and task.exception() is None:
                            future = loop.create_future()
                            self._queue.put_nowait((task.result(), future))
                            writing.add(future)
                    fetching.clear()
        finally:
            for task in fetching:
                task.cancel()
            for future in writing:
                future.add_done_callback(_observe)
        summary = summarize(
            fetched,
            dead,
            time.monotonic() - started,
            interrupted=interrupted,
            next_due=await self.next_due(),
        )
        self.emit(PollFinished(summary))
        return summary


# The two ways in ----------------------------------------------------------------------


async def poll_once(
    config: Config,
    db: Database,
    *,
    all_feeds: bool = False,
    on_event: EventHandler | None = None,
    settings: PollSettings = PollSettings(),
    stop: StopSignal | None = None,
) -> PollSummary:
    """Fetch every due feed of `config` (every live feed with `all_feeds`) once.

    `db` must not be used by anyone else until this returns (it is used from a worker
    thread). Raises StorageError if the database refuses a write; a feed's own failure
    is never raised, only recorded and reported.
    """
    async with _Poller(db, settings, on_event) as poller:
        await poller.prepare(config)
        jobs, dead = await poller.due(config, every=all_feeds)
        return await poller.poll(jobs, stop, dead)


_UNREAD = object()  # equals no content, not even a missing file's None


class _ConfigWatch:
    """Notices edits of feeds.yaml by content: cheap for a small file, and unlike mtime it
    cannot miss two saves within the file system's timestamp granularity.

    An edit counts once its content held still for one look: an editor that truncates and
    then writes (or a slow `cat >`) would otherwise be caught half way and reported as a
    broken config.
    """

    def __init__(self, path: Path):
        self.path = path
        first = self._read()
        self.seen: bytes | object | None = first
        self._settling = first

    def _read(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except OSError:
            return None

    def changed(self) -> bool:
        now = self._read()
        if now == self.seen or now != self._settling:
            self._settling = now
            return False
        self.seen = now
        return True

    def retry(self) -> None:
        """Report the file as changed again on the next look (its reload failed)."""
        self.seen = _UNREAD


async def run_poller(
    config_path: Path,
    db_path: Path,
    *,
    stop: StopSignal,
    on_event: EventHandler | None = None,
    settings: PollSettings = PollSettings(),
) -> None:
    """Poll until `stop` is set: each feed when due, following edits of feeds.yaml.

    A config that fails validation at start raises ConfigError; later, a bad edit is
    reported (ConfigRejected) and the last good config stays in force.
    """
    watch = _ConfigWatch(config_path)
    config = load_config(config_path)
    db = storage.open_db(db_path)
    try:
        async with _Poller(db, settings, on_event) as poller:
            await poller.prepare(config)
            rounds: dict[asyncio.Task[PollSummary | None], set[str]] = {}
            while not _is_set(stop):
                for task in [t for t in rounds if t.done()]:
                    rounds.pop(task)
                    task.result()  # a bug in a round surfaces here
                if watch.changed():
                    config = await _reload(poller, config, watch)
                busy = set().union(*rounds.values())
                jobs, _ = await poller.due(config, every=False, busy=busy)
                if jobs:
                    task = asyncio.create_task(_round(poller, jobs, stop))
                    rounds[task] = {spec.name for spec, _ in jobs}
                await _pause(stop, settings.tick)
            await asyncio.gather(*rounds)
    finally:
        db.close()


async def _round(
    poller: _Poller, jobs: Sequence[tuple[FeedSpec, FetchState | None]], stop: StopSignal
) -> PollSummary | None:
    try:
        return await poller.poll(jobs, stop)
    except StorageError as exc:
        # The feeds of the failed batch were not recorded, so they stay due.
        poller.emit(PollFailed(str(exc)))
        await _pause(stop, 5 * poller.settings.tick)
        return None


async def _reload(poller: _Poller, current: Config, watch: _ConfigWatch) -> Config:
    try:
        config = load_config(watch.path)
    except ConfigError as exc:
        poller.emit(ConfigRejected(watch.path, str(exc)))
        return current
    try:
        await poller.prepare(config)
    except StorageError as exc:
        poller.emit(PollFailed(str(exc)))
        watch.retry()
        return current
    poller.emit(ConfigReloaded(watch.path, len(config.feeds), len(config.storylines)))
    return config
