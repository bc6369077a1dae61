"""`wirewatch feeds [--json]`: every configured feed's health; `add` and `remove` edit them."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

import storage
from tui.commands import feed_edit
from tui.commands.context import config_from, database_from
from tui.format import local_time, plain


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "feeds",
        parents=[common],
        help="the feeds' health; add or remove a feed",
        description="Without a sub-command: each configured feed with its last fetch, "
        "status, last error, next due time, items stored and items published in the last "
        "24 hours.",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per feed and line")
    parser.set_defaults(handler=run)
    actions = parser.add_subparsers(dest="feeds_action", metavar="ACTION")
    feed_edit.register(actions, common)


def _when(value: datetime | None, now: datetime, missing: str) -> str:
    if value is None:
        return missing
    return "now" if value <= now else local_time(value)


def _status(feed: storage.FeedHealth) -> str:
    if feed.status is None:
        return "never fetched"
    failed = feed.status in ("error", "dead")
    code = f" {feed.http_status}" if feed.http_status and failed else ""
    return f"{feed.status}{code}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _json_line(feed: storage.FeedHealth) -> str:
    return json.dumps(
        {
            "name": feed.name,
            "url": feed.url,
            "fetch_url": feed.fetch_url,
            "title": feed.title,
            "status": feed.status,
            "http_status": feed.http_status,
            "last_fetch": _iso(feed.last_fetch),
            "last_success": _iso(feed.last_success),
            "last_error": feed.last_error,
            "failures": feed.failures,
            "next_due": _iso(feed.next_due),
            "dead": feed.dead,
            "items": feed.items,
            "items_24h": feed.items_24h,
        },
        ensure_ascii=False,
    )


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    db, _ = database_from(args, config)
    now = datetime.now(UTC)
    by_name = {h.name: h for h in storage.feed_health(db, now)}
    feeds = [by_name[spec.name] for spec in config.feeds if spec.name in by_name]
    if args.json:
        for feed in feeds:
            print(_json_line(feed))
        return 0
    rows = [("NAME", "STATUS", "LAST FETCH", "NEXT DUE", "ITEMS", "24H", "URL")]
    notes: dict[int, list[str]] = {}
    for feed in feeds:
        next_due = "never (dead)" if feed.dead else _when(feed.next_due, now, "now")
        rows.append(
            (
                plain(feed.name),
                _status(feed),
                local_time(feed.last_fetch) if feed.last_fetch else "never",
                next_due,
                str(feed.items),
                str(feed.items_24h),
                plain(feed.url),
            )
        )
        lines = []
        if feed.last_error and feed.status in ("error", "dead"):
            failures = f" ({feed.failures} failures in a row)" if feed.failures > 1 else ""
            lines.append(f"error: {plain(feed.last_error)}{failures}")
        if feed.fetch_url != feed.url:
            lines.append(f"moved for good to {plain(feed.fetch_url)}")
        notes[len(rows) - 1] = lines
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    right = {4, 5}
    for index, row in enumerate(rows):
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row[:-1])
        ]
        print("  ".join([*cells, row[-1]]).rstrip())
        for note in notes.get(index, []):
            print(f"    {note}")
    return 0
