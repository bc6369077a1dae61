"""Which config file and which database: command line, then environment, then defaults."""

from __future__ import annotations

import os
import shutil
from importlib.resources import files
from pathlib import Path

import platformdirs

APP = "wirewatch"
CONFIG_ENV = "WIREWATCH_CONFIG"
DB_ENV = "WIREWATCH_DB"


def bundled_config() -> Path:
    """The default feeds.yaml shipped inside the package (a copy of the repository's)."""
    return Path(str(files("feeds") / "default_feeds.yaml"))


def resolve_config_path(option: str | None) -> Path:
    """--config, else $WIREWATCH_CONFIG, else ./feeds.yaml, else the user's config dir.

    The user's copy is created from the bundled default on first use, so a fresh install
    starts with real feeds and the two shipped storylines.
    """
    if option:
        return Path(option).expanduser()
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser()
    local = Path("feeds.yaml")
    if local.is_file():
        return local
    user = platformdirs.user_config_path(APP) / "feeds.yaml"
    if not user.exists():
        user.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bundled_config(), user)
    return user


def resolve_db_path(option: str | None) -> Path:
    """--db, else $WIREWATCH_DB, else wirewatch.db in the user's data dir."""
    if option:
        return Path(option).expanduser()
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV]).expanduser()
    return platformdirs.user_data_path(APP) / "wirewatch.db"
