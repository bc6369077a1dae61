"""`wirewatch search [QUERY]`: every stored item matching a query, newest first."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime, timedelta

import storage
from feeds.errors import WirewatchError
from feeds.query import parse_query, to_fts5
from tui.commands.arguments import positive_int
from tui.commands.context import config_from, database_from
from tui.format import ansi, local_time, plain

_RELATIVE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """'7d', '12h', '30m', '2w' ago, or an ISO date/time (local time unless it says)."""
    now = now or datetime.now(UTC)
    relative = _RELATIVE.match(text.strip())
    if relative:
        amount, unit = relative.groups()
        return now - timedelta(**{_UNITS[unit]: int(amount)})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise WirewatchError(
            f"bad time {text!r}: use 7d, 12h, 30m, 2w or a date such as 2024-10-01"
        ) from None
    return when.astimezone(UTC)  # a naive time is taken as local, as the user reads it


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "search",
        parents=[common],
        help="search every stored item",
        description='Query syntax: words (all must match), "exact phrase", a OR b, -word or '
        "NOT word, prefix*, (groups), NEAR(a b, 10), @group from feeds.yaml terms. Case and "
        "accents do not matter. Without a query every item matches.",
    )
    parser.add_argument("query", nargs="?", help="what to look for (omit to list everything)")
    parser.add_argument("--storyline", metavar="SLUG", help="only items of this storyline")
    parser.add_argument(
        "--since", metavar="WHEN", help="published at or after: 7d, 12h, 2024-10-01 ..."
    )
    parser.add_argument("--until", metavar="WHEN", help="published before")
    parser.add_argument(
        "--limit", type=positive_int, default=50, metavar="N", help="at most N items (default 50)"
    )
    parser.add_argument("--rank", action="store_true", help="most relevant first")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(handler=run)


def _json_line(hit: storage.SearchHit) -> str:
    item = hit.item
    return json.dumps(
        {
            "id": item.guid,
            "item_id": item.id,
            "published": item.published.isoformat(),
            "feed": item.feed,
            "title": item.title,
            "link": item.link,
            "storylines": list(item.storylines),
            "snippet": plain(hit.snippet),
            "summary": item.summary,
        },
        ensure_ascii=False,
    )


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    match = None
    if args.query is not None and args.query.strip():
        match = to_fts5(parse_query(args.query, config.terms))
    where = storage.SearchFilter(
        storyline=args.storyline,
        since=parse_when(args.since) if args.since else None,
        until=parse_when(args.until) if args.until else None,
    )
    db, _ = database_from(args, config)
    hits = storage.search(db, match, where, limit=args.limit, rank=args.rank)
    colour = sys.stdout.isatty()
    for hit in hits:
        if args.json:
            print(_json_line(hit))
            continue
        title = ansi(hit.title) if colour else plain(hit.title)
        print(f"{local_time(hit.item.published)}  {plain(hit.item.feed)}  {title}")
    return 0
