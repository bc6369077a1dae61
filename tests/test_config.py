from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from feeds.config import load_config, parse_interval
from feeds.errors import ConfigError
from tests.conftest import REPO
from tui.paths import bundled_config

VALID = """
# comment
feeds:
  - name: Local
    url: feeds/local.xml
  - name: Web
    url: https://example.org/rss
    interval: 1h30m
    tags: [world, test]
terms:
  nk: ['"North Korea"', DPRK]
storylines:
  - slug: nk-troops
    title: NK troops
    match: '@nk troops'
    exclude: missile
    feeds: [Web]
"""


def test_valid_config_loads_into_typed_values(write_config):
    path = write_config(VALID)
    config = load_config(path)
    local, web = config.feeds
    assert local.name == "Local" and local.path == path.parent / "feeds" / "local.xml"
    assert local.location == (path.parent / "feeds" / "local.xml").as_uri()
    assert web.interval == timedelta(hours=1, minutes=30) and web.tags == ("world", "test")
    assert local.interval == timedelta(minutes=15)
    (storyline,) = config.storylines
    assert storyline.feeds == ("Web",) and storyline.exclude == ("missile",)
    assert config.terms == {"nk": ('"North Korea"', "DPRK")}
    assert "missile" in storyline.definition and "Web" in storyline.definition


def test_file_urls_and_absolute_paths_are_local(write_config, tmp_path):
    path = write_config(f"""
        feeds:
          - {{name: A, url: "file://{tmp_path}/a.xml"}}
          - {{name: B, url: "{tmp_path}/b.xml"}}
    """)
    a, b = load_config(path).feeds
    assert a.path == tmp_path / "a.xml" and b.path == tmp_path / "b.xml"


def test_a_relative_path_in_a_relative_config_is_a_file_url(write_config, tmp_path):
    # tests run in tmp_path: "feeds.yaml" is how ./feeds.yaml is found by default.
    write_config("feeds:\n  - {name: A, url: sub/a.xml}\n")
    (feed,) = load_config(Path("feeds.yaml")).feeds
    assert feed.path == tmp_path / "sub" / "a.xml"
    assert feed.location == (tmp_path / "sub" / "a.xml").as_uri()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("feeds:\n  - name: A\n    url: [unclosed\n", "feeds.yaml:4: YAML syntax error"),
        ("feeds: []\nfeeds: []\n", 'feeds.yaml:2: YAML syntax error: found duplicate key "feeds"'),
        ("feeds: []\ncolour: red\n", "feeds.yaml:2: colour: unknown key"),
        ("storylines: []\n", "feeds.yaml:1: missing required key 'feeds'"),
        ("", "feeds.yaml:1: the file is empty"),
        ("feeds: {a: 1}\n", "feeds.yaml:1: feeds: expected a list of feeds, got a mapping"),
        (
            "feeds:\n  - name: A\n    url: http://a.example/\n    colour: red\n",
            "feeds.yaml:4: feeds[0].colour: unknown key",
        ),
        ("feeds:\n  - name: A\n", "feeds.yaml:2: feeds[0]: missing required key 'url'"),
        (
            "feeds:\n  - url: http://a.example/\n",
            "feeds.yaml:2: feeds[0]: missing required key 'name'",
        ),
        (
            "feeds:\n  - {name: 5, url: http://a.example/}\n",
            "feeds[0].name: expected text, got a number",
        ),
        (
            "feeds:\n  - {name: A, url: http://a.example/}\n  - {name: A, url: http://b.example/}\n",
            "feeds.yaml:3: feeds[1].name: duplicate feed name 'A' (first at line 2)",
        ),
        (
            "feeds:\n  - {name: A, url: http://a.example/x}\n  - {name: B, url: http://a.example/x}\n",
            "feeds.yaml:3: feeds[1].url: duplicate feed URL (first at line 2)",
        ),
        (
            "feeds:\n  - {name: A, url: ftp://a.example/}\n",
            "feeds.yaml:2: feeds[0].url: not an http(s) URL or file path",
        ),
        (
            "feeds:\n  - {name: A, url: 'http://'}\n",
            "feeds[0].url: not an http(s) URL or file path",
        ),
        (
            "feeds:\n  - {name: A, url: 'http://a b/'}\n",
            "feeds[0].url: not an http(s) URL or file path",
        ),
        (
            "feeds:\n  - {name: A, url: 'http://a.example:99999/'}\n",
            "feeds[0].url: not an http(s) URL",
        ),
        (
            "feeds:\n  - {name: A, url: 'file://remote.host/x.xml'}\n",
            "feeds[0].url: not an http(s) URL",
        ),
        (
            "feeds:\n  - name: A\n    url: http://a.example/\n    interval: soon\n",
            "feeds.yaml:4: feeds[0].interval: bad interval 'soon'",
        ),
        (
            "feeds:\n  - name: A\n    url: http://a.example/\n    interval: 10s\n",
            "feeds.yaml:4: feeds[0].interval: must be between 1m and 7d",
        ),
        (
            "feeds:\n  - name: A\n    url: http://a.example/\n    tags: {a: b}\n",
            "feeds.yaml:4: feeds[0].tags: expected a list, got a mapping",
        ),
        (
            "feeds: []\nstorylines:\n  - {slug: a, title: A, match: x}\n  - {slug: a, title: B, match: y}\n",
            "feeds.yaml:4: storylines[1].slug: duplicate slug 'a' (first at line 3)",
        ),
        (
            "feeds: []\nstorylines:\n  - {slug: Bad Slug, title: A, match: x}\n",
            "storylines[0].slug: a slug is",
        ),
        (
            "feeds: []\nstorylines:\n  - {slug: a, match: x}\n",
            "feeds.yaml:3: storylines[0]: missing required key 'title'",
        ),
        (
            "feeds: []\nstorylines:\n  - slug: a\n    title: A\n    match: 'troops OR'\n",
            "feeds.yaml:5: storylines[0].match: OR needs a term after it at column 8",
        ),
        (
            "feeds: []\nstorylines:\n  - slug: a\n    title: A\n    match: '@nowhere troops'\n",
            "feeds.yaml:5: storylines[0].match: unknown term group @nowhere at column 1",
        ),
        (
            "feeds: []\nstorylines:\n  - slug: a\n    title: A\n    match: x\n    exclude: ['(y']\n",
            'feeds.yaml:6: storylines[0].exclude[0]: unclosed "(" at column 1',
        ),
        (
            "feeds: []\nstorylines:\n  - slug: a\n    title: A\n    match: x\n    feeds: [Nope]\n",
            "feeds.yaml:6: storylines[0].feeds[0]: no feed named 'Nope'",
        ),
        (
            "feeds: []\nterms:\n  nk: []\n",
            "feeds.yaml:3: terms.nk: a term group needs at least one term",
        ),
        (
            "feeds: []\nterms:\n  a: ['@b']\n  b: ['@a']\n",
            "terms.a[0]: in @b entry '@a': term groups refer to each other in a cycle: @b -> @a -> @b",
        ),
        ("feeds: []\nterms:\n  a: ['x', '\"y']\n", "feeds.yaml:3: terms.a[1]: unclosed quote"),
    ],
)
def test_each_mistake_names_file_line_and_key(write_config, text, expected):
    path = write_config(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(str(path.parent)), message
    assert expected in message, message


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("10m", 600), ("1h30m", 5400), ("2d", 172800), ("1w", 604800)],
)
def test_intervals(text, seconds):
    assert parse_interval(text).total_seconds() == seconds


def test_shipped_config_is_valid_and_matches_the_bundled_default(shipped_config):
    assert len(shipped_config.feeds) >= 15
    assert {s.slug for s in shipped_config.storylines} == {"dprk-troops-russia", "brics-summit"}
    assert all(f.url.startswith("https://") for f in shipped_config.feeds)
    # The package ships a copy (the repository root is not part of an install).
    assert bundled_config().read_bytes() == (REPO / "feeds.yaml").read_bytes()


def test_cli_config_error_exits_2_and_writes_nothing(cli, write_config, tmp_path: Path):
    path = write_config("feeds:\n  - {name: A, url: 'gopher://x'}\n")
    db = tmp_path / "never.db"
    result = cli("--config", path, "--db", db, "search", "x")
    assert result.status == 2
    assert "feeds.yaml:2: feeds[0].url: not an http(s) URL or file path" in result.err
    assert "Traceback" not in result.err
    assert not db.exists()


def test_config_resolution_order(cli, write_config, tmp_path, monkeypatch):
    explicit = write_config("feeds: []\n", "explicit.yaml")
    from_env = write_config("feeds: [{name: E, url: 'http://e.example/'}]\n", "env.yaml")
    write_config(
        "feeds: [{name: L1, url: 'http://l1.example/'}, {name: L2, url: 'http://l2.example/'}]\n"
    )
    assert "2 feeds" in cli("check").out  # ./feeds.yaml
    monkeypatch.setenv("WIREWATCH_CONFIG", str(from_env))
    assert "1 feeds" in cli("check").out
    assert "0 feeds" in cli("--config", explicit, "check").out


def test_first_run_creates_the_user_config_from_the_bundled_default(cli, tmp_path):
    result = cli("check")  # no ./feeds.yaml in the test's working directory
    assert result.status == 0
    created = next((tmp_path / "xdg").rglob("feeds.yaml"))
    assert created.read_bytes() == bundled_config().read_bytes()
    assert "2 storylines" in result.out
