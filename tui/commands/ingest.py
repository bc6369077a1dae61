"""`wirewatch ingest PATH...`: read local feed files (archives, snapshots) into the database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from feeds.ingest import ingest_files
from tui.commands.context import load


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "ingest",
        parents=[common],
        help="read local feed files into the database",
        description="Parse RSS/Atom/JSON Feed files (or every feed file in a folder) into the "
        "database, tagging them with the configured storylines. Re-ingesting is harmless.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument(
        "--feed",
        metavar="NAME",
        help="file the items under this feed (default: the configured feed with "
        "that path, else the feed's own title)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config, db, storylines = load(args)
    reports = ingest_files(db, args.paths, config, storylines, args.feed)
    failed = 0
    for report in reports:
        if report.error:
            failed += 1
            print(f"{report.source}: {report.error}", file=sys.stderr)
            continue
        line = f"{report.source}: {report.feed}: {report.new} new, {report.updated} updated"
        if report.tags:
            line += (
                " (" + ", ".join(f"{slug} +{n}" for slug, n in sorted(report.tags.items())) + ")"
            )
        print(line)
    total = sum(r.new for r in reports)
    print(f"{len(reports) - failed} files read, {failed} failed, {total} new items")
    return 1 if failed else 0
