"""The shipped storylines: quality on the labelled development set, and phrasing variants."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from feeds.match import document, matches
from tests.conftest import FIXTURES

LABELS = YAML(typ="safe").load((FIXTURES / "labels" / "storylines.yaml").read_text())
VARIANTS = YAML(typ="safe").load((FIXTURES / "labels" / "storyline_variants.yaml").read_text())
# The issue asks for precision >= 0.95 and recall >= 0.90 on unseen items; the development
# set must clear that with room to spare.
MIN_PRECISION = 0.95
MIN_RECALL = 0.95


def _resolve(prefixes: list[str], titles: list[str]) -> set[str]:
    found = set()
    for prefix in prefixes:
        hits = [t for t in titles if t.startswith(prefix)]
        assert len(hits) == 1, (prefix, hits)
        found.add(hits[0])
    return found


def scores(real_db, slug: str) -> tuple[float, float, set[str], set[str]]:
    rows = real_db.execute("SELECT id, title FROM items").fetchall()
    titles = [title for _, title in rows]
    yes = _resolve(LABELS[slug]["yes"], titles)
    unclear = _resolve(LABELS[slug].get("unclear") or [], titles)
    tagged = {
        title
        for (title,) in real_db.execute(
            "SELECT i.title FROM item_storylines l JOIN items i ON i.id = l.item_id "
            "JOIN storylines s ON s.id = l.storyline_id WHERE s.slug = ?",
            (slug,),
        )
    } - unclear
    true_positives = len(tagged & yes)
    precision = true_positives / len(tagged) if tagged else 0.0
    recall = true_positives / len(yes)
    return precision, recall, tagged - yes, yes - tagged


@pytest.mark.parametrize("slug", ["dprk-troops-russia", "brics-summit"])
def test_precision_and_recall_on_the_development_set(real_db, slug):
    precision, recall, false_positives, missed = scores(real_db, slug)
    print(
        f"\n{slug}: precision {precision:.2f}, recall {recall:.2f} "
        f"(false positives: {sorted(false_positives)}; missed: {sorted(missed)})"
    )
    assert precision >= MIN_PRECISION, false_positives
    assert recall >= MIN_RECALL, missed


def _variant_ids(slug: str) -> list[tuple[str, str, bool]]:
    cases = VARIANTS[slug]
    return [(c["title"], c.get("summary", ""), True) for c in cases["yes"]] + [
        (c["title"], c.get("summary", ""), False) for c in cases["no"]
    ]


@pytest.mark.parametrize(
    ("slug", "title", "summary", "expected"),
    [
        (slug, *case)
        for slug in ("dprk-troops-russia", "brics-summit")
        for case in _variant_ids(slug)
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else None,
)
def test_phrasing_variants(shipped_config, slug, title, summary, expected):
    storyline = shipped_config.storyline(slug)
    assert matches(storyline.query, document(title, summary)) is expected
