"""Feed bytes -> items: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed by hand.

Every item comes out in one shape, its text already safe (see `feeds.text`), its time in UTC.
A document that holds no feed at all raises ParseError naming the feed; a feed that is merely
sloppy (feedparser's "bozo") still yields whatever items it has.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin

import feedparser

from feeds.errors import ParseError
from feeds.text import clean_text, html_to_text

# A feed's clock may run a little fast; beyond this an item's date is a lie (or a typo of the
# year) and would pin the item above everything else for months, so the fetch time wins.
FUTURE_TOLERANCE = timedelta(minutes=15)
MAX_ID_LENGTH = 1024
# feedparser sanitizes HTML; we throw the markup away anyway, so skip its costly resolver.
_PARSE_OPTIONS = {"resolve_relative_uris": False, "sanitize_html": True}


@dataclass(frozen=True)
class Item:
    """One news item as a feed states it, cleaned."""

    guid: str
    title: str
    link: str
    summary: str
    published: datetime  # UTC; first publication, else update, else fetch time
    updated: datetime | None
    author: str


def _readable(items: list[Item]) -> list[Item]:
    """Entries with no title, text or link are debris of a broken feed, not news."""
    return [item for item in items if item.title or item.summary or item.link]


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str
    items: list[Item]
    warning: str | None  # set when the document was malformed but still readable


def _utc(struct: time.struct_time | None) -> datetime | None:
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _iso(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _stable_id(raw_id: object, link: str, title: str, when: datetime | None) -> str:
    candidate = clean_text(str(raw_id)) if raw_id else ""
    if not candidate:
        candidate = link
    if not candidate:
        basis = f"{title}\x00{when.isoformat() if when else ''}"
        candidate = "sha1:" + hashlib.sha1(basis.encode()).hexdigest()
    if len(candidate) > MAX_ID_LENGTH:
        candidate = "sha1:" + hashlib.sha1(candidate.encode()).hexdigest()
    return candidate


def _make_item(
    raw_id: object,
    title: str,
    link: str,
    summary: str,
    published: datetime | None,
    updated: datetime | None,
    author: str,
    fetched_at: datetime,
) -> Item:
    ceiling = fetched_at + FUTURE_TOLERANCE
    when = published or updated or fetched_at
    if when > ceiling:
        when = fetched_at
    if updated and updated > ceiling:
        updated = None
    guid = _stable_id(raw_id, link, title, published or updated)
    return Item(guid, title, link, summary, when, updated, author)


def _safe_link(value: object, base: str = "") -> str:
    link = clean_text(str(value)) if value else ""
    if link and base and "://" not in link:
        link = urljoin(base, link)  # relative links are relative to the feed's own address
    # Only web links are worth opening; "javascript:" and friends are dropped.
    return link if link.lower().startswith(("http://", "https://")) else ""


def _entry_summary(entry: Mapping) -> str:
    summary = entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value", "")
    return html_to_text(summary)


def _parse_xml(
    data: bytes, feed: str, fetched_at: datetime, headers: Mapping[str, str], base: str
) -> ParsedFeed:
    parsed = feedparser.parse(data, response_headers=dict(headers), **_PARSE_OPTIONS)
    entries = parsed.get("entries") or []
    channel = parsed.get("feed") or {}
    if not entries and not parsed.get("version") and not channel.get("title"):
        reason = parsed.get("bozo_exception")
        detail = f": {clean_text(str(reason))[:200]}" if reason else ""
        raise ParseError(feed, f"not an RSS or Atom feed{detail}")
    items = []
    for entry in entries:
        title = html_to_text(entry.get("title"))
        items.append(
            _make_item(
                entry.get("id"),
                title,
                _safe_link(entry.get("link"), base),
                _entry_summary(entry),
                _utc(entry.get("published_parsed")),
                # dict.get: feedparser's own get() falls back to the published date here.
                _utc(dict.get(entry, "updated_parsed")),
                clean_text(entry.get("author")),
                fetched_at,
            )
        )
    warning = None
    if parsed.get("bozo"):
        warning = clean_text(str(parsed.get("bozo_exception")))[:200] or "malformed feed"
    return ParsedFeed(
        html_to_text(channel.get("title")),
        _safe_link(channel.get("link"), base),
        _readable(items),
        warning,
    )


def _json_text(value: object) -> str:
    """A JSON Feed string field; other types (lists, numbers) are a broken feed's noise."""
    return value if isinstance(value, str) else ""


def _json_author(entry: Mapping) -> str:
    authors = entry.get("authors") or ([entry["author"]] if entry.get("author") else [])
    if not isinstance(authors, list):
        return ""
    names = [_json_text(a.get("name")) for a in authors if isinstance(a, Mapping)]
    return clean_text(", ".join(n for n in names if n))


def _parse_json_feed(document: object, feed: str, fetched_at: datetime, base: str) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (jsonfeed.org), which feedparser 6 does not read."""
    if not isinstance(document, Mapping) or not str(document.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise ParseError(feed, "JSON document is not a JSON Feed (no jsonfeed.org version)")
    entries = document.get("items")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise ParseError(feed, "JSON Feed 'items' is not a list")
    items = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        summary_text = clean_text(
            _json_text(entry.get("summary")) or _json_text(entry.get("content_text"))
        ) or html_to_text(_json_text(entry.get("content_html")))
        items.append(
            _make_item(
                entry.get("id"),
                html_to_text(_json_text(entry.get("title"))),
                _safe_link(
                    _json_text(entry.get("url")) or _json_text(entry.get("external_url")), base
                ),
                summary_text,
                _iso(entry.get("date_published")),
                _iso(entry.get("date_modified")),
                _json_author(entry),
                fetched_at,
            )
        )
    return ParsedFeed(
        clean_text(_json_text(document.get("title"))),
        _safe_link(_json_text(document.get("home_page_url")), base),
        _readable(items),
        None,
    )


def _looks_like_json(data: bytes) -> bool:
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"{", b"["))


def parse_feed(
    data: bytes,
    *,
    feed: str,
    fetched_at: datetime | None = None,
    headers: Mapping[str, str] | None = None,
    base_url: str = "",
) -> ParsedFeed:
    """Parse one fetched document for the feed named `feed` (used in errors).

    `base_url` is where the document came from, against which relative links resolve.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    if not data or not data.strip():
        raise ParseError(feed, "empty document")
    if _looks_like_json(data):
        try:
            document = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise ParseError(feed, f"invalid JSON: {clean_text(str(exc))[:200]}") from exc
        return _parse_json_feed(document, feed, fetched_at, base_url)
    try:
        return _parse_xml(data, feed, fetched_at, headers or {}, base_url)
    except ParseError:
        raise
    except Exception as exc:  # feedparser's parsers have corner cases; one feed never stops all
        raise ParseError(feed, f"unreadable feed: {type(exc).__name__}: {exc}"[:200]) from exc
