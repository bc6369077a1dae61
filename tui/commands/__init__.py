"""The sub-commands of `wirewatch`, in the order `--help` lists them."""

from tui.commands import check, ingest, retag, search, storylines

COMMANDS = [search, storylines, ingest, retag, check]
