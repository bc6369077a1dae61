"""Name -> id lookups shared by the query modules."""

from __future__ import annotations

from sqlite_utils import Database

from storage.errors import UnknownStoryline


def storyline_id(db: Database, slug: str) -> int:
    row = db.execute("SELECT id FROM storylines WHERE slug = ?", (slug,)).fetchone()
    if row is None:
        known = ", ".join(s for (s,) in db.execute("SELECT slug FROM storylines ORDER BY slug"))
        raise UnknownStoryline(f"no storyline {slug!r} (known: {known or 'none'})")
    return row[0]
