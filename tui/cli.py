"""The `wirewatch` command: parse arguments, hand over to one command module, report errors.

Without a command it opens the dashboard (tui/commands/dashboard.py). Each sub-command lives
in tui/commands/<name>.py with `register(subparsers, common)` and a `run(args) -> int`.
Mistakes of the user (config, query, database path) print one line on stderr and exit with
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from feeds.errors import QueryError, WirewatchError
from storage import StorageError
from tui.commands import COMMANDS, dashboard

USAGE_ERROR = 2


def _version() -> str:
    try:
        return version("wirewatch")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    # The shared options are accepted before or after the command name; SUPPRESS keeps a
    # sub-command's default from overwriting a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="feeds.yaml to use (default: $WIREWATCH_CONFIG, ./feeds.yaml, or the user config dir)",
    )
    common.add_argument(
        "--db",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="database file (default: $WIREWATCH_DB or the user data dir)",
    )
    parser = argparse.ArgumentParser(
        prog="wirewatch",
        description="Follow conflicts and geopolitics across news feeds, in the terminal. "
        "Without a command, opens the dashboard.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"wirewatch {_version()}")
    dashboard.add_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for option in ("config", "db"):
        if not hasattr(args, option):
            setattr(args, option, None)
    handler = getattr(args, "handler", None) or dashboard.run
    try:
        return handler(args)
    except QueryError as exc:
        print(f"wirewatch: bad query: {exc}", file=sys.stderr)
        print("  " + exc.pointer().replace("\n", "\n  "), file=sys.stderr)
        return USAGE_ERROR
    except (WirewatchError, StorageError) as exc:
        print(f"wirewatch: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `wirewatch search ... | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
