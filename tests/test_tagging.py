"""Storyline tagging: on ingest, after a storyline edit, by hand, and the storylines listing."""

from __future__ import annotations

import json

import storage
from tests.conftest import REAL_FEEDS

CONFIG = """
feeds: []
terms:
  nk: ['"North Korea"', '"North Korean"', Pyongyang]
storylines:
  - slug: nk
    title: North Korea
    match: '{match}'
"""


def _tagged(db_path, slug: str) -> set[str]:
    db = storage.open_db(db_path)
    hits = storage.search(db, None, storage.SearchFilter(storyline=slug), limit=1000)
    return {h.item.title for h in hits}


def test_items_are_tagged_as_they_are_stored_with_the_terms_that_matched(
    cli, write_config, db_path
):
    config = write_config(CONFIG.format(match="@nk troops"))
    cli("--config", config, "--db", db_path, "ingest", REAL_FEEDS / "skynews-world_2024-10-23.xml")
    assert _tagged(db_path, "nk") == {
        "North Korea sending thousands of troops to help Russia, says South Korea"
    }
    db = storage.open_db(db_path)
    (development,) = storage.timeline(db, "nk")
    assert set(development.terms["nk"]) == {'"north korea"', "troops"}


def test_editing_a_storyline_retags_stored_items_and_loses_nothing(cli, write_config, db_path):
    config = write_config(CONFIG.format(match="@nk troops"))
    cli("--config", config, "--db", db_path, "ingest", REAL_FEEDS)
    narrow = _tagged(db_path, "nk")
    config.write_text(CONFIG.format(match="@nk"))
    # Any command that opens the database brings the storylines up to date.
    assert cli("--config", config, "--db", db_path, "storylines").status == 0
    wide = _tagged(db_path, "nk")
    assert narrow < wide
    assert "North Korea fires suspected intercontinental missile" in wide - narrow
    config.write_text("feeds: []\n")
    cli("--config", config, "--db", db_path, "check")
    db = storage.open_db(db_path)
    before = storage.item_count(db)
    cli("--config", config, "--db", db_path, "storylines")
    assert db.execute("SELECT count(*) FROM item_storylines").fetchone()[0] == 0
    assert storage.item_count(db) == before == 433


def test_retag_by_hand_and_unknown_slug(cli, write_config, db_path):
    config = write_config(CONFIG.format(match="@nk"))
    cli("--config", config, "--db", db_path, "ingest", REAL_FEEDS)
    db = storage.open_db(db_path)
    db.execute("DELETE FROM item_storylines")  # links lost, say, by a bug
    result = cli("--config", config, "--db", db_path, "retag", "nk")
    assert result.status == 0 and result.out.startswith("nk: ")
    assert int(result.out.split()[1]) == len(_tagged(db_path, "nk")) > 10
    missing = cli("--config", config, "--db", db_path, "retag", "zz")
    assert missing.status == 2 and "no storyline 'zz' (known: nk)" in missing.err


def test_feed_scoped_storyline_only_tags_those_feeds(cli, write_config, db_path, tmp_path):
    sky = tmp_path / "sky.xml"
    sky.write_bytes((REAL_FEEDS / "skynews-world_2024-10-23.xml").read_bytes())
    nbc = tmp_path / "nbc.xml"
    nbc.write_bytes((REAL_FEEDS / "nbcnews-world_2024-10-23.xml").read_bytes())
    config = write_config(
        "feeds:\n  - {name: Sky, url: sky.xml}\n  - {name: NBC, url: nbc.xml}\n"
        "storylines:\n  - {slug: nk, title: NK, match: 'korean OR korea', feeds: [Sky]}\n"
    )
    cli("--config", config, "--db", db_path, "ingest", sky, nbc)
    db = storage.open_db(db_path)
    hits = storage.search(db, None, storage.SearchFilter(storyline="nk"))
    assert hits and {h.item.feed for h in hits} == {"Sky"}


def test_storylines_listing(cli, db_path):
    from tests.conftest import REPO

    cli("--config", REPO / "feeds.yaml", "--db", db_path, "ingest", REAL_FEEDS)
    rows = [
        json.loads(line)
        for line in cli(
            "--config", REPO / "feeds.yaml", "--db", db_path, "storylines", "--json"
        ).out.splitlines()
    ]
    by_slug = {r["slug"]: r for r in rows}
    assert by_slug["dprk-troops-russia"]["items"] == 17
    assert by_slug["dprk-troops-russia"]["newest"] == "2024-12-17T23:48:53+00:00"
    assert by_slug["brics-summit"]["title"] == "BRICS summit"
    assert by_slug["brics-summit"]["items_24h"] == 0  # the fixtures are from 2024
    table = cli("--config", REPO / "feeds.yaml", "--db", db_path, "storylines").out
    assert table.splitlines()[0].split() == ["SLUG", "ITEMS", "24H", "7D", "NEWEST", "TITLE"]
