"""Keyword search over every stored item, newest first or by relevance, a page at a time.

Newest first reads FTS5 matches in rowid order, which is publication order (see
storage.ids.ID_SCALE), so the first page of even a very common word costs a fraction of a
millisecond: no sort of all matches. Ranked search scores only the newest RANK_WINDOW matches,
which bounds its cost on common words; rare words are ranked in full.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.errors import StorageError
from storage.ids import id_floor
from storage.items import load_items
from storage.lookup import storyline_id
from storage.models import MARK_END, MARK_START, SearchHit

RANK_WINDOW = 5000
SNIPPET_TOKENS = 24


@dataclass(frozen=True)
class SearchFilter:
    storyline: str | None = None  # slug
    untagged: bool = False  # only items in no storyline
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None  # keyset paging: items older than this one


def _range(column: str, where: SearchFilter) -> tuple[list[str], list]:
    clauses: list[str] = []
    params: list = []
    if where.since is not None:
        clauses.append(f"{column} >= ?")
        params.append(id_floor(where.since))
    if where.until is not None:
        clauses.append(f"{column} < ?")
        params.append(id_floor(where.until))
    if where.before_id is not None:
        clauses.append(f"{column} < ?")
        params.append(where.before_id)
    return clauses, params


def _matching_ids(
    db: Database, match: str | None, where: SearchFilter, limit: int, rank: bool
) -> list[int]:
    if match is None:
        if where.storyline is not None:
            clauses, params = _range("item_id", where)
            sql = "SELECT item_id FROM item_storylines WHERE storyline_id = ?"
            params.insert(0, storyline_id(db, where.storyline))
        else:
            clauses, params = _range("id", where)
            sql = "SELECT id FROM items WHERE 1"
            if where.untagged:
                clauses.append("NOT EXISTS (SELECT 1 FROM item_storylines WHERE item_id = id)")
        sql += "".join(f" AND {c}" for c in clauses)
        column = "item_id" if where.storyline is not None else "id"
        sql += f" ORDER BY {column} DESC LIMIT ?"
        return [r[0] for r in db.execute(sql, (*params, limit))]

    clauses, params = _range("rowid", where)
    if where.storyline is not None:
        clauses.append("rowid IN (SELECT item_id FROM item_storylines WHERE storyline_id = ?)")
        params.append(storyline_id(db, where.storyline))
    if where.untagged:
        clauses.append("rowid NOT IN (SELECT item_id FROM item_storylines)")
    filters = "".join(f" AND {c}" for c in clauses)
    if rank:
        # Title hits weigh three times summary hits.
        sql = (
            "SELECT id FROM (SELECT rowid AS id, bm25(items_fts, 3.0, 1.0) AS score "
            f"FROM items_fts WHERE items_fts MATCH ?{filters} ORDER BY rowid DESC LIMIT ?) "
            "ORDER BY score, id DESC LIMIT ?"
        )
        args = (match, *params, RANK_WINDOW, limit)
    else:
        sql = f"SELECT rowid FROM items_fts WHERE items_fts MATCH ?{filters} "
        sql += "ORDER BY rowid DESC LIMIT ?"
        args = (match, *params, limit)
    return [r[0] for r in db.execute(sql, args)]


def search(
    db: Database,
    match: str | None,
    where: SearchFilter = SearchFilter(),
    *,
    limit: int = 50,
    rank: bool = False,
) -> list[SearchHit]:
    """Items matching the FTS5 expression `match` (every item when None), newest first.

    `match` must come from feeds.query.to_fts5, never from user text directly.
    """
    try:
        ids = _matching_ids(db, match, where, limit, rank)
        items = load_items(db, ids)
        marks: dict[int, tuple[str, str]] = {}
        if match is not None and ids:
            placeholders = ",".join("?" * len(ids))
            for item_id, title, snippet in db.execute(
                "SELECT rowid, highlight(items_fts, 0, ?, ?), "
                f"snippet(items_fts, 1, ?, ?, '…', {SNIPPET_TOKENS}) FROM items_fts "
                f"WHERE items_fts MATCH ? AND rowid IN ({placeholders})",
                (MARK_START, MARK_END, MARK_START, MARK_END, match, *ids),
            ):
                marks[item_id] = (title, snippet)
    except sqlite3.OperationalError as exc:
        # Compiled queries are valid FTS5; this is the database (locked, corrupt, ...).
        raise StorageError(f"search failed: {exc}") from exc
    hits = []
    for item_id in ids:
        item = items.get(item_id)
        if item is None:  # deleted between the two reads
            continue
        title, snippet = marks.get(item_id, (item.title, _lead(item.summary)))
        hits.append(SearchHit(item, title, snippet))
    return hits


def _lead(summary: str, words: int = SNIPPET_TOKENS) -> str:
    parts = summary.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def count_matches(db: Database, match: str) -> int:
    return db.execute(
        "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?", (match,)
    ).fetchone()[0]
