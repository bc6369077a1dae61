"""Read state and change tracking: what the dashboard asks while it watches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from storage.db import chunks, transaction
from storage.lookup import storyline_id


@dataclass(frozen=True)
class Changes:
    seq: int  # the newest change seen; ask again with this
    developments: tuple[int, ...]  # ids of developments added or changed since
    new_items: dict[str | None, int]  # storyline slug (None: no storyline) -> new items


def data_version(db: Database) -> int:
    """Changes whenever another connection commits: a cheap 'anything new?' check."""
    return db.execute("PRAGMA data_version").fetchone()[0]


def latest_seq(db: Database) -> int:
    return db.execute("SELECT coalesce(max(seq), 0) FROM items").fetchone()[0]


def changes_since(db: Database, seq: int) -> Changes:
    """What arrived or changed after `seq` (an earlier `Changes.seq` or `latest_seq`)."""
    rows = db.execute(
        "SELECT i.id, i.seq, i.created_seq, i.development_id, s.slug FROM items i "
        "LEFT JOIN item_storylines l ON l.item_id = i.id "
        "LEFT JOIN storylines s ON s.id = l.storyline_id WHERE i.seq > ?",
        (seq,),
    ).fetchall()
    newest = max((r[1] for r in rows), default=seq)
    developments = tuple(dict.fromkeys(r[3] for r in rows))
    counted: dict[str | None, set[int]] = {}
    for item_id, _, created, _, slug in rows:
        if created is None or created > seq:  # arrived since, not merely edited
            counted.setdefault(slug, set()).add(item_id)
    return Changes(newest, developments, {slug: len(ids) for slug, ids in counted.items()})


def mark_items_read(db: Database, item_ids: Sequence[int], read: bool = True) -> None:
    with transaction(db):
        for chunk in chunks(list(item_ids)):
            marks = ",".join("?" * len(chunk))
            db.execute(f"UPDATE items SET read = ? WHERE id IN ({marks})", (int(read), *chunk))


def mark_developments_read(db: Database, development_ids: Sequence[int], read: bool = True) -> None:
    with transaction(db):
        for chunk in chunks(list(development_ids)):
            marks = ",".join("?" * len(chunk))
            db.execute(
                f"UPDATE items SET read = ? WHERE development_id IN ({marks})", (int(read), *chunk)
            )


def mark_all_read(db: Database, storyline: str | None = None, *, untagged: bool = False) -> None:
    """Every item read, or every item of one storyline, or (`untagged`) of none."""
    with transaction(db):
        if untagged:
            db.execute(
                "UPDATE items SET read = 1 WHERE read = 0 AND id NOT IN "
                "(SELECT item_id FROM item_storylines)"
            )
        elif storyline is None:
            db.execute("UPDATE items SET read = 1 WHERE read = 0")
        else:
            db.execute(
                "UPDATE items SET read = 1 WHERE read = 0 AND id IN "
                "(SELECT item_id FROM item_storylines WHERE storyline_id = ?)",
                (storyline_id(db, storyline),),
            )


def unread_untagged(db: Database) -> int:
    """Unread items that belong to no storyline."""
    return db.execute(
        "SELECT count(*) FROM items INDEXED BY idx_items_unread WHERE read = 0 AND NOT EXISTS "
        "(SELECT 1 FROM item_storylines l WHERE l.item_id = items.id)"
    ).fetchone()[0]


def unread_counts(db: Database) -> dict[str | None, int]:
    """Unread items per storyline slug; None counts every unread item."""
    counts: dict[str | None, int] = {
        slug: count
        for slug, count in db.execute(
            "SELECT s.slug, count(*) FROM items i INDEXED BY idx_items_unread "
            "JOIN item_storylines l ON l.item_id = i.id JOIN storylines s ON s.id = l.storyline_id "
            "WHERE i.read = 0 GROUP BY s.slug"
        )
    }
    counts[None] = db.execute(
        "SELECT count(*) FROM items INDEXED BY idx_items_unread WHERE read = 0"
    ).fetchone()[0]
    return counts
