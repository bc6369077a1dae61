"""`wirewatch check`: validate feeds.yaml and say what it configures."""

from __future__ import annotations

import argparse

from tui.commands.context import config_from


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "check",
        parents=[common],
        help="validate feeds.yaml",
        description="Validate the config file; print what it defines, or the first mistake "
        "with its file, line and key (exit status 2). Writes nothing.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    print(
        f"{config.path}: {len(config.feeds)} feeds, {len(config.storylines)} storylines, "
        f"{len(config.terms)} term groups"
    )
    return 0
