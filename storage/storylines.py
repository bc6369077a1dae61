"""The storylines table and the links between items and storylines."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from sqlite_utils import Database

from storage.db import transaction
from storage.developments import rebuild_storyline
from storage.models import StorylineRecord

# (title, summary) -> the query terms found in them: recorded on each link to say why.
TermFinder = Callable[[str, str], Sequence[str]]


def sync_storylines(db: Database, storylines: Sequence[StorylineRecord]) -> list[str]:
    """Make the table match the config; return the slugs whose links are out of date.

    A storyline removed from the config loses its links (its items stay). A new storyline,
    or one whose definition changed, is returned so that the caller re-tags it.
    """
    wanted = {s.slug: s for s in storylines}
    with transaction(db):
        for (slug,) in db.execute("SELECT slug FROM storylines").fetchall():
            if slug not in wanted:
                db.execute("DELETE FROM storylines WHERE slug = ?", (slug,))
        for s in storylines:
            db.execute(
                "INSERT INTO storylines (slug, title, definition) VALUES (?, ?, ?) "
                "ON CONFLICT(slug) DO UPDATE SET title = excluded.title, "
                "definition = excluded.definition",
                (s.slug, s.title, s.definition),
            )
        stale = db.execute(
            "SELECT slug FROM storylines WHERE definition != tagged_definition ORDER BY slug"
        ).fetchall()
    return [slug for (slug,) in stale]


def retag_storyline(
    db: Database,
    slug: str,
    match: str,
    feeds: Sequence[str] = (),
    find_terms: TermFinder | None = None,
) -> int:
    """Replace the storyline's links with every stored item its FTS5 `match` finds.

    The index does the searching; only the matching rows are read back, to record their
    terms. `feeds` limits the storyline to items of those feeds. Returns the link count.
    """
    with transaction(db):
        row = db.execute("SELECT id, definition FROM storylines WHERE slug = ?", (slug,)).fetchone()
        if row is None:
            raise KeyError(f"no storyline {slug!r} in the database")
        storyline_id, definition = row
        db.execute("DELETE FROM item_storylines WHERE storyline_id = ?", (storyline_id,))
        scope = ""
        params: list = [storyline_id, match]
        if feeds:
            marks = ",".join("?" * len(feeds))
            scope = (
                "AND items_fts.rowid IN (SELECT i.id FROM items i JOIN feeds f "
                f"ON f.id = i.feed_id WHERE f.name IN ({marks}))"
            )
            params.extend(feeds)
        db.execute(
            "INSERT INTO item_storylines (storyline_id, item_id) "
            f"SELECT ?, rowid FROM items_fts WHERE items_fts MATCH ? {scope}",
            params,
        )
        if find_terms is not None:
            rows = db.execute(
                "SELECT i.id, i.title, i.summary FROM item_storylines l "
                "JOIN items i ON i.id = l.item_id WHERE l.storyline_id = ?",
                (storyline_id,),
            ).fetchall()
            db.conn.executemany(
                "UPDATE item_storylines SET terms = ? WHERE storyline_id = ? AND item_id = ?",
                [
                    (json.dumps(list(find_terms(title, summary))), storyline_id, item_id)
                    for item_id, title, summary in rows
                ],
            )
        rebuild_storyline(db, storyline_id)
        db.execute(
            "UPDATE storylines SET tagged_definition = ? WHERE id = ?", (definition, storyline_id)
        )
        return db.execute(
            "SELECT count(*) FROM item_storylines WHERE storyline_id = ?", (storyline_id,)
        ).fetchone()[0]


def storyline_slugs(db: Database) -> list[str]:
    return [slug for (slug,) in db.execute("SELECT slug FROM storylines ORDER BY slug")]


def storyline_titles(db: Database) -> dict[str, str]:
    """slug -> title of every storyline, in the order they were first configured."""
    return dict(db.execute("SELECT slug, title FROM storylines ORDER BY id").fetchall())
