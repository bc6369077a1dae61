"""The in-memory matcher gives exactly FTS5's answer, on every real fixture item."""

from __future__ import annotations

import pytest

from feeds.match import document, matched_terms, matches
from feeds.query import parse_query, to_fts5

QUERIES = [
    "korea",
    "north korean troops",
    '"north korean troops"',
    '"north kor"*',
    "kor*",
    "russia -ukraine",
    "russia NOT (ukraine OR kyiv)",
    "brics OR kazan",
    "(modi OR xi) putin",
    "NEAR(korea troops)",
    "NEAR(korea troops, 0)",
    'NEAR("north korea" troops russia, 6)',
    "NEAR((korea OR pyongyang) (troops OR soldiers), 3)",
    "title:korea",
    "summary:(korea OR brics) -title:putin",
    "title:NEAR(north troops, 2)",
    "u.s. confirms",
    "Zelenskyy’s",
    "café",
    "3,000",
    "a",
    "the -the",
]


@pytest.fixture(scope="module")
def items(real_db_template):
    import storage

    db = storage.open_db(real_db_template)
    rows = db.execute("SELECT id, title, summary FROM items").fetchall()
    db.close()
    return [(item_id, document(title, summary)) for item_id, title, summary in rows]


def _fts(db, match: str) -> set[int]:
    return {
        r[0] for r in db.execute("SELECT rowid FROM items_fts WHERE items_fts MATCH ?", (match,))
    }


@pytest.mark.parametrize("query", QUERIES)
def test_matcher_equals_fts5(real_db, items, query):
    node = parse_query(query)
    in_memory = {item_id for item_id, doc in items if matches(node, doc)}
    assert in_memory == _fts(real_db, to_fts5(node))


def test_shipped_storylines_match_the_same_items_both_ways(real_db, items, shipped_config):
    for storyline in shipped_config.storylines:
        in_memory = {item_id for item_id, doc in items if matches(storyline.query, doc)}
        assert in_memory == _fts(real_db, to_fts5(storyline.query)), storyline.slug
        assert in_memory  # the development set has items of both storylines


def test_matched_terms_name_what_was_found():
    doc = document("North Korean troops reach Kursk", "Pyongyang sent 3,000 soldiers")
    node = parse_query('("north korean" OR pyongyang) (troops OR soldiers) -missile kursk')
    assert matched_terms(node, doc) == [
        '"north korean"',
        "pyongyang",
        "troops",
        "soldiers",
        "kursk",
    ]
