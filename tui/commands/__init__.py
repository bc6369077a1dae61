"""The sub-commands of `wirewatch`, in the order `--help` lists them."""

from tui.commands import (
    check,
    demo,
    feed_health,
    ingest,
    opml,
    poll,
    retag,
    search,
    storylines,
)

COMMANDS = [search, storylines, poll, feed_health, opml, ingest, retag, check, demo]
