"""The sub-commands of `wirewatch`, in the order `--help` lists them."""

from tui.commands import check, demo, ingest, search

COMMANDS = [search, ingest, check, demo]
