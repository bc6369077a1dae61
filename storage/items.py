"""Write items (idempotently, with their storyline links) and read them back by id."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from sqlite_utils import Database

from storage.db import chunks, transaction
from storage.developments import add_storylines, new_development, refresh
from storage.ids import ID_SCALE
from storage.models import NewItem, SaveResult, StoredItem, Tag

Tagger = Callable[[NewItem], Sequence[Tag]]


def _timestamp(when: datetime | None) -> int | None:
    return None if when is None else int(when.timestamp())


def _allocate_id(db: Database, published: int) -> int:
    base = max(0, published) * ID_SCALE
    top = db.execute(
        "SELECT max(id) FROM items WHERE id >= ? AND id < ?", (base, base + ID_SCALE)
    ).fetchone()[0]
    if top is None:
        return base
    candidate = top + 1
    while db.execute("SELECT 1 FROM items WHERE id = ?", (candidate,)).fetchone():
        candidate += 1  # a million items in one second: spill into the next, harmlessly
    return candidate


def next_seq(db: Database) -> int:
    return db.execute("SELECT coalesce(max(seq), 0) + 1 FROM items").fetchone()[0]


def _storyline_ids(db: Database) -> dict[str, int]:
    return {slug: sid for slug, sid in db.execute("SELECT slug, id FROM storylines")}


def save_items(
    db: Database, feed_id: int, items: Iterable[NewItem], tag: Tagger | None = None
) -> SaveResult:
    """Store a feed's items: new ones inserted, changed ones updated, the rest untouched.

    Re-saving the same entries changes nothing. A changed entry (same guid, new text) keeps
    its id, read state and publication time, and is re-indexed and re-tagged. `tag` decides
    the storylines of every new or changed item, inside this same transaction.
    """
    latest: dict[str, NewItem] = {}
    for item in items:
        latest[item.guid] = item  # a feed that repeats an entry: the last copy wins
    new: list[int] = []
    updated: list[int] = []
    unchanged = 0
    tag_counts: dict[str, int] = {}
    with transaction(db):
        existing: dict[str, tuple] = {}
        for chunk in chunks(list(latest)):
            marks = ",".join("?" * len(chunk))
            for row in db.execute(
                "SELECT guid, id, title, summary, link, author FROM items "
                f"WHERE feed_id = ? AND guid IN ({marks})",
                (feed_id, *chunk),
            ):
                existing[row[0]] = row[1:]
        seq = next_seq(db)
        changed: list[tuple[int, NewItem]] = []
        for guid, item in latest.items():
            before = existing.get(guid)
            if before is None:
                item_id = _allocate_id(db, int(item.published.timestamp()))
                db.execute(
                    "INSERT INTO items (id, feed_id, guid, title, link, summary, author, "
                    "published, updated, seq, created_seq) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        item_id,
                        feed_id,
                        guid,
                        item.title,
                        item.link,
                        item.summary,
                        item.author,
                        int(item.published.timestamp()),
                        _timestamp(item.updated),
                        seq,
                        seq,
                    ),
                )
                new_development(db, item_id, seq)
                new.append(item_id)
                changed.append((item_id, item))
            elif before[1:] != (item.title, item.summary, item.link, item.author):
                item_id = before[0]
                # seq moves on so that watchers see the change as well as new arrivals.
                db.execute(
                    "UPDATE items SET title = ?, summary = ?, link = ?, author = ?, "
                    "updated = ?, seq = ? WHERE id = ?",
                    (
                        item.title,
                        item.summary,
                        item.link,
                        item.author,
                        _timestamp(item.updated),
                        seq,
                        item_id,
                    ),
                )
                updated.append(item_id)
                changed.append((item_id, item))
            else:
                unchanged += 1
        if tag is not None and changed:
            tag_counts = _tag(db, changed, tag, set(updated))
        # Developments follow their items' text and storylines. A new item's development is
        # new too, complete but for the storylines it belongs to.
        add_storylines(db, new)
        refresh(db, _developments_of(db, updated))
    return SaveResult(new, updated, unchanged, tag_counts)


def _developments_of(db: Database, item_ids: Sequence[int]) -> list[int]:
    found: list[int] = []
    for chunk in chunks(list(item_ids)):
        marks = ",".join("?" * len(chunk))
        found.extend(
            r[0]
            for r in db.execute(
                f"SELECT DISTINCT development_id FROM items WHERE id IN ({marks})", tuple(chunk)
            )
        )
    return found


def _tag(
    db: Database, changed: list[tuple[int, NewItem]], tag: Tagger, updated: set[int]
) -> dict[str, int]:
    storyline_ids = _storyline_ids(db)
    counts: dict[str, int] = {}
    for item_id, item in changed:
        if item_id in updated:
            db.execute("DELETE FROM item_storylines WHERE item_id = ?", (item_id,))
        for link in tag(item):
            storyline_id = storyline_ids.get(link.slug)
            if storyline_id is None:
                raise KeyError(f"storyline {link.slug!r} is not in the database; sync it first")
            db.execute(
                "INSERT OR REPLACE INTO item_storylines (storyline_id, item_id, terms) "
                "VALUES (?, ?, ?)",
                (storyline_id, item_id, json.dumps(list(link.terms))),
            )
            if item_id not in updated:  # re-tagging a changed item is not news
                counts[link.slug] = counts.get(link.slug, 0) + 1
    return counts


def _utc(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def load_items(db: Database, ids: Sequence[int]) -> dict[int, StoredItem]:
    """The items with these ids (missing ids are skipped), with feed name and storylines."""
    found: dict[int, StoredItem] = {}
    for chunk in chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        storylines: dict[int, list[str]] = {}
        for item_id, slug in db.execute(
            "SELECT l.item_id, s.slug FROM item_storylines l "
            f"JOIN storylines s ON s.id = l.storyline_id WHERE l.item_id IN ({marks}) "
            "ORDER BY s.slug",
            tuple(chunk),
        ):
            storylines.setdefault(item_id, []).append(slug)
        for row in db.execute(
            "SELECT i.id, i.seq, f.name, i.guid, i.title, i.link, i.summary, i.author, "
            "i.published, i.updated, i.read FROM items i JOIN feeds f ON f.id = i.feed_id "
            f"WHERE i.id IN ({marks})",
            tuple(chunk),
        ):
            found[row[0]] = StoredItem(
                id=row[0],
                seq=row[1],
                feed=row[2],
                guid=row[3],
                title=row[4],
                link=row[5],
                summary=row[6],
                author=row[7],
                published=datetime.fromtimestamp(row[8], UTC),
                updated=_utc(row[9]),
                read=bool(row[10]),
                storylines=tuple(storylines.get(row[0], ())),
            )
    return found


def item_count(db: Database) -> int:
    return db.execute("SELECT count(*) FROM items").fetchone()[0]
