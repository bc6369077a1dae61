"""`wirewatch storylines [--json]`: each storyline with its size and freshness."""

from __future__ import annotations

import argparse
import json

import storage
from tui.commands.context import load
from tui.format import local_time


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "storylines",
        parents=[common],
        help="list storylines with their item counts",
        description="Every configured storyline: slug, title, items stored, items in the last "
        "24 hours and 7 days, and the newest item's time.",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    _, db, _ = load(args)
    stats = storage.storyline_stats(db)
    if args.json:
        for s in stats:
            print(
                json.dumps(
                    {
                        "slug": s.slug,
                        "title": s.title,
                        "items": s.items,
                        "items_24h": s.last_24h,
                        "items_7d": s.last_7d,
                        "newest": s.newest.isoformat() if s.newest else None,
                    },
                    ensure_ascii=False,
                )
            )
        return 0
    width = max((len(s.slug) for s in stats), default=4)
    print(f"{'SLUG':<{width}}  {'ITEMS':>6}  {'24H':>4}  {'7D':>4}  {'NEWEST':<16}  TITLE")
    for s in stats:
        newest = local_time(s.newest) if s.newest else "-"
        print(
            f"{s.slug:<{width}}  {s.items:>6}  {s.last_24h:>4}  {s.last_7d:>4}  "
            f"{newest:<16}  {s.title}"
        )
    return 0
