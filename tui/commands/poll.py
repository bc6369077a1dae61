"""`wirewatch poll`: fetch the configured feeds, once (`--once`) or for as long as it runs."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TextIO

import storage
from feeds.config import load_config
from feeds.errors import WirewatchError
from feeds.poller import (
    ConfigRejected,
    ConfigReloaded,
    FeedFetched,
    PollEvent,
    PollFailed,
    PollFinished,
    PollSettings,
    PollStarted,
    PollSummary,
    poll_once,
    run_poller,
)
from tui.commands.arguments import positive_int
from tui.commands.context import config_from
from tui.format import local_time, plain
from tui.paths import resolve_config_path, resolve_db_path

INTERRUPTED = 130
BAR_WIDTH = 30


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "poll",
        parents=[common],
        help="fetch the feeds: once, or keep polling",
        description="Fetch every feed that is due, store and tag its new items. Without "
        "--once, keep running: each feed is fetched when due, edits of feeds.yaml take "
        "effect at once, and one line is logged per fetch. SIGINT/SIGTERM stop it cleanly.",
    )
    parser.add_argument("--once", action="store_true", help="one pass over the due feeds")
    parser.add_argument(
        "--all", action="store_true", help="with --once: every feed, due or not (not dead ones)"
    )
    parser.add_argument(
        "--concurrency",
        type=positive_int,
        default=PollSettings.concurrency,
        metavar="N",
        help=f"fetches in flight at once (default {PollSettings.concurrency})",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.all and not args.once:
        raise WirewatchError("poll: --all needs --once")
    settings = PollSettings(concurrency=args.concurrency)
    if args.once:
        return _once(args, settings)
    return _forever(args, settings)


@contextmanager
def _stopping_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set `stop`: the poller finishes its transaction and returns."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread; Windows
            pass
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


class _ProgressBar:
    """One redrawn line on a terminal: [#####     ] 12/40 feeds  Feed name."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.total = 0
        self.done = 0

    def __call__(self, event: PollEvent) -> None:
        if isinstance(event, PollStarted):
            self.total = event.total
            self._draw("")
        elif isinstance(event, FeedFetched):
            self.done += 1
            self._draw(event.feed)
        elif isinstance(event, PollFinished):
            self.stream.write("\r\x1b[2K")
            self.stream.flush()

    def _draw(self, feed: str) -> None:
        if not self.total:
            return
        filled = BAR_WIDTH * self.done // self.total
        bar = "#" * filled + " " * (BAR_WIDTH - filled)
        self.stream.write(f"\r\x1b[2K[{bar}] {self.done}/{self.total} feeds  {plain(feed)[:40]}")
        self.stream.flush()


def _once(args: argparse.Namespace, settings: PollSettings) -> int:
    config = config_from(args)
    db = storage.open_db(resolve_db_path(args.db))
    progress: Callable[[PollEvent], None] | None = None
    if sys.stderr.isatty():
        progress = _ProgressBar(sys.stderr)

    async def main() -> PollSummary:
        stop = asyncio.Event()
        with _stopping_on_signals(stop):
            return await poll_once(
                config, db, all_feeds=args.all, on_event=progress, settings=settings, stop=stop
            )

    try:
        summary = asyncio.run(main())
    finally:
        db.close()
    _print_summary(summary, len(config.feeds))
    return INTERRUPTED if summary.interrupted else 0


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _print_summary(summary: PollSummary, configured: int) -> None:
    for feed, error in summary.errors:
        print(f"{plain(feed)}: {plain(error)}", file=sys.stderr)
    if summary.dead:
        names = ", ".join(plain(name) for name in summary.dead)
        print(
            f"not polled, gone for good (410): {names}; edit an entry in feeds.yaml to retry it",
            file=sys.stderr,
        )
    if summary.feeds == 0 and not summary.interrupted:
        when = f"; next one due {local_time(summary.next_due)}" if summary.next_due else ""
        print(f"no feed due ({configured} configured){when}; --all polls every feed now")
        return
    print(
        f"{_count(summary.feeds, 'feed')} in {summary.elapsed:.1f} s: {summary.ok} OK, "
        f"{summary.not_modified} not modified, {summary.failed} failed; "
        f"{_count(summary.new_items, 'new item')}"
        + (" (interrupted)" if summary.interrupted else "")
    )
    if summary.by_storyline:
        tagged = ", ".join(f"{slug} +{n}" for slug, n in sorted(summary.by_storyline.items()))
        print(f"storylines: {tagged}")


def _stamp() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")


def log_line(event: PollEvent) -> str | None:
    """The headless poller's one line for an event (None: nothing worth a line)."""
    if isinstance(event, FeedFetched):
        feed = plain(event.feed)
        if event.status in ("ok", "not-modified"):
            detail = f"{event.new_items} new"
            if event.storylines:
                detail += " (" + ", ".join(f"{s} +{n}" for s, n in event.storylines.items()) + ")"
            if event.moved_to:
                detail += f"; moved for good to {plain(event.moved_to)}"
            if event.warning:
                detail += f"; warning: {plain(event.warning)}"
            return f"{event.status:<12}  {feed}  {detail}"
        retry = (
            f"; retry {local_time(event.next_due)}"
            if event.next_due
            else "; not polled again until its entry in feeds.yaml changes"
        )
        return f"{event.status:<12}  {feed}  {plain(event.error or '')}{retry}"
    if isinstance(event, ConfigReloaded):
        return f"config reloaded: {event.feeds} feeds, {event.storylines} storylines"
    if isinstance(event, ConfigRejected):
        return f"config rejected, the last good one stays in force: {plain(event.error)}"
    if isinstance(event, PollFailed):
        return f"database refused a batch, retrying soon: {plain(event.error)}"
    return None


def _forever(args: argparse.Namespace, settings: PollSettings) -> int:
    config_path = resolve_config_path(args.config)
    load_config(config_path)  # a mistake stops us here, before anything is written
    db_path = resolve_db_path(args.db)

    def on_event(event: PollEvent) -> None:
        line = log_line(event)
        if line is not None:
            print(f"{_stamp()}  {line}", flush=True)

    async def main() -> None:
        stop = asyncio.Event()
        with _stopping_on_signals(stop):
            await run_poller(config_path, db_path, stop=stop, on_event=on_event, settings=settings)

    print(f"{_stamp()}  polling the feeds of {config_path} into {db_path}", flush=True)
    asyncio.run(main())
    print(f"{_stamp()}  stopped", flush=True)
    return 0
