"""The query language shared by search and storylines: parse text into a tree, compile it to FTS5.

Syntax, loosest binding first:

    a OR b            either side (OR in capitals; lower-case "or" is a word)
    a b, a AND b      both sides
    -a, NOT a         exclude; must narrow something positive ("a -b", not "-b" alone)
    "a b c"           exact phrase; "a b"* makes the last word a prefix
    word*             prefix
    (...)             grouping
    NEAR(a "b c", 10) all within 10 words of each other (default 10), in one field;
                      an argument may be an alternative list: NEAR((a OR b) c) or NEAR(@group c)
    @name             a named term group from feeds.yaml's `terms:` (an OR of its entries)
    title:x           only in the title (or summary:x); x may be a word, "phrase", (group)

Matching is case- and accent-insensitive and word-based (see `feeds.tokens`). User text never
reaches FTS5 raw: `to_fts5` emits only quoted, pre-tokenized phrases and our own operators.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from feeds.errors import QueryError
from feeds.tokens import tokenize

DEFAULT_NEAR = 10
MAX_NEAR_COMBINATIONS = 2000


@dataclass(frozen=True)
class Phrase:
    """One word (one token) or an exact phrase; `prefix` applies to the last token."""

    tokens: tuple[str, ...]
    prefix: bool = False
    pos: int = field(default=0, compare=False)

    @property
    def label(self) -> str:
        text = " ".join(self.tokens)
        if len(self.tokens) > 1:
            text = f'"{text}"'
        return text + ("*" if self.prefix else "")


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Not:
    child: Node
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Near:
    """Each argument is a tuple of alternative phrases; one of each must fall in the window."""

    arguments: tuple[tuple[Phrase, ...], ...]
    distance: int = DEFAULT_NEAR
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Field:
    """Restrict `child` to one field of the item."""

    name: str  # one of FIELDS
    child: Node
    pos: int = field(default=0, compare=False)


Node = Phrase | And | Or | Not | Near | Field
FIELDS = ("title", "summary")  # the indexed fields, in index column order


# --- lexing -----------------------------------------------------------------------------------

_KEYWORDS = {"OR", "AND", "NOT"}
_WORD_END = re.compile(r'[\s()",]')
_FIELD_PREFIX = re.compile(r"(title|summary):(?=\S)")


@dataclass(frozen=True)
class _Lexeme:
    kind: str  # word, phrase, group, field, lparen, rparen, comma, minus, near, OR, AND, NOT, end
    text: str
    pos: int
    prefix: bool = False


def _lex(query: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "(),":
            out.append(_Lexeme({"(": "lparen", ")": "rparen", ",": "comma"}[ch], ch, i))
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError("unclosed quote", i, query)
            prefix = end + 1 < n and query[end + 1] == "*"
            out.append(_Lexeme("phrase", query[i + 1 : end], i, prefix))
            i = end + 1 + prefix
        elif ch == "-" and i + 1 < n and not query[i + 1].isspace():
            out.append(_Lexeme("minus", ch, i))
            i += 1
        elif prefix := _FIELD_PREFIX.match(query, i):
            out.append(_Lexeme("field", prefix.group(1), i))
            i = prefix.end()
        else:
            match = _WORD_END.search(query, i)
            end = match.start() if match else n
            word = query[i:end]
            if word == "NEAR" and end < n and query[end] == "(":
                out.append(_Lexeme("near", word, i))
            elif word in _KEYWORDS:
                out.append(_Lexeme(word, word, i))
            elif word.startswith("@") and len(word) > 1:
                out.append(_Lexeme("group", word[1:], i))
            else:
                prefix = word.endswith("*")
                out.append(_Lexeme("word", word.rstrip("*") if prefix else word, i, prefix))
            i = end
    out.append(_Lexeme("end", "", n))
    return out


# --- parsing ----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, query: str, groups: Mapping[str, Sequence[str]], stack: tuple[str, ...]):
        self.query = query
        self.groups = groups
        self.stack = stack  # group names being expanded, to refuse cycles
        self.lexemes = [lx for lx in _lex(query)]
        self.i = 0

    def peek(self) -> _Lexeme:
        return self.lexemes[self.i]

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.i]
        self.i += 1
        return lexeme

    def error(self, message: str, pos: int) -> QueryError:
        return QueryError(message, pos, self.query)

    def skip_commas(self) -> None:
        while self.peek().kind == "comma":
            self.i += 1

    def parse(self) -> Node:
        self.skip_commas()
        if self.peek().kind == "end":
            raise self.error("empty query", 0)
        node = self.parse_or()
        extra = self.peek()
        if extra.kind == "rparen":
            raise self.error('unmatched ")"', extra.pos)
        if extra.kind != "end":  # pragma: no cover - parse_or consumes everything else
            raise self.error(f"unexpected {extra.text!r}", extra.pos)
        return node

    def parse_or(self) -> Node:
        start = self.peek().pos
        children = [self.parse_and(after=None)]
        while self.peek().kind == "OR":
            operator = self.take()
            children.append(self.parse_and(after=operator))
        return children[0] if len(children) == 1 else Or(tuple(children), start)

    def parse_and(self, after: _Lexeme | None) -> Node:
        start = self.peek().pos
        children: list[Node] = []
        while True:
            self.skip_commas()
            lexeme = self.peek()
            if lexeme.kind in ("end", "rparen", "OR"):
                break
            if lexeme.kind == "AND":
                self.take()
                if not children:
                    raise self.error("AND needs a term before it", lexeme.pos)
                self.skip_commas()
                if self.peek().kind in ("end", "rparen", "OR", "AND"):
                    raise self.error("AND needs a term after it", lexeme.pos)
                continue
            node = self.parse_unary()
            if node is not None:
                children.append(node)
        if not children:
            lexeme = self.peek()
            if after is not None:
                raise self.error("OR needs a term after it", after.pos)
            if lexeme.kind == "OR":
                raise self.error("OR needs a term before it", lexeme.pos)
            raise self.error("nothing to search for here", lexeme.pos)
        return children[0] if len(children) == 1 else And(tuple(children), start)

    def parse_unary(self) -> Node | None:
        lexeme = self.peek()
        if lexeme.kind in ("NOT", "minus"):
            self.take()
            self.skip_commas()
            if self.peek().kind in ("end", "rparen", "OR", "AND"):
                raise self.error(f"{lexeme.text} needs a term after it", lexeme.pos)
            child = self.parse_unary()
            if child is None:
                raise self.error(f"{lexeme.text} needs a searchable term after it", lexeme.pos)
            if isinstance(child, Not):  # "- -a" and "NOT NOT a": double negation is a mistake
                raise self.error("double negation", lexeme.pos)
            return Not(child, lexeme.pos)
        return self.parse_primary()

    def parse_primary(self) -> Node | None:
        lexeme = self.take()
        if lexeme.kind == "lparen":
            if self.peek().kind == "rparen":
                raise self.error('empty group "()"', lexeme.pos)
            node = self.parse_or()
            if self.peek().kind != "rparen":
                raise self.error('unclosed "("', lexeme.pos)
            self.take()
            return node
        if lexeme.kind == "phrase":
            tokens = tuple(tokenize(lexeme.text))
            if not tokens:
                raise self.error("empty phrase", lexeme.pos)
            return Phrase(tokens, lexeme.prefix, lexeme.pos)
        if lexeme.kind == "word":
            tokens = tuple(tokenize(lexeme.text))
            if not tokens:
                if lexeme.prefix:
                    raise self.error('"*" needs letters before it', lexeme.pos)
                return None  # bare punctuation ("&", "—") is not searchable, as in FTS5
            return Phrase(tokens, lexeme.prefix, lexeme.pos)
        if lexeme.kind == "group":
            return self.expand_group(lexeme)
        if lexeme.kind == "near":
            return self.parse_near(lexeme)
        if lexeme.kind == "field":
            return self.parse_field(lexeme)
        if lexeme.kind == "rparen":
            raise self.error('unmatched ")"', lexeme.pos)
        raise self.error(f"unexpected {lexeme.text!r}", lexeme.pos)  # pragma: no cover

    def expand_group(self, lexeme: _Lexeme) -> Node:
        name = lexeme.text
        if name not in self.groups:
            raise self.error(f"unknown term group @{name}", lexeme.pos)
        if name in self.stack:
            cycle = " -> ".join(f"@{n}" for n in (*self.stack, name))
            raise self.error(f"term groups refer to each other in a cycle: {cycle}", lexeme.pos)
        alternatives: list[Node] = []
        for entry in self.groups[name]:
            try:
                alternatives.append(_Parser(entry, self.groups, (*self.stack, name)).parse())
            except QueryError as exc:
                if self.stack:  # the outermost group reference reports it, once
                    raise
                raise self.error(f"in @{name} entry {entry!r}: {exc.message}", lexeme.pos) from exc
        if not alternatives:
            raise self.error(f"term group @{name} is empty", lexeme.pos)
        return alternatives[0] if len(alternatives) == 1 else Or(tuple(alternatives), lexeme.pos)

    def parse_field(self, lexeme: _Lexeme) -> Node:
        if self.peek().kind not in ("word", "phrase", "lparen", "near", "group"):
            raise self.error(f"{lexeme.text}: needs a word, phrase or (group) after it", lexeme.pos)
        child = self.parse_primary()
        if child is None:
            raise self.error(f"{lexeme.text}: needs a searchable term after it", lexeme.pos)
        if _contains_field(child):
            raise self.error("a field filter cannot contain another one", lexeme.pos)
        return Field(lexeme.text, child, lexeme.pos)

    def parse_near(self, near: _Lexeme) -> Node:
        self.take()  # the "(" that must follow NEAR
        arguments: list[tuple[Phrase, ...]] = []
        distance = DEFAULT_NEAR
        while True:
            lexeme = self.peek()
            if lexeme.kind == "rparen":
                self.take()
                break
            if lexeme.kind == "end":
                raise self.error('unclosed "NEAR("', near.pos)
            if lexeme.kind == "comma":
                self.take()
                number = self.take()
                if number.kind != "word" or not number.text.isdigit() or number.prefix:
                    raise self.error("NEAR distance must be a whole number", number.pos)
                distance = int(number.text)
                if self.peek().kind != "rparen":
                    raise self.error('NEAR distance must come last, before ")"', self.peek().pos)
                continue
            node = self.parse_primary()
            if node is None:
                continue
            arguments.append(_near_alternatives(node, self.error, lexeme.pos))
        if len(arguments) < 2:
            raise self.error("NEAR needs at least two terms", near.pos)
        combinations = 1
        for alternatives in arguments:
            combinations *= len(alternatives)
        if combinations > MAX_NEAR_COMBINATIONS:
            raise self.error(
                f"NEAR expands to {combinations} combinations (at most "
                f"{MAX_NEAR_COMBINATIONS}); use fewer alternatives",
                near.pos,
            )
        return Near(tuple(arguments), distance, near.pos)


def _contains_field(node: Node) -> bool:
    if isinstance(node, Field):
        return True
    if isinstance(node, And | Or):
        return any(_contains_field(c) for c in node.children)
    if isinstance(node, Not):
        return _contains_field(node.child)
    return False


def _near_alternatives(node: Node, error, pos: int) -> tuple[Phrase, ...]:
    """A NEAR argument as its alternative phrases; only words, phrases and ORs of them fit."""
    if isinstance(node, Phrase):
        return (node,)
    if isinstance(node, Or):
        out: list[Phrase] = []
        for child in node.children:
            out.extend(_near_alternatives(child, error, pos))
        return tuple(dict.fromkeys(out))
    raise error("NEAR takes words, phrases and OR-lists of them only", pos)


def _validate(node: Node, query: str) -> None:
    """Refuse what FTS5 cannot answer: an exclusion with nothing positive beside it."""
    if isinstance(node, Not):
        raise QueryError("a query cannot only exclude; add a word to include", node.pos, query)
    if isinstance(node, Or):
        for child in node.children:
            if isinstance(child, Not):
                raise QueryError("an exclusion cannot be an alternative of OR", child.pos, query)
            _validate(child, query)
    elif isinstance(node, And):
        if all(isinstance(child, Not) for child in node.children):
            raise QueryError("a group cannot only exclude; add a word to include", node.pos, query)
        for child in node.children:
            _validate(child.child if isinstance(child, Not) else child, query)
    elif isinstance(node, Field):
        _validate(node.child, query)


def _flatten(node: Node) -> Node:
    if isinstance(node, And | Or):
        kind = type(node)
        children: list[Node] = []
        for child in (_flatten(c) for c in node.children):
            children.extend(child.children if isinstance(child, kind) else (child,))
        unique = tuple(dict.fromkeys(children))
        return unique[0] if len(unique) == 1 else kind(unique, node.pos)
    if isinstance(node, Not):
        return Not(_flatten(node.child), node.pos)
    if isinstance(node, Field):
        return Field(node.name, _flatten(node.child), node.pos)
    return node


def parse_query(query: str, groups: Mapping[str, Sequence[str]] | None = None) -> Node:
    """Parse `query`; raise QueryError (with a position) when it is malformed."""
    node = _flatten(_Parser(query, groups or {}, ()).parse())
    _validate(node, query)
    return node


# --- FTS5 -------------------------------------------------------------------------------------


def _fts_phrase(phrase: Phrase) -> str:
    # Tokens are runs of letters and digits only, so they cannot break out of the quotes.
    return '"' + " ".join(phrase.tokens) + '"' + ("*" if phrase.prefix else "")


def to_fts5(node: Node) -> str:
    """A MATCH expression for FTS5 equivalent to `node`."""
    if isinstance(node, Phrase):
        return _fts_phrase(node)
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(child) for child in node.children) + ")"
    if isinstance(node, And):
        positives = [c for c in node.children if not isinstance(c, Not)]
        negatives = [c for c in node.children if isinstance(c, Not)]
        text = "(" + " AND ".join(to_fts5(c) for c in positives) + ")"
        for negative in negatives:
            text = f"({text} NOT {to_fts5(negative.child)})"
        return text
    if isinstance(node, Near):
        clauses = [
            "NEAR(" + " ".join(_fts_phrase(p) for p in combo) + f", {node.distance})"
            for combo in itertools.product(*node.arguments)
        ]
        return clauses[0] if len(clauses) == 1 else "(" + " OR ".join(clauses) + ")"
    if isinstance(node, Field):
        return f"{node.name} : ({to_fts5(node.child)})"
    raise TypeError(f"cannot compile {node!r}")  # Not is only valid inside And


def positive_phrases(node: Node) -> list[Phrase]:
    """Every phrase that can make `node` match (the words to highlight or report)."""
    if isinstance(node, Phrase):
        return [node]
    if isinstance(node, Not):
        return []
    if isinstance(node, Near):
        return [p for alternatives in node.arguments for p in alternatives]
    if isinstance(node, Field):
        return positive_phrases(node.child)
    return [p for child in node.children for p in positive_phrases(child)]
