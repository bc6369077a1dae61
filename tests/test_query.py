"""The query language: each construct, its errors, and its FTS5 form on real items."""

from __future__ import annotations

import pytest

import storage
from feeds.errors import QueryError
from feeds.match import document, matches
from feeds.query import And, Field, Near, Not, Or, Phrase, parse_query, to_fts5
from feeds.tokens import tokenize


def titles(db, query: str, **filters) -> list[str]:
    match = to_fts5(parse_query(query))
    hits = storage.search(db, match, storage.SearchFilter(**filters), limit=500)
    return [hit.item.title for hit in hits]


def test_tokens_fold_case_and_accents_like_unicode61():
    assert tokenize("Zelenskyy’s CAFÉ Señor U.S.-led 3,000") == [
        "zelenskyy",
        "s",
        "cafe",
        "senor",
        "u",
        "s",
        "led",
        "3",
        "000",
    ]


def test_tree_shapes():
    assert parse_query("a b") == And((Phrase(("a",)), Phrase(("b",))))
    assert parse_query("a OR b c") == Or((Phrase(("a",)), And((Phrase(("b",)), Phrase(("c",))))))
    assert parse_query('-x "y z"') == And((Not(Phrase(("x",))), Phrase(("y", "z"))))
    assert parse_query("kor*") == Phrase(("kor",), prefix=True)
    assert parse_query("NEAR(a b, 3)") == Near(((Phrase(("a",)),), (Phrase(("b",)),)), 3)
    assert parse_query("title:(a OR b)") == Field("title", Or((Phrase(("a",)), Phrase(("b",)))))
    assert parse_query("a or b") == And(tuple(Phrase((w,)) for w in ("a", "or", "b")))
    assert parse_query("(a AND (b c))") == And(tuple(Phrase((w,)) for w in "abc"))


def test_groups_expand_to_alternatives():
    groups = {"nk": ['"North Korea"', "DPRK"], "both": ["@nk", "Pyongyang"]}
    assert parse_query("@nk", groups) == Or((Phrase(("north", "korea")), Phrase(("dprk",))))
    expanded = parse_query("NEAR(@both troops)", groups)
    assert isinstance(expanded, Near) and len(expanded.arguments[0]) == 3


@pytest.mark.parametrize(
    ("query", "message", "column"),
    [
        ('"north korea', "unclosed quote", 1),
        ("(troops OR soldiers", 'unclosed "("', 1),
        ("troops)", 'unmatched ")"', 7),
        ("troops OR", "OR needs a term after it", 8),
        ("OR troops", "OR needs a term before it", 1),
        ("troops OR OR x", "OR needs a term after it", 8),
        ("a ()", 'empty group "()"', 3),
        ("", "empty query", 1),
        ("   ", "empty query", 1),
        ('""', "empty phrase", 1),
        ("-troops", "a query cannot only exclude", 1),
        ("NOT x", "a query cannot only exclude", 1),
        ("a OR -b", "an exclusion cannot be an alternative of OR", 6),
        ("x AND", "AND needs a term after it", 3),
        ("AND x", "AND needs a term before it", 1),
        ("NEAR(a)", "NEAR needs at least two terms", 1),
        ("NEAR(a b, many)", "NEAR distance must be a whole number", 11),
        ("NEAR(a (b c))", "NEAR takes words, phrases and OR-lists", 8),
        ("NEAR(a b", 'unclosed "NEAR("', 1),
        ("@missing", "unknown term group @missing", 1),
        ("x *", '"*" needs letters before it', 3),
        ("x --y", "double negation", 3),
        ("title:-x", "title: needs a word, phrase or (group) after it", 1),
        ("title:(summary:x)", "a field filter cannot contain another one", 1),
    ],
)
def test_bad_queries_say_what_and_where(query, message, column):
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert message in caught.value.message
    if message:
        assert caught.value.position == column - 1, caught.value
    assert caught.value.pointer().splitlines()[1].index("^") == caught.value.position


@pytest.mark.parametrize(
    "hostile",
    [
        'x" OR title:*',
        "x'); DROP TABLE items; --",
        "NEAR NEAR(",
        "a:b c:d",
        "{title}: x",
        "^x",
        "x + y",
        "col:umn",
        "\x00 x",
        "* x",
    ],
)
def test_hostile_text_compiles_or_fails_cleanly(real_db, hostile):
    try:
        match = to_fts5(parse_query(hostile))
    except QueryError:
        return
    storage.search(real_db, match)  # valid FTS5 whatever the user typed


# Each construct against real items of the fixture feeds (titles read from the files).
def test_words_must_all_match_in_any_field(real_db):
    found = titles(real_db, "kursk casualties")
    assert found == ["‘Several Hundred’ North Korean Casualties in Russia’s Kursk – U.S. Official"]


def test_case_and_accents_do_not_matter(real_db):
    # "Félix Sánchez Olympic Stadium" is in a BBC summary.
    assert titles(real_db, "FELIX sanchez") == titles(real_db, "félix Sánchez")
    assert titles(real_db, "felix sanchez") == [
        "Live Women's U17 World Cup semi-final - Spain v England"
    ]


def test_exact_phrase(real_db):
    phrase = set(titles(real_db, '"north korean troops"'))
    words = set(titles(real_db, "north korean troops"))
    assert phrase < words  # the loose form also finds "North Korea ... troops"
    loose = (
        "Russia to Intervene Against Seoul, Pay $200M for N. Korean Troops – South Korean Lawmaker"
    )
    assert loose in words - phrase


def test_or(real_db):
    either = set(titles(real_db, "Kazan OR Pyongyang"))
    assert either == set(titles(real_db, "Kazan")) | set(titles(real_db, "Pyongyang"))
    assert set(titles(real_db, "Kazan")) and set(titles(real_db, "Pyongyang"))


def test_exclusion_with_minus_and_not(real_db):
    korea = set(titles(real_db, '"north korea"'))
    without = set(titles(real_db, '"north korea" -missile'))
    assert without == set(titles(real_db, '"north korea" NOT missile'))
    assert "North Korea fires suspected intercontinental missile" in korea - without
    assert all("missile" not in tokenize(t) for t in without)


def test_prefix(real_db):
    found = titles(real_db, "ratif*")
    assert found == ["Russian Parliament Ratifies Defense Treaty With North Korea"]


def test_parentheses(real_db):
    grouped = set(titles(real_db, "(Modi OR Xi) Putin"))
    assert "Indian PM Modi Calls for Quick End to Ukraine War in Meeting With Putin" in grouped
    assert "Xi tells Putin the world is in chaos but friendship with Russia will endure" in grouped
    assert "A Modi-Xi Meeting Could Signal a Thaw Between India and China" not in grouped


def test_near(real_db):
    close = set(titles(real_db, "NEAR(korean troops, 0)"))
    loose = set(titles(real_db, "korean troops"))
    assert close < loose
    # "North Korean Casualties" in the title, "battle-hardened troops" in the summary.
    assert "‘Several Hundred’ North Korean Casualties in Russia’s Kursk – U.S. Official" in (
        loose - close
    )


def test_field_filter(real_db):
    in_title = set(titles(real_db, "title:BRICS"))
    anywhere = set(titles(real_db, "BRICS"))
    assert in_title < anywhere
    assert "China’s Xi Hails Russia Ties in ‘Chaotic’ World in Putin Talks" in anywhere - in_title


def test_time_filter_and_keyset_paging(real_db):
    from datetime import UTC, datetime

    since = datetime(2024, 12, 1, tzinfo=UTC)
    recent = storage.search(
        real_db, to_fts5(parse_query("korean")), storage.SearchFilter(since=since)
    )
    assert recent and all(hit.item.published >= since for hit in recent)
    everything = storage.search(real_db, None, limit=1000)
    assert len(everything) == 433
    pages, before = [], None
    while True:
        page = storage.search(real_db, None, storage.SearchFilter(before_id=before), limit=100)
        if not page:
            break
        pages.extend(page)
        before = page[-1].item.id
    assert [h.item.id for h in pages] == [h.item.id for h in everything]
    times = [h.item.published for h in everything]
    assert times == sorted(times, reverse=True)


def test_matcher_and_fts5_agree_on_hand_picked_cases():
    doc = document("North Korean troops in Russia", "Seoul said 1,500 soldiers were sent.")
    assert matches(parse_query('"korean troops"'), doc)
    assert not matches(parse_query('"troops seoul"'), doc)  # a phrase never spans fields
    assert matches(parse_query("troops seoul"), doc)  # words may sit in different fields
    assert not matches(parse_query("NEAR(troops seoul, 50)"), doc)  # NEAR stays in one field
    assert matches(parse_query("summary:soldiers -title:soldiers"), doc)
