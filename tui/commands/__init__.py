"""The sub-commands of `wirewatch`, in the order `--help` lists them."""

from tui.commands import check, feed_health, ingest, opml, poll, search

COMMANDS = [search, poll, feed_health, opml, ingest, check]
