"""Developments: one piece of news as reported by one or more feeds.

Every item belongs to exactly one development: `save_items` gives each new item its own,
and the grouper (feeds.developments) may then move it into an existing one. A development
is ordered by its earliest report (`first_item_id`, an item id, hence a publication time),
and belongs to every storyline any of its items is tagged with.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from storage.db import chunks, transaction
from storage.ids import ID_SCALE
from storage.lookup import storyline_id


@dataclass(frozen=True)
class Source:
    item_id: int
    feed: str
    title: str
    link: str
    published: datetime
    read: bool


@dataclass(frozen=True)
class Development:
    id: int
    key: int  # the earliest report's item id: the keyset cursor for paging a timeline
    published: datetime  # the earliest report's time
    title: str
    summary: str
    link: str
    sources: tuple[Source, ...]  # earliest first
    storylines: tuple[str, ...]
    terms: dict[str, tuple[str, ...]]  # storyline slug -> the query terms that matched
    unread: bool
    seq: int  # last change

    @property
    def feeds(self) -> tuple[str, ...]:
        """Distinct feeds that reported it, earliest first."""
        return tuple(dict.fromkeys(s.feed for s in self.sources))


@dataclass(frozen=True)
class Candidate:
    """A stored item that a new item might report the same news as."""

    item_id: int
    development_id: int
    development_start: int  # unix seconds of the development's earliest report
    feed_id: int
    title: str
    summary: str


def new_development(db: Database, item_id: int, seq: int) -> int:
    development_id = db.execute(
        "INSERT INTO developments (first_item_id, title_item_id, sources, seq) VALUES (?, ?, 1, ?)",
        (item_id, item_id, seq),
    ).lastrowid
    db.execute("UPDATE items SET development_id = ? WHERE id = ?", (development_id, item_id))
    return development_id


def refresh(db: Database, development_ids: Iterable[int], title_item: dict[int, int] | None = None):
    """Recompute order key, size and storylines of these developments; drop empty ones.

    `title_item` optionally names, per development, the item whose title stands for it;
    otherwise the current one is kept while it is still a member, else the earliest.
    """
    title_item = title_item or {}
    # In the order given: a development emptied by a move must go before the one that
    # gained its item takes over that item's place in the indexes.
    for development_id in dict.fromkeys(development_ids):
        first, count, latest_seq = db.execute(
            "SELECT min(id), count(*), max(seq) FROM items WHERE development_id = ?",
            (development_id,),
        ).fetchone()
        if first is None:
            db.execute("DELETE FROM developments WHERE id = ?", (development_id,))
            continue
        chosen = title_item.get(development_id)
        if chosen is None:
            current = db.execute(
                "SELECT d.title_item_id FROM developments d JOIN items i "
                "ON i.id = d.title_item_id AND i.development_id = d.id WHERE d.id = ?",
                (development_id,),
            ).fetchone()
            chosen = current[0] if current else first
        db.execute(
            "UPDATE developments SET first_item_id = ?, title_item_id = ?, sources = ?, "
            "seq = max(seq, ?) WHERE id = ?",
            (first, chosen, count, latest_seq, development_id),
        )
        db.execute("DELETE FROM development_storylines WHERE development_id = ?", (development_id,))
        db.execute(
            "INSERT INTO development_storylines (storyline_id, first_item_id, development_id) "
            "SELECT DISTINCT l.storyline_id, ?, ? FROM item_storylines l "
            "JOIN items i ON i.id = l.item_id WHERE i.development_id = ?",
            (first, development_id, development_id),
        )


def add_storylines(db: Database, item_ids: Sequence[int]) -> None:
    """File the developments of these items (each its own, just made) under the items'
    storylines."""
    for chunk in chunks(list(item_ids)):
        marks = ",".join("?" * len(chunk))
        db.execute(
            "INSERT OR IGNORE INTO development_storylines "
            "(storyline_id, first_item_id, development_id) "
            "SELECT l.storyline_id, i.id, i.development_id FROM item_storylines l "
            f"JOIN items i ON i.id = l.item_id WHERE l.item_id IN ({marks})",
            tuple(chunk),
        )


def move_item(db: Database, item_id: int, development_id: int) -> None:
    """File an item under another development (its old one goes if left empty)."""
    with transaction(db):
        (old,) = db.execute("SELECT development_id FROM items WHERE id = ?", (item_id,)).fetchone()
        db.execute("UPDATE items SET development_id = ? WHERE id = ?", (development_id, item_id))
        refresh(db, [old, development_id])


def merge(db: Database, into: int, others: Sequence[int]) -> None:
    """Fold the items of `others` into development `into`; the emptied ones go."""
    if not others:
        return
    with transaction(db):
        for chunk in chunks(list(others)):
            marks = ",".join("?" * len(chunk))
            db.execute(
                f"UPDATE items SET development_id = ? WHERE development_id IN ({marks})",
                (into, *chunk),
            )
        refresh(db, [*others, into])


def set_title_item(db: Database, development_id: int, item_id: int) -> None:
    db.execute(
        "UPDATE developments SET title_item_id = ? WHERE id = ? AND EXISTS "
        "(SELECT 1 FROM items WHERE id = ? AND development_id = ?)",
        (item_id, development_id, item_id, development_id),
    )


def item_text(db: Database, item_id: int) -> tuple[str, str, int] | None:
    """Title, summary and publication time (unix seconds) of one item."""
    return db.execute(
        "SELECT title, summary, published FROM items WHERE id = ?", (item_id,)
    ).fetchone()


def members(db: Database, development_id: int, limit: int = -1) -> list[tuple[int, str, str]]:
    """(item id, title, summary) of a development's items, earliest first (`limit`: the
    first that many; -1, all)."""
    return db.execute(
        "SELECT id, title, summary FROM items WHERE development_id = ? ORDER BY id LIMIT ?",
        (development_id, limit),
    ).fetchall()


def rebuild_storyline(db: Database, storyline_id: int) -> None:
    """Recompute which developments are in one storyline after its links were replaced."""
    db.execute("DELETE FROM development_storylines WHERE storyline_id = ?", (storyline_id,))
    db.execute(
        "INSERT INTO development_storylines (storyline_id, first_item_id, development_id) "
        "SELECT DISTINCT ?, d.first_item_id, d.id FROM item_storylines l "
        "JOIN items i ON i.id = l.item_id JOIN developments d ON d.id = i.development_id "
        "WHERE l.storyline_id = ?",
        (storyline_id, storyline_id),
    )


def candidates(
    db: Database, match: str, since: int, until: int, exclude_item: int, limit: int = 25
) -> list[Candidate]:
    """Items published in [since, until] (unix seconds) matching the FTS5 `match`, most
    relevant first."""
    lowest_id, highest_id = since * ID_SCALE, (until + 1) * ID_SCALE - 1
    rows = db.execute(
        "SELECT i.id, i.development_id, d.first_item_id / ?, i.feed_id, i.title, i.summary FROM "
        "(SELECT rowid, bm25(items_fts, 3.0, 1.0) AS score FROM items_fts "
        "WHERE items_fts MATCH ? AND rowid BETWEEN ? AND ? AND rowid != ? "
        "ORDER BY score LIMIT ?) AS hit JOIN items i ON i.id = hit.rowid "
        "JOIN developments d ON d.id = i.development_id ORDER BY hit.score",
        (ID_SCALE, match, lowest_id, highest_id, exclude_item, limit),
    )
    return [Candidate(*row) for row in rows]


def document_frequencies(db: Database, tokens: Sequence[str]) -> tuple[dict[str, int], int]:
    """How many items contain each token, and how many items there are in all."""
    frequencies: dict[str, int] = {}
    for chunk in chunks(list(dict.fromkeys(tokens))):
        marks = ",".join("?" * len(chunk))
        frequencies.update(
            db.execute(f"SELECT term, docs FROM vocabulary WHERE term IN ({marks})", tuple(chunk))
        )
    row = db.execute("SELECT docs FROM vocabulary WHERE term = ''").fetchone()
    return frequencies, row[0] if row else 0


def count_documents(db: Database, documents: Sequence[set[str]]) -> None:
    """Add newly stored items (each as its set of tokens) to the vocabulary counts."""
    counts: dict[str, int] = {"": len(documents)}
    for tokens in documents:
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
    db.conn.executemany(
        "INSERT INTO vocabulary (term, docs) VALUES (?, ?) "
        "ON CONFLICT(term) DO UPDATE SET docs = docs + excluded.docs",
        counts.items(),
    )


def rebuild_vocabulary(db: Database) -> None:
    """Recount the vocabulary from the search index (after a bulk load)."""
    with transaction(db):
        db.execute("DELETE FROM vocabulary")
        db.execute("INSERT INTO vocabulary (term, docs) SELECT term, doc FROM items_vocab")
        db.execute("INSERT INTO vocabulary (term, docs) SELECT '', count(*) FROM items")


def _timeline_keys(
    db: Database, storyline: str | None, untagged: bool, before: int | None, limit: int
) -> list[int]:
    below = before if before is not None else 2**63 - 1
    if storyline is not None:
        rows = db.execute(
            "SELECT development_id FROM development_storylines WHERE storyline_id = ? "
            "AND first_item_id < ? ORDER BY first_item_id DESC LIMIT ?",
            (storyline_id(db, storyline), below, limit),
        )
    elif untagged:
        rows = db.execute(
            "SELECT id FROM developments d WHERE first_item_id < ? AND NOT EXISTS "
            "(SELECT 1 FROM development_storylines s WHERE s.development_id = d.id) "
            "ORDER BY first_item_id DESC LIMIT ?",
            (below, limit),
        )
    else:
        rows = db.execute(
            "SELECT id FROM developments WHERE first_item_id < ? "
            "ORDER BY first_item_id DESC LIMIT ?",
            (below, limit),
        )
    return [r[0] for r in rows]


def timeline(
    db: Database,
    storyline: str | None = None,
    *,
    untagged: bool = False,
    before: int | None = None,
    limit: int = 50,
) -> list[Development]:
    """One page of developments, newest first: of a storyline, untagged ones, or all.

    Page on by passing the last development's `key` as `before`.
    """
    ids = _timeline_keys(db, storyline, untagged, before, limit)
    found = load_developments(db, ids)
    return [found[i] for i in ids if i in found]


def development_of_item(db: Database, item_id: int) -> Development | None:
    """The development an item reports (None if the item is gone)."""
    row = db.execute("SELECT development_id FROM items WHERE id = ?", (item_id,)).fetchone()
    if row is None or row[0] is None:
        return None
    return load_developments(db, [row[0]]).get(row[0])


def load_developments(db: Database, ids: Sequence[int]) -> dict[int, Development]:
    out: dict[int, Development] = {}
    for chunk in chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        heads = {
            row[0]: row[1:]
            for row in db.execute(
                "SELECT d.id, d.first_item_id, d.seq, t.title, t.summary, t.link "
                "FROM developments d "
                f"JOIN items t ON t.id = d.title_item_id WHERE d.id IN ({marks})",
                tuple(chunk),
            )
        }
        sources: dict[int, list[Source]] = {}
        for row in db.execute(
            "SELECT i.development_id, i.id, f.name, i.title, i.link, i.published, i.read "
            f"FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.development_id IN ({marks}) "
            "ORDER BY i.id",
            tuple(chunk),
        ):
            sources.setdefault(row[0], []).append(
                Source(
                    row[1],
                    row[2],
                    row[3],
                    row[4],
                    datetime.fromtimestamp(row[5], UTC),
                    bool(row[6]),
                )
            )
        terms: dict[int, dict[str, list[str]]] = {}
        for development_id, slug, raw in db.execute(
            "SELECT i.development_id, s.slug, l.terms FROM item_storylines l "
            "JOIN items i ON i.id = l.item_id JOIN storylines s ON s.id = l.storyline_id "
            f"WHERE i.development_id IN ({marks}) ORDER BY s.slug, i.id",
            tuple(chunk),
        ):
            found = terms.setdefault(development_id, {}).setdefault(slug, [])
            found.extend(t for t in json.loads(raw) if t not in found)
        for development_id, (key, seq, title, summary, link) in heads.items():
            members = tuple(sources.get(development_id, ()))
            by_slug = terms.get(development_id, {})
            out[development_id] = Development(
                id=development_id,
                key=key,
                published=members[0].published if members else datetime.fromtimestamp(0, UTC),
                title=title,
                summary=summary,
                link=link,
                sources=members,
                storylines=tuple(by_slug),
                terms={slug: tuple(found) for slug, found in by_slug.items()},
                unread=any(not s.read for s in members),
                seq=seq,
            )
    return out
