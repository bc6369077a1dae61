"""`wirewatch retag [SLUG]`: re-tag every stored item for one storyline, or for all."""

from __future__ import annotations

import argparse

from feeds.errors import WirewatchError
from feeds.tagger import retag
from tui.commands.context import load


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "retag",
        parents=[common],
        help="re-tag stored items for a storyline",
        description="Re-tag every stored item for one storyline (or all of them) through the "
        "search index. Editing a storyline in feeds.yaml does this by itself the next time "
        "wirewatch opens the database; this forces it.",
    )
    parser.add_argument("slug", nargs="?", help="the storyline (default: every storyline)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config, db, storylines = load(args)
    chosen = [s for s in storylines if args.slug in (None, s.slug)]
    if not chosen:
        known = ", ".join(s.slug for s in storylines) or "none"
        raise WirewatchError(f"{config.path}: no storyline {args.slug!r} (known: {known})")
    for storyline in chosen:
        print(f"{storyline.slug}: {retag(db, storyline)} items")
    return 0
