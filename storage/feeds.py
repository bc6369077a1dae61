"""The feeds table: which feeds exist. Fetch state is written by the poller's functions."""

from __future__ import annotations

import time
from collections.abc import Iterable

from sqlite_utils import Database

from storage.db import transaction


def ensure_feed(db: Database, name: str, url: str = "", title: str = "") -> int:
    """The id of the feed called `name`, created if new; a known url/title is refreshed."""
    with transaction(db):
        row = db.execute("SELECT id, url, title FROM feeds WHERE name = ?", (name,)).fetchone()
        if row is None:
            cursor = db.execute(
                "INSERT INTO feeds (name, url, title, created) VALUES (?, ?, ?, ?)",
                (name, url, title, int(time.time())),
            )
            return cursor.lastrowid
        feed_id, old_url, old_title = row
        if (url and url != old_url) or (title and title != old_title):
            db.execute(
                "UPDATE feeds SET url = ?, title = ? WHERE id = ?",
                (url or old_url, title or old_title, feed_id),
            )
        return feed_id


def sync_feeds(db: Database, feeds: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Make the (name, url) pairs of the config the configured feeds; returns name -> id.

    Feeds dropped from the config keep their row and items (nothing stored is lost); they
    are only marked as no longer configured, so the poller skips them.
    """
    ids: dict[str, int] = {}
    with transaction(db):
        db.execute("UPDATE feeds SET in_config = 0")
        for name, url in feeds:
            ids[name] = ensure_feed(db, name, url)
            db.execute("UPDATE feeds SET in_config = 1 WHERE id = ?", (ids[name],))
    return ids


def feed_ids(db: Database) -> dict[str, int]:
    return {name: feed_id for name, feed_id in db.execute("SELECT name, id FROM feeds")}
