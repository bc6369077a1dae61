"""Group near-duplicate items from many feeds into developments, as they arrive.

For each new item the FTS5 index proposes candidates: items published within `WINDOW` that
share its rarest words. Each candidate is scored two ways, and together they decide
(`SAME_NEWS`):

- IDF-weighted cosine of the words of title and summary (title words count twice), with
  document frequencies read from the index itself: sharing "Safieddine" means much more
  than sharing "Israel";
- rapidfuzz's token-set ratio of the two titles' content words, which vouches for a
  middling cosine when the headlines agree ("Three dead after migrant boat..." / "Two dead
  after migrant boat...").

The item joins the best-matching development; developments it also matches are merged
into it (it shows they are the same news). Joining a development of several items needs a
mean similarity to all of them (`COHESION`), so one item mentioning two stories cannot chain
them together. Thresholds were tuned on the labelled days in tests/fixtures/labels/ to keep
merges precise: two reports shown apart are a smaller harm than different news folded into
one row.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from rapidfuzz import fuzz
from sqlite_utils import Database

import storage
import storage.developments
from feeds.tokens import tokenize

WINDOW = timedelta(hours=36)
MAX_QUERY_WORDS = 8
# Two items report the same news when their IDF cosine reaches a threshold that is lower the
# more their titles agree (rapidfuzz token_set_ratio of the titles' content words, 0-100).
SAME_NEWS = (  # (cosine at least, title ratio at least)
    (0.40, 0.0),
    (0.30, 55.0),
    (0.20, 70.0),
)
COHESION = 0.2  # mean IDF cosine to every member needed to join a development of several
# A development is judged by its earliest reports, at most this many: later copies of a
# wire story add sources, not meaning, and comparing against all of them costs O(n) per
# arrival (O(n^2) for choosing the headline).
PANEL = 8

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "again",
        "against",
        "all",
        "also",
        "amid",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "may",
        "me",
        "might",
        "more",
        "most",
        "my",
        "new",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "said",
        "same",
        "say",
        "says",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)


@dataclass(frozen=True)
class Words:
    """An item's content words: counts over title + summary, and the title's alone."""

    counts: Counter[str]
    title: tuple[str, ...]


# The same recent items come up as candidates for item after item: tokenizing them once
# instead of at every comparison made grouping several times faster. Keyed by the text
# itself, so an edited item is simply a new entry.
@lru_cache(maxsize=20_000)
def words(title: str, summary: str) -> Words:
    title_words = [t for t in tokenize(title) if t not in STOPWORDS and len(t) > 1]
    counts = Counter(t for t in tokenize(summary) if t not in STOPWORDS and len(t) > 1)
    for token in title_words:
        counts[token] += 2  # a headline states what the news is; the summary elaborates
    return Words(counts, tuple(title_words))


def _weights(w: Words, frequencies: dict[str, int], total: int) -> dict[str, float]:
    return {
        token: (1 + math.log(count)) * math.log((total + 1) / (frequencies.get(token, 0) + 0.5))
        for token, count in w.counts.items()
    }


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(weight * b[token] for token, weight in a.items() if token in b)
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def title_similarity(a: Words, b: Words) -> float:
    return fuzz.token_set_ratio(" ".join(a.title), " ".join(b.title))


def same_news(text: float, titles: float) -> bool:
    return any(text >= cosine and titles >= ratio for cosine, ratio in SAME_NEWS)


@dataclass(frozen=True)
class Placement:
    item_id: int
    development_id: int | None  # None: it starts a development of its own
    score: float
    also: tuple[int, ...] = ()  # other developments it matches: the same news, to merge


def _query(w: Words, frequencies: dict[str, int]) -> str | None:
    """The item's rarest words that some other item also has, as an FTS5 OR-query."""
    shared = [t for t in w.counts if frequencies.get(t, 0) >= 2]
    shared.sort(key=lambda t: (frequencies[t], t))
    chosen = shared[:MAX_QUERY_WORDS]
    return " OR ".join(f'"{t}"' for t in chosen) if chosen else None


def place(db: Database, item_id: int, title: str, summary: str, published_ts: int) -> Placement:
    """Find the development a stored item belongs to (without moving it)."""
    own = words(title, summary)
    frequencies, total = storage.developments.document_frequencies(db, list(own.counts))
    match = _query(own, frequencies)
    if match is None:
        return Placement(item_id, None, 0.0)
    window = int(WINDOW.total_seconds())
    found = [
        c
        for c in storage.developments.candidates(
            db, match, published_ts - window, published_ts + window, item_id
        )
        # No chaining a running story into one ever-growing development.
        if c.development_start >= published_ts - window
    ]
    for candidate in found:
        if (candidate.title, candidate.summary) == (title, summary):
            # The same wire copy in another feed: nothing to weigh.
            return Placement(item_id, candidate.development_id, 1.0)
    theirs = {c.item_id: words(c.title, c.summary) for c in found}
    more, _ = storage.developments.document_frequencies(
        db, [t for w in theirs.values() for t in w.counts if t not in frequencies]
    )
    frequencies.update(more)
    mine = _weights(own, frequencies, total)
    similarity: dict[int, float] = {}  # item -> IDF cosine with this item

    def cosine(other_id: int, other: Words) -> float:
        if other_id not in similarity:
            similarity[other_id] = _cosine(mine, _weights(other, frequencies, total))
        return similarity[other_id]

    scores: dict[int, float] = {}  # development -> its best-matching member's score
    for candidate in found:
        other = theirs[candidate.item_id]
        text = cosine(candidate.item_id, other)
        if same_news(text, title_similarity(own, other)):
            scores[candidate.development_id] = max(text, scores.get(candidate.development_id, 0))
    # A bigger development must be matched by most of it, not one member: one item that
    # mentions two stories must not pull them together.
    for development_id in list(scores):
        members = storage.developments.members(db, development_id, PANEL)
        if len(members) < 2:
            continue
        member_words = {m: words(t, s) for m, t, s in members}
        missing = [t for w in member_words.values() for t in w.counts if t not in frequencies]
        frequencies.update(storage.developments.document_frequencies(db, missing)[0])
        mean = sum(cosine(m, w) for m, w in member_words.items()) / len(member_words)
        if mean < COHESION:
            del scores[development_id]
    if not scores:
        return Placement(item_id, None, 0.0)
    ranked = sorted(scores, key=lambda d: (-scores[d], d))
    return Placement(item_id, ranked[0], scores[ranked[0]], tuple(ranked[1:]))


def _representative(db: Database, development_id: int) -> int:
    """The early report whose title agrees most with the others: the development's headline."""
    members = storage.developments.members(db, development_id, PANEL)
    if len(members) <= 2:
        return members[0][0]  # with two, the earlier report speaks first
    parsed = [(item_id, words(title, summary)) for item_id, title, summary in members]
    return max(
        parsed,
        key=lambda m: sum(title_similarity(m[1], o[1]) for o in parsed if o[0] != m[0]),
    )[0]


def group_items(db: Database, item_ids: Sequence[int]) -> list[Placement]:
    """File each of these (newly stored) items under the development it reports, if any."""
    placements = []
    with storage.transaction(db):
        texts = {item_id: storage.developments.item_text(db, item_id) for item_id in item_ids}
        storage.developments.count_documents(
            db, [set(tokenize(t[0])) | set(tokenize(t[1])) for t in texts.values() if t]
        )
        for item_id, text in texts.items():
            if text is None:
                continue
            placement = place(db, item_id, *text)
            target = placement.development_id
            if target is not None:
                storage.developments.move_item(db, item_id, target)
                # The item bridges developments that turn out to be the same news.
                storage.developments.merge(db, target, placement.also)
                storage.developments.set_title_item(db, target, _representative(db, target))
            placements.append(placement)
    return placements
