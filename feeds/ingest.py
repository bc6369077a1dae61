"""The ingest pipeline's back half: parsed items -> tagged -> stored, one transaction each.

`wirewatch ingest` feeds it local files; the poller feeds it fetched documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

import storage
from feeds.config import Config
from feeds.developments import group_items
from feeds.errors import FeedError
from feeds.parse import ParsedFeed, parse_feed
from feeds.tagger import CompiledStoryline, compile_storylines, sync_storylines, tagger

FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json", ".feed"}


@dataclass(frozen=True)
class IngestReport:
    feed: str
    source: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    tags: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    warning: str | None = None


def prepare(db: Database, config: Config) -> list[CompiledStoryline]:
    """Sync the config's feeds and storylines into the database; re-tag stale storylines."""
    storage.sync_feeds(db, [(f.name, f.location) for f in config.feeds])
    storylines = compile_storylines(config)
    sync_storylines(db, storylines)
    return storylines


def store_parsed(
    db: Database,
    feed: str,
    parsed: ParsedFeed,
    storylines: Sequence[CompiledStoryline],
    url: str = "",
) -> storage.SaveResult:
    """Tag, store and group one parsed feed's items (joins the caller's transaction, if any).

    Tagging happens as each item is stored; each new item then joins the development it
    reports, so the timeline shows one row per piece of news.
    """
    with storage.transaction(db):
        feed_id = storage.ensure_feed(db, feed, url, parsed.title)
        result = storage.save_items(db, feed_id, parsed.items, tagger(storylines, feed))
        group_items(db, result.new)
        return result


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given; directories become the feed files directly inside them, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FEED_SUFFIXES
                )
            )
        else:
            files.append(path)
    return files


def ingest_files(
    db: Database,
    paths: Sequence[Path],
    config: Config,
    storylines: Sequence[CompiledStoryline],
    feed_name: str | None = None,
) -> list[IngestReport]:
    """Parse and store local feed files; a bad file is reported and the rest go on.

    Each file's feed is `feed_name` if given, else the configured feed with that path, else
    the feed's own title, else the file name: so a folder of daily archives of one publisher
    lands in one feed.
    """
    by_path = {f.path.resolve(): f.name for f in config.feeds if f.path is not None}
    reports: list[IngestReport] = []
    for path in expand_paths(paths):
        source = str(path)
        guess = feed_name or by_path.get(path.resolve()) or path.stem
        try:
            data = path.read_bytes()
        except OSError as exc:
            reports.append(IngestReport(guess, source, error=f"cannot read: {exc.strerror or exc}"))
            continue
        try:
            parsed = parse_feed(
                data, feed=guess, fetched_at=datetime.now(UTC), base_url=path.resolve().as_uri()
            )
        except FeedError as exc:
            reports.append(IngestReport(guess, source, error=exc.message))
            continue
        name = feed_name or by_path.get(path.resolve()) or parsed.title or path.stem
        result = store_parsed(db, name, parsed, storylines, path.resolve().as_uri())
        reports.append(
            IngestReport(
                name,
                source,
                len(result.new),
                len(result.updated),
                result.unchanged,
                result.tags,
                warning=parsed.warning,
            )
        )
    return reports
