"""Every fixture feed parses: items, or a clear per-feed error. Never an exception.

Each fixture's parse is compared with an expected result kept beside it in
fixtures/expected/ (reviewed when written). After a deliberate change to parsing, rewrite
them with WIREWATCH_UPDATE_EXPECTED=1 and review the diff.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feeds.errors import ParseError
from feeds.parse import FUTURE_TOLERANCE, parse_feed
from tests.conftest import FIXTURES, REAL_FEEDS, TRICKY_FEEDS

EXPECTED = FIXTURES / "expected"
FETCHED_AT = datetime(2025, 1, 1, tzinfo=UTC)
ALL_FEEDS = sorted(
    p for folder in (REAL_FEEDS, TRICKY_FEEDS) for p in folder.iterdir() if p.suffix != ".md"
)


def _parse_as_record(path: Path) -> dict:
    try:
        parsed = parse_feed(
            path.read_bytes(),
            feed=path.name,
            fetched_at=FETCHED_AT,
            base_url="http://example.com/feed/",
        )
    except ParseError as exc:
        return {"error": exc.message}
    return {
        "title": parsed.title,
        "warning": parsed.warning is not None,
        "items": [
            {
                "guid": item.guid,
                "title": item.title,
                "link": item.link,
                "summary": item.summary,
                "published": item.published.isoformat(),
                "author": item.author,
            }
            for item in parsed.items
        ],
    }


@pytest.mark.parametrize("path", ALL_FEEDS, ids=lambda p: p.name)
def test_fixture_parses_as_expected(path: Path):
    record = _parse_as_record(path)
    expected_path = EXPECTED / f"{path.parent.name}__{path.name}.json"
    if os.environ.get("WIREWATCH_UPDATE_EXPECTED"):
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    assert record == json.loads(expected_path.read_text())


@pytest.mark.parametrize("path", ALL_FEEDS, ids=lambda p: p.name)
def test_parsed_text_is_safe(path: Path):
    record = _parse_as_record(path)
    for item in record.get("items", []):
        for field in ("title", "summary", "author", "guid", "link"):
            value = item[field]
            assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value), (field, value)
            assert value == value.strip()
        assert item["link"] == "" or item["link"].startswith(("http://", "https://"))
        assert datetime.fromisoformat(item["published"]) <= FETCHED_AT + FUTURE_TOLERANCE


def test_real_fixtures_yield_all_433_items_with_times():
    total = 0
    for path in sorted(REAL_FEEDS.glob("*.xml")):
        parsed = parse_feed(path.read_bytes(), feed=path.name)
        assert parsed.warning is None
        total += len(parsed.items)
        assert all(item.published.year == 2024 for item in parsed.items)
    assert total == 433


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>"""


def _one(item_xml: str, fetched_at: datetime = FETCHED_AT):
    parsed = parse_feed(RSS.format(items=item_xml).encode(), feed="t", fetched_at=fetched_at)
    (item,) = parsed.items
    return item


def test_id_falls_back_from_guid_to_link_to_a_hash():
    assert _one("<item><guid>g1</guid><link>http://x/1</link></item>").guid == "g1"
    assert _one("<item><title>a</title><link>http://x/1</link></item>").guid == "http://x/1"
    hashed = _one("<item><title>a</title><pubDate>Wed, 23 Oct 2024 12:00:00 GMT</pubDate></item>")
    assert hashed.guid.startswith("sha1:")
    again = _one("<item><title>a</title><pubDate>Wed, 23 Oct 2024 12:00:00 GMT</pubDate></item>")
    assert again.guid == hashed.guid
    other = _one("<item><title>b</title><pubDate>Wed, 23 Oct 2024 12:00:00 GMT</pubDate></item>")
    assert other.guid != hashed.guid


def test_times_are_utc_with_fallbacks_and_no_future():
    item = _one("<item><title>a</title><pubDate>Wed, 23 Oct 2024 14:00:00 +0200</pubDate></item>")
    assert item.published == datetime(2024, 10, 23, 12, tzinfo=UTC)
    undated = _one("<item><title>a</title></item>")
    assert undated.published == FETCHED_AT
    future = _one("<item><title>a</title><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>")
    assert future.published == FETCHED_AT
    soon = FETCHED_AT + timedelta(minutes=5)
    slightly = _one(
        f"<item><title>a</title><pubDate>{soon.strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate></item>"
    )
    assert slightly.published == soon  # a clock a few minutes fast is tolerated


def test_hostile_title_and_links_are_neutralised():
    item = _one(
        "<item><title>&lt;b&gt;Bold&lt;/b&gt; [bold red]x[/] \x1b</title>"
        "<link>javascript:alert(1)</link><description>&lt;script&gt;x&lt;/script&gt;ok"
        "</description></item>"
    )
    assert item.title == "Bold [bold red]x[/]"
    assert item.link == ""
    assert item.summary == "ok"


def test_relative_links_resolve_against_the_feed_address():
    parsed = parse_feed(
        RSS.format(items="<item><title>a</title><link>/news/1</link></item>").encode(),
        feed="t",
        base_url="https://example.org/rss.xml",
    )
    assert parsed.items[0].link == "https://example.org/news/1"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty document"),
        (b"   \n", "empty document"),
        (b"<html><body>Not a feed</body></html>", "not an RSS or Atom feed"),
        (b"{not json", "invalid JSON"),
        (b'{"title": "x"}', "not a JSON Feed"),
        (b"\x00\x01\x02garbage", "not an RSS or Atom feed"),
    ],
)
def test_non_feeds_raise_a_parse_error_naming_the_feed(data, message):
    with pytest.raises(ParseError) as caught:
        parse_feed(data, feed="Broken Feed")
    assert caught.value.feed == "Broken Feed"
    assert message in str(caught.value)
