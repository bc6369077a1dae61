"""Evaluate a query tree against one item in memory, with FTS5's semantics.

Used to tag each new item as it is stored, without a round trip through the index. It must
agree with `to_fts5` + FTS5 on every item; tests check that on the real fixtures. The rules it
mirrors: an item has separate fields (title, summary); a phrase or NEAR group matches inside
one field; a word matches in any field; NEAR(a b, N) holds when, for the phrase that starts
last, every other phrase ends at most N tokens before it starts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from feeds.query import FIELDS, And, Field, Near, Node, Not, Or, Phrase
from feeds.tokens import tokenize


@dataclass(frozen=True)
class TokenizedField:
    tokens: tuple[str, ...]
    positions: dict[str, list[int]]


@dataclass(frozen=True)
class Document:
    fields: tuple[TokenizedField, ...]  # in feeds.query.FIELDS order


def document(title: str, summary: str) -> Document:
    fields = []
    for text in (title, summary):
        tokens = tuple(tokenize(text or ""))
        positions: dict[str, list[int]] = defaultdict(list)
        for i, token in enumerate(tokens):
            positions[token].append(i)
        fields.append(TokenizedField(tokens, dict(positions)))
    return Document(tuple(fields))


def _starts(phrase: Phrase, field: TokenizedField) -> Iterator[int]:
    """Start positions of `phrase` in `field`, ascending."""
    tokens = phrase.tokens
    last = len(tokens) - 1
    if last == 0 and not phrase.prefix:
        yield from field.positions.get(tokens[0], ())
        return
    if last == 0:
        for i, token in enumerate(field.tokens):
            if token.startswith(tokens[0]):
                yield i
        return
    for start in field.positions.get(tokens[0], ()):
        end = start + last
        if end >= len(field.tokens):
            break
        if all(field.tokens[start + k] == tokens[k] for k in range(1, last)):
            final = field.tokens[end]
            if final == tokens[last] or (phrase.prefix and final.startswith(tokens[last])):
                yield start


def _near_in_field(node: Near, field: TokenizedField) -> bool:
    # occurrences[i] = (start, length) of every instance of any alternative of argument i
    occurrences = []
    for alternatives in node.arguments:
        found = [(s, len(p.tokens)) for p in alternatives for s in _starts(p, field)]
        if not found:
            return False
        occurrences.append(found)
    for i, candidates in enumerate(occurrences):
        for last_start, _ in candidates:
            # Argument i starts last at last_start; every other argument needs an instance
            # starting no later, and ending within `distance` tokens before last_start.
            if all(
                any(s <= last_start and last_start - (s + n) <= node.distance for s, n in other)
                for j, other in enumerate(occurrences)
                if j != i
            ):
                return True
    return False


def matches(node: Node, doc: Document) -> bool:
    return _matches(node, doc.fields)


def _matches(node: Node, fields: tuple[TokenizedField, ...]) -> bool:
    if isinstance(node, Phrase):
        return any(next(_starts(node, field), None) is not None for field in fields)
    if isinstance(node, And):
        return all(
            not _matches(c.child, fields) if isinstance(c, Not) else _matches(c, fields)
            for c in node.children
        )
    if isinstance(node, Or):
        return any(_matches(child, fields) for child in node.children)
    if isinstance(node, Near):
        return any(_near_in_field(node, field) for field in fields)
    if isinstance(node, Field):
        # Like an FTS5 column filter: every phrase inside looks at that field only.
        index = FIELDS.index(node.name)
        return _matches(node.child, fields[index : index + 1])
    if isinstance(node, Not):
        return not _matches(node.child, fields)
    raise TypeError(f"cannot match {node!r}")


def matched_terms(node: Node, doc: Document) -> list[str]:
    """Labels of the positive phrases that occur in `doc`: why an item was tagged."""
    found: dict[str, None] = {}

    def walk(n: Node, fields: tuple[TokenizedField, ...]) -> None:
        if isinstance(n, Phrase):
            if _matches(n, fields):
                found[n.label] = None
        elif isinstance(n, Near):
            if _matches(n, fields):
                for alternatives in n.arguments:
                    for phrase in alternatives:
                        if _matches(phrase, fields):
                            found[phrase.label] = None
        elif isinstance(n, And | Or):
            for child in n.children:
                if not isinstance(child, Not):
                    walk(child, fields)
        elif isinstance(n, Field):
            index = FIELDS.index(n.name)
            walk(n.child, fields[index : index + 1])

    walk(node, doc.fields)
    return list(found)
