"""Split text into search tokens exactly as SQLite's FTS5 `unicode61 remove_diacritics 2` does.

The in-memory storyline matcher and the FTS5 index must agree on what a word is, or a
storyline would tag items that a search for the same query does not find (and vice versa).
unicode61 treats letters, digits and private-use characters as token characters and
everything else as a separator, folds case, and strips diacritics.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """Lower-case and strip diacritics from one token character ('' if it is a separator)."""
    category = unicodedata.category(ch)
    if category[0] not in "LN" and category != "Co":
        return ""
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return (base or ch).lower()


def tokenize(text: str) -> list[str]:
    """The folded tokens of `text`, in order."""
    tokens: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch.isascii():
            # Fast path for the common case; same rule as below.
            if ch.isalnum():
                current.append(ch.lower())
                continue
            folded = ""
        else:
            folded = _fold_char(ch)
        if folded:
            current.append(folded)
        elif current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    return tokens
