"""Developments: the same news from many feeds becomes one timeline entry."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import storage
from tests.conftest import FIXTURES

LABELS = FIXTURES / "labels" / "developments.yaml"


def _resolve(prefixes: list[str], titles: dict[str, int]) -> list[int]:
    ids = []
    for prefix in prefixes:
        found = [item_id for title, item_id in titles.items() if title.startswith(prefix)]
        assert len(found) == 1, (prefix, found)
        ids.append(found[0])
    return ids


def grouping_scores(db) -> tuple[float, float, int]:
    """Pairwise precision and recall of the stored developments against the labels."""
    labels = YAML(typ="safe").load(Path(LABELS).read_text())
    rows = db.execute("SELECT id, title, development_id FROM items").fetchall()
    titles = {title: item_id for item_id, title, _ in rows}
    development = {item_id: dev for item_id, _, dev in rows}
    same = {
        frozenset(p) for g in labels["same"] for p in itertools.combinations(_resolve(g, titles), 2)
    }
    either = {
        frozenset(p)
        for g in labels["either"]
        for p in itertools.combinations(_resolve(g, titles), 2)
    }
    grouped = {
        frozenset(p)
        for _, members in itertools.groupby(sorted(rows, key=lambda r: r[2]), key=lambda r: r[2])
        for p in itertools.combinations([m[0] for m in members], 2)
    }
    judged = grouped - (either - same)
    true_positives = len(judged & same)
    precision = true_positives / len(judged) if judged else 1.0
    recall = true_positives / len(same)
    assert len(development) == len(rows)
    return precision, recall, len(judged - same)


def test_grouping_on_the_real_multi_feed_days(real_db):
    precision, recall, false_merges = grouping_scores(real_db)
    print(f"\ndevelopments: pairwise precision {precision:.2f}, recall {recall:.2f}")
    assert precision >= 0.9, false_merges
    assert recall >= 0.6


def test_the_timeline_shows_one_development_with_all_its_sources(real_db):
    page = storage.timeline(real_db, "dprk-troops-russia", limit=100)
    confirmed = next(d for d in page if any("U.S. confirms" in s.title for s in d.sources))
    assert {s.feed for s in confirmed.sources} >= {"NBC News World", "The Washington Post - World"}
    assert confirmed.published == min(s.published for s in confirmed.sources)
    assert [d.key for d in page] == sorted((d.key for d in page), reverse=True)
    assert confirmed.terms["dprk-troops-russia"]
    # Every item appears in exactly one development.
    everything = storage.timeline(real_db, limit=10_000)
    items = [s.item_id for d in everything for s in d.sources]
    assert len(items) == len(set(items)) == 433


def test_timeline_pages_by_key(real_db):
    full = storage.timeline(real_db, limit=10_000)
    paged, before = [], None
    while page := storage.timeline(real_db, before=before, limit=37):
        paged.extend(page)
        before = page[-1].key
    assert [d.id for d in paged] == [d.id for d in full]


def test_untagged_timeline_excludes_storyline_developments(real_db):
    untagged = storage.timeline(real_db, untagged=True, limit=10_000)
    tagged = {
        d.id
        for slug in ("dprk-troops-russia", "brics-summit")
        for d in storage.timeline(real_db, slug, limit=10_000)
    }
    assert untagged and not {d.id for d in untagged} & tagged
    assert len(untagged) + len(tagged) == len(storage.timeline(real_db, limit=10_000))


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_grouping_is_incremental_whatever_the_arrival_order(tmp_path, shipped_config, order):
    """Items arriving one feed at a time, in either order, end up grouped the same way."""
    from feeds.ingest import ingest_files, prepare
    from tests.conftest import REAL_FEEDS

    db = storage.open_db(tmp_path / "w.db")
    storylines = prepare(db, shipped_config)
    files = sorted(REAL_FEEDS.glob("*2024-10-2[23].xml"))
    for path in files if order == "forward" else reversed(files):
        ingest_files(db, [path], shipped_config, storylines)
    groups = {
        frozenset(s.title for s in d.sources)
        for d in storage.timeline(db, limit=10_000)
        if len(d.sources) > 1
    }
    assert (
        frozenset(
            {
                "Xi tells Putin the world is in chaos but friendship with Russia will endure",
                "China’s Xi Hails Russia Ties in ‘Chaotic’ World in Putin Talks",
            }
        )
        in groups
    )
