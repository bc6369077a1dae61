"""Feed text is hostile: reduce HTML to plain text and strip what a terminal would obey.

Everything a feed says passes through `clean_text` or `html_to_text` before it is stored,
so the database only ever holds printable, single-spaced plain text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

# Elements whose content is never text a reader wants.
_SKIPPED = {"script", "style", "template", "noscript", "head", "title", "svg", "math"}
# Elements that separate words: without a space "<p>one</p><p>two</p>" reads "onetwo".
_BREAKING_TAGS = (
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 "
    "h6 header hr img li main nav ol p pre section table td th tr ul"
)
_BREAKING = set(_BREAKING_TAGS.split())

# Bidi overrides and isolates can make a title display text it does not contain.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
_SPACE = re.compile(r"\s+")
# Only complete references: a bare "&not" in "&notation" must stay text on the second pass.
_LEFTOVER_REFERENCE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag in _BREAKING:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKING:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BREAKING:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def strip_controls(text: str) -> str:
    """Drop control and format characters (ESC, C1, bidi overrides); keep printable text.

    Line breaks and tabs become spaces rather than vanishing, so words stay apart.
    """
    out: list[str] = []
    for ch in text:
        if ch in "\t\n\r\f\v":
            out.append(" ")
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs", "Co", "Cn") or ch in _BIDI:
            continue
        if category == "Cf" and ch not in "\u200d":  # keep ZWJ: emoji sequences need it
            continue
        out.append(ch)
    return "".join(out)


def clean_text(text: str | None) -> str:
    """Plain text from a feed: controls removed, whitespace collapsed, trimmed."""
    if not text:
        return ""
    return _SPACE.sub(" ", strip_controls(text)).strip()


def html_to_text(markup: str | None) -> str:
    """Reduce an HTML fragment to its readable text, entities decoded, whitespace collapsed.

    Some publishers escape their entities twice (`&amp;#039;`), which survives one round of
    decoding as a literal `&#039;`; a second `html.unescape` settles those without harming text
    that merely contains an ampersand.
    """
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        return clean_text(markup)
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
        text = "".join(parser.parts)
    except Exception:  # HTMLParser is lenient, but a hostile fragment must never stop ingest.
        text = re.sub(r"<[^>]*>", " ", markup)
    if "&" in text:
        text = _LEFTOVER_REFERENCE.sub(lambda m: html.unescape(m.group(0)), text)
    return clean_text(text)
