"""`wirewatch import-opml FILE` and `wirewatch export-opml [FILE]`: trade feed lists."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from feeds.config_edit import add_feeds
from feeds.errors import WirewatchError
from feeds.opml import plan_import, read_opml, write_opml
from tui.commands.context import config_from
from tui.format import plain


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    importer = subparsers.add_parser(
        "import-opml",
        parents=[common],
        help="add the feeds of an OPML file to feeds.yaml",
        description="Append every feed of an OPML subscription list to feeds.yaml (keeping "
        "its comments); nested outlines become tags. Feeds already configured are skipped "
        "and named. The feeds are not fetched: `wirewatch poll` does that.",
    )
    importer.add_argument("file", type=Path, metavar="FILE")
    importer.set_defaults(handler=run_import)
    exporter = subparsers.add_parser(
        "export-opml",
        parents=[common],
        help="write the configured feeds as OPML",
        description="Write the feeds of feeds.yaml as an OPML 2.0 file (to stdout without "
        "FILE), grouped by their first tag, with every tag in the category attribute.",
    )
    exporter.add_argument("file", type=Path, nargs="?", metavar="FILE")
    exporter.set_defaults(handler=run_export)


def run_import(args: argparse.Namespace) -> int:
    config = config_from(args)
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise WirewatchError(f"{args.file}: {exc.strerror or exc}") from None
    add, skipped = plan_import(config, read_opml(data, str(args.file)))
    add_feeds(config.path, add)
    for skip in skipped:
        print(f"skipped {plain(skip.feed.name)!r} ({plain(skip.feed.url)}): {skip.reason}")
    print(f"imported {len(add)} feeds into {config.path}, skipped {len(skipped)}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    document = write_opml(config_from(args))
    if args.file is None:
        sys.stdout.write(document.decode("utf-8"))
        return 0
    try:
        args.file.write_bytes(document)
    except OSError as exc:
        raise WirewatchError(f"{args.file}: {exc.strerror or exc}") from None
    print(f"wrote {args.file}")
    return 0
