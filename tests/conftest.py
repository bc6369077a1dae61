"""Shared test fixtures: the fixture feeds, a database on disk, a config file, the CLI."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import storage
from feeds.config import Config, load_config
from feeds.ingest import ingest_files, prepare
from tests.feed_server import FeedServer
from tui.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
REAL_FEEDS = FIXTURES / "feeds" / "real"
TRICKY_FEEDS = FIXTURES / "feeds" / "tricky"
REPO = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads or writes the user's real config, data or cache."""
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / "xdg" / name.lower()))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("WIREWATCH_CONFIG", raising=False)
    monkeypatch.delenv("WIREWATCH_DB", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    # The feed server is on 127.0.0.1: never send a test's requests through a proxy.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def feed_server():
    """A real HTTP server on 127.0.0.1 (see tests/feed_server.py), stopped after the test."""
    server = FeedServer().start()
    yield server
    server.stop()


def feeds_yaml(feeds: dict[str, str], storylines: str = "", interval: str = "") -> str:
    """A feeds.yaml listing `feeds` (name -> url), with optional storylines YAML."""
    extra = f", interval: {interval}" if interval else ""
    lines = ["feeds:"] + [f'  - {{name: "{n}", url: "{u}"{extra}}}' for n, u in feeds.items()]
    if storylines:
        lines += ["storylines:", textwrap.indent(textwrap.dedent(storylines).strip(), "  ")]
    return "\n".join(lines) + "\n"


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "feeds.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def shipped_config() -> Config:
    return load_config(REPO / "feeds.yaml")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "wirewatch.db"


@pytest.fixture(scope="session")
def real_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every real fixture feed ingested once with the shipped config, copied per test."""
    path = tmp_path_factory.mktemp("real") / "real.db"
    config = load_config(REPO / "feeds.yaml")
    db = storage.open_db(path)
    storylines = prepare(db, config)
    reports = ingest_files(db, [REAL_FEEDS], config, storylines)
    assert not [r for r in reports if r.error]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def real_db(real_db_template: Path, tmp_path: Path):
    path = tmp_path / "real.db"
    path.write_bytes(real_db_template.read_bytes())
    db = storage.open_db(path)
    yield db
    db.close()


@dataclass
class CliResult:
    status: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `wirewatch ARGS...` in this process and capture what it prints."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            status = main([str(a) for a in args])
        except SystemExit as exc:  # argparse exits on --help and usage errors
            status = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(status, captured.out, captured.err)

    return run
