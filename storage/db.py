"""Open the wirewatch database safely from several processes, and migrate its schema.

The dashboard and a headless `wirewatch poll` share one file, so: WAL (readers never block
the writer), a busy timeout (a second writer waits instead of failing), and every write in a
`BEGIN IMMEDIATE` transaction (taking the write lock up front; a deferred transaction that
upgrades later can fail with SQLITE_BUSY without waiting).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from storage.errors import StorageError

BUSY_TIMEOUT_MS = 10_000


def _v1_base_schema(db: Database) -> None:
    db["feeds"].create(
        {
            "id": int,
            "name": str,
            "url": str,
            "title": str,
            "site_link": str,
            "in_config": int,
            "etag": str,
            "last_modified": str,
            "last_fetch": int,  # unix seconds
            "last_status": str,  # ok | not-modified | error | dead
            "http_status": int,
            "last_error": str,
            "failures": int,  # consecutive
            "next_due": int,
            "created": int,
        },
        pk="id",
        not_null={"name", "url"},
        defaults={"url": "", "title": "", "site_link": "", "in_config": 0, "failures": 0},
    )
    db["feeds"].create_index(["name"], unique=True)
    # items.id follows publication time (see storage.items.time_ordered_id), so FTS5's rowid
    # order is newest-first order and paging is a keyset on id.
    db["items"].create(
        {
            "id": int,
            "feed_id": int,
            "guid": str,
            "title": str,
            "link": str,
            "summary": str,
            "author": str,
            "published": int,  # unix seconds, UTC
            "updated": int,
            "seq": int,  # arrival order: what a watcher asks "what is new since"
            "read": int,
        },
        pk="id",
        foreign_keys=[("feed_id", "feeds", "id")],
        not_null={"feed_id", "guid", "title", "link", "summary", "author", "published", "seq"},
        defaults={"title": "", "link": "", "summary": "", "author": "", "read": 0},
    )
    db["items"].create_index(["feed_id", "guid"], unique=True)
    db["items"].create_index(["seq"])
    db["items"].create_index(["feed_id", "id"])
    db["storylines"].create(
        {"id": int, "slug": str, "title": str, "definition": str, "tagged_definition": str},
        pk="id",
        not_null={"slug", "title"},
        defaults={"definition": "", "tagged_definition": ""},
    )
    db["storylines"].create_index(["slug"], unique=True)
    db.execute(
        """CREATE TABLE item_storylines (
            storyline_id INTEGER NOT NULL REFERENCES storylines(id) ON DELETE CASCADE,
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            terms TEXT NOT NULL DEFAULT '[]',  -- JSON list: the query terms that matched
            PRIMARY KEY (storyline_id, item_id)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX idx_item_storylines_item ON item_storylines(item_id)")
    # External-content FTS5: the text lives once, in items. Triggers keep the index in step.
    db.executescript(
        """
        CREATE VIRTUAL TABLE items_fts USING fts5(
            title, summary,
            content='items', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2',
            prefix='2 3'
        );
        CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
            INSERT INTO items_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
        END;
        CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, title, summary)
                VALUES ('delete', old.id, old.title, old.summary);
        END;
        CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, title, summary)
                VALUES ('delete', old.id, old.title, old.summary);
            INSERT INTO items_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
        END;
        """
    )


def _v2_developments(db: Database) -> None:
    """Developments: near-duplicate items from many feeds grouped as one piece of news."""
    db.executescript(
        """
        CREATE TABLE developments (
            id INTEGER PRIMARY KEY,
            first_item_id INTEGER NOT NULL,  -- the earliest report: orders the timeline
            title_item_id INTEGER NOT NULL,  -- the report whose title stands for all
            sources INTEGER NOT NULL DEFAULT 1,
            seq INTEGER NOT NULL DEFAULT 0  -- last change, like items.seq
        );
        CREATE UNIQUE INDEX idx_developments_first ON developments(first_item_id);
        ALTER TABLE items ADD COLUMN development_id INTEGER REFERENCES developments(id);
        CREATE INDEX idx_items_development ON items(development_id);
        -- Which storylines a development belongs to (any of its items tagged), keyed for
        -- newest-first keyset paging of one storyline's timeline.
        CREATE TABLE development_storylines (
            storyline_id INTEGER NOT NULL REFERENCES storylines(id) ON DELETE CASCADE,
            first_item_id INTEGER NOT NULL,
            development_id INTEGER NOT NULL REFERENCES developments(id) ON DELETE CASCADE,
            PRIMARY KEY (storyline_id, first_item_id)
        ) WITHOUT ROWID;
        CREATE INDEX idx_development_storylines_dev ON development_storylines(development_id);
        -- How many items contain each word: weights for similarity. fts5vocab can tell, but
        -- it walks a word's whole posting list (milliseconds for a common word in a large
        -- database), so the counts are kept as items arrive; '' holds the item count.
        CREATE VIRTUAL TABLE items_vocab USING fts5vocab(items_fts, 'row');
        CREATE TABLE vocabulary (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO vocabulary (term, docs) SELECT term, doc FROM items_vocab;
        INSERT INTO vocabulary (term, docs) SELECT '', count(*) FROM items;
        CREATE INDEX idx_items_unread ON items(id) WHERE read = 0;
        -- Items stored before developments existed: each is its own development.
        INSERT INTO developments (first_item_id, title_item_id, sources, seq)
            SELECT id, id, 1, seq FROM items;
        UPDATE items SET development_id =
            (SELECT d.id FROM developments d WHERE d.first_item_id = items.id);
        INSERT INTO development_storylines (storyline_id, first_item_id, development_id)
            SELECT l.storyline_id, i.id, i.development_id
            FROM item_storylines l JOIN items i ON i.id = l.item_id;
        """
    )


def _v3_fetch_state(db: Database) -> None:
    """What the poller must remember about each feed between fetches."""
    feeds = db["feeds"]
    # A 301/308 moves a feed for good: fetch `moved_to` while the configured url is still
    # `moved_from`; editing the url in feeds.yaml makes the move stale, and it is ignored.
    feeds.add_column("moved_to", str)
    feeds.add_column("moved_from", str)
    # The URL whose response gave etag/last_modified: validators are only sent back there.
    feeds.add_column("validated_url", str)
    # The feeds.yaml entry (location, interval, tags) as of the last fetch: an edit makes
    # the feed due at once, and is the only thing that brings a dead (410) feed back.
    feeds.add_column("entry", str)
    feeds.add_column("last_success", int)  # unix seconds
    feeds.add_column("last_new", int)  # new items in the last fetch


def _v4_arrival(db: Database) -> None:
    """items.seq moves on when an item changes; created_seq remembers when it arrived, so a
    watcher can tell new items from edited ones."""
    db.execute("ALTER TABLE items ADD COLUMN created_seq INTEGER")
    db.execute("UPDATE items SET created_seq = seq")


def _v5_fetch_claims(db: Database) -> None:
    """A claimed feed's next_due is a lease; claimed_until says so, so a second poller that
    reads the state after the claim leaves the feed alone even when it would fetch it now
    regardless of next_due (never fetched, entry edited, or `poll --all`)."""
    db.execute("ALTER TABLE feeds ADD COLUMN claimed_until INTEGER")


# Forward migrations: MIGRATIONS[n] takes a database at version n to n + 1. Append only.
MIGRATIONS: list[Callable[[Database], None]] = [
    _v1_base_schema,
    _v2_developments,
    _v3_fetch_state,
    _v4_arrival,
    _v5_fetch_claims,
]
SCHEMA_VERSION = len(MIGRATIONS)


def chunks(values: Sequence, size: int = 500) -> Iterable[Sequence]:
    """Slices small enough for one `IN (...)` list (SQLite caps bound parameters)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


@contextmanager
def transaction(db: Database) -> Iterator[None]:
    """One write transaction; nested uses join the outer one."""
    conn = db.conn
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _schema_version(db: Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: Database) -> None:
    if _schema_version(db) == SCHEMA_VERSION:
        return
    with transaction(db):
        # Re-read inside the write lock: another process may have migrated meanwhile.
        version = _schema_version(db)
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"{db.conn.execute('PRAGMA database_list').fetchone()[2]}: schema version "
                f"{version} is newer than this wirewatch knows ({SCHEMA_VERSION}); upgrade it"
            )
        for step in MIGRATIONS[version:]:
            step(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def open_db(path: Path | str, *, migrate_schema: bool = True) -> Database:
    """Open (creating if needed) the database at `path`, ready for use from any thread.

    Each thread should still use its own connection for concurrent work; check_same_thread
    is off so a connection may be handed to a worker thread that is its only user.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise StorageError(f"{path}: cannot switch the database to WAL mode ({mode})")
        # NORMAL is durable across application crashes in WAL mode; only a power cut can
        # lose the last transactions, and the next poll fetches them again.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = Database(conn)
        if migrate_schema:
            migrate(db)
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path}: {exc}") from exc
    except OSError as exc:
        raise StorageError(f"{path}: {exc.strerror or exc}") from exc
    return db
