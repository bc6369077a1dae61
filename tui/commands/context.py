"""What most commands start with: the validated config, then the database.

The config (and any query) is validated before the database is opened, so that a mistake
leaves nothing written anywhere.
"""

from __future__ import annotations

import argparse

from sqlite_utils import Database

import storage
from feeds.config import Config, load_config
from feeds.ingest import prepare
from feeds.tagger import CompiledStoryline
from tui.paths import resolve_config_path, resolve_db_path


def config_from(args: argparse.Namespace) -> Config:
    return load_config(resolve_config_path(args.config))


def database_from(
    args: argparse.Namespace, config: Config
) -> tuple[Database, list[CompiledStoryline]]:
    """Open the database and bring its feeds and storylines in line with `config`."""
    db = storage.open_db(resolve_db_path(args.db))
    return db, prepare(db, config)


def load(args: argparse.Namespace) -> tuple[Config, Database, list[CompiledStoryline]]:
    config = config_from(args)
    db, storylines = database_from(args, config)
    return config, db, storylines
