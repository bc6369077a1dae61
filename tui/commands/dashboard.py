"""`wirewatch` with no command: the dashboard, polling the configured feeds as it runs."""

from __future__ import annotations

import argparse
import sys

from feeds.errors import WirewatchError
from tui.commands.context import config_from, database_from
from tui.paths import resolve_db_path


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-poll",
        action="store_true",
        help="only watch the database: another process (wirewatch poll) keeps it fresh",
    )


def run(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise WirewatchError(
            "the dashboard needs a terminal; for scripts use a command such as "
            "`wirewatch search` (see wirewatch --help)"
        )
    config = config_from(args)
    db, _ = database_from(args, config)  # validated, migrated and in step with the config
    db.close()
    from tui.app import WirewatchApp  # Textual loads only when the dashboard opens

    WirewatchApp(resolve_db_path(args.db), config, poll=not args.no_poll).run()
    return 0
