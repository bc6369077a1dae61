"""feeds.fetch against a real server on 127.0.0.1: every outcome is a FetchResult."""

from __future__ import annotations

import gzip
import socket
from datetime import UTC, datetime

import pytest

from feeds.fetch import USER_AGENT, FetchLimits, fetch, new_client, parse_retry_after, read_local
from tests.conftest import REAL_FEEDS
from tests.feed_server import http_date

FEED = REAL_FEEDS / "bbc-news_2024-10-23.xml"
# Short limits keep failure tests fast; generous enough for a loaded 2-core machine.
LIMITS = FetchLimits(
    connect_timeout=5, read_timeout=1.0, total_timeout=4, max_bytes=1_000_000, max_redirects=3
)


async def get(url: str, limits: FetchLimits = LIMITS, **validators):
    async with new_client(limits) as client:
        return await fetch(client, url, limits=limits, **validators)


async def test_a_feed_is_fetched_with_our_user_agent(feed_server):
    url = feed_server.feed("/rss", FEED, etag='"v1"', last_modified=http_date(1_700_000_000))
    result = await get(url)
    assert result.status == "ok" and result.http_status == 200
    assert result.body == FEED.read_bytes()
    assert result.etag == '"v1"' and result.last_modified == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert result.headers["content-type"].startswith("application/rss+xml")
    assert result.final_url == url and result.permanent_url is None and result.error is None
    (request,) = feed_server.hits("/rss")
    assert request.headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("wirewatch/") and "(+https://" in USER_AGENT
    assert "if-none-match" not in request.headers


@pytest.mark.parametrize(
    "validators",
    [{"etag": '"v1"'}, {"last_modified": "Tue, 14 Nov 2023 22:13:20 GMT"}],
    ids=["etag", "last-modified"],
)
async def test_validators_make_a_conditional_get(feed_server, validators):
    url = feed_server.feed("/rss", FEED, etag='"v1"', last_modified=http_date(1_700_000_000))
    result = await get(url, **validators)
    assert result.status == "not-modified" and result.http_status == 304
    assert result.body == b""
    request = feed_server.hits("/rss")[-1]
    assert request.headers.get("if-none-match") == validators.get("etag")
    assert request.headers.get("if-modified-since") == validators.get("last_modified")


async def test_a_stale_validator_gets_the_new_document(feed_server):
    url = feed_server.feed("/rss", FEED, etag='"v2"')
    result = await get(url, etag='"v1"')
    assert result.status == "ok" and result.etag == '"v2"' and result.body


async def test_gzip_is_decompressed(feed_server):
    url = feed_server.feed("/rss", FEED, gzip=True)
    result = await get(url)
    assert result.status == "ok" and result.body == FEED.read_bytes()
    assert "gzip" in feed_server.hits("/rss")[0].headers["accept-encoding"]


@pytest.mark.parametrize(
    ("hops", "permanent"),
    [
        ([301], "/new"),
        ([308], "/new"),
        ([302], None),
        ([307], None),
        ([301, 302], "/hop1"),  # moved for good to hop1, which sends us on for now
        ([301, 308], "/new"),
        ([302, 301], None),
    ],
)
async def test_redirects_are_followed_and_permanent_ones_reported(feed_server, hops, permanent):
    feed_server.feed("/new", FEED)
    names = [f"/hop{i}" for i in range(len(hops))] + ["/new"]
    for status, here, there in zip(hops, names, names[1:], strict=False):
        feed_server.add(here, status=status, location=there)
    result = await get(feed_server.url("/hop0"))
    assert result.status == "ok" and result.body == FEED.read_bytes()
    assert result.final_url == feed_server.url("/new")
    assert result.permanent_url == (feed_server.url(permanent) if permanent else None)


async def test_a_redirect_loop_is_an_error(feed_server):
    feed_server.add("/a", status=302, location="/b")
    feed_server.add("/b", status=302, location="/a")
    result = await get(feed_server.url("/a"))
    assert result.status == "error" and result.error == "more than 3 redirects"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, "HTTP 404 Not Found"),
        (403, "HTTP 403 Forbidden"),
        (500, "HTTP 500 Internal Server Error"),
        (502, "HTTP 502 Bad Gateway"),
        (599, "HTTP 599"),
    ],
)
async def test_error_statuses_are_errors(feed_server, status, message):
    url = feed_server.add("/x", status=status, body=b"<html>\x1b[31mno</html>")
    result = await get(url)
    assert (result.status, result.http_status, result.error) == ("error", status, message)
    assert result.body == b"" and result.retry_after is None


async def test_410_gone_is_its_own_outcome(feed_server):
    result = await get(feed_server.add("/x", status=410))
    assert result.status == "gone" and result.http_status == 410
    assert result.error == "HTTP 410 Gone: the feed was removed"


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_in_seconds_and_as_a_date(feed_server, status):
    url = feed_server.add("/s", status=status, headers={"Retry-After": "120"})
    assert (await get(url)).retry_after == 120
    later = datetime.now(UTC).timestamp() + 3600
    url = feed_server.add("/d", status=status, headers={"Retry-After": http_date(later)})
    assert 3500 < (await get(url)).retry_after <= 3600
    url = feed_server.add("/n", status=status)
    result = await get(url)
    assert result.status == "error" and result.retry_after is None


def test_parse_retry_after():
    now = datetime(2024, 11, 1, 12, tzinfo=UTC)
    assert parse_retry_after("30", now) == 30
    assert parse_retry_after(" 7 ", now) == 7
    assert parse_retry_after("Fri, 01 Nov 2024 12:10:00 GMT", now) == 600
    assert parse_retry_after("Fri, 01 Nov 2024 11:00:00 GMT", now) == 0  # in the past
    for junk in (None, "", "soon", "-5", "1.5e3", "Fri, 99 Nov 2024"):
        assert parse_retry_after(junk, now) is None


async def test_a_stalled_server_hits_the_read_timeout(feed_server):
    url = feed_server.feed("/slow", FEED, delay=30)
    result = await get(url)
    assert result.status == "error"
    assert result.error == "server went silent for 1 s (read timeout)"
    assert result.elapsed < 3.5


async def test_a_trickling_body_hits_the_total_timeout(feed_server):
    # Each chunk comes well within the read timeout; the whole would take 60 s.
    url = feed_server.feed("/drip", FEED, chunk_size=200, chunk_delay=0.3)
    limits = FetchLimits(read_timeout=1.0, total_timeout=1.5)
    result = await get(url, limits)
    assert result.status == "error" and result.error == "took longer than 1.5 s (gave up)"
    assert result.elapsed < 3.5


async def test_latency_within_limits_is_fine(feed_server):
    url = feed_server.feed("/lag", FEED, delay=0.3)
    result = await get(url)
    assert result.status == "ok" and result.elapsed >= 0.3


@pytest.mark.parametrize("declare_length", [True, False])
async def test_an_oversized_body_is_cut_off(feed_server, declare_length):
    url = feed_server.feed("/big", FEED, padding=5_000_000, declare_length=declare_length)
    result = await get(url)
    assert result.status == "error" and result.error == "response larger than 1,000,000 bytes"
    assert result.body == b""


async def test_a_gzip_bomb_is_cut_off_while_decompressing(feed_server):
    bomb = gzip.compress(b" " * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    url = feed_server.add("/bomb", body=bomb, headers={"Content-Encoding": "gzip"})
    result = await get(url)
    assert result.status == "error" and result.error == "response larger than 1,000,000 bytes"


async def test_refused_connection(feed_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await get(f"http://127.0.0.1:{port}/rss")
    assert result.status == "error" and result.error == "connection refused"
    assert result.http_status is None


async def test_reset_connection(feed_server):
    result = await get(feed_server.add("/reset", reset=True))
    assert result.status == "error"
    assert result.error in (
        "connection reset by the server",
        "server broke off the response: Server disconnected without sending a response.",
    )


async def test_a_tls_handshake_failure(feed_server):
    # The server speaks plain HTTP: a TLS client hello gets garbage back.
    result = await get(feed_server.url("/rss").replace("http://", "https://"))
    assert result.status == "error" and result.error.startswith("TLS handshake failed")


async def test_an_unknown_host(monkeypatch):
    # A real DNS failure needs the network; fail the lookup itself, just for this host.
    real = socket.getaddrinfo

    def lookup(host, *args, **kwargs):
        if host == "feeds.example.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    result = await get("http://feeds.example.invalid/rss")
    assert result.status == "error" and result.error == "host not found (DNS lookup failed)"


@pytest.mark.parametrize("url", ["http://", "ftp://example.org/x", "http://[::1"])
async def test_bad_urls_never_raise(url):
    result = await get(url)
    assert result.status == "error" and result.error.startswith("bad or unsupported URL")


async def test_an_empty_body_is_fetched_as_empty(feed_server):
    result = await get(feed_server.add("/empty", body=b""))
    assert result.status == "ok" and result.body == b""  # the parser calls it a failure


async def test_a_local_file_uses_mtime_and_size_as_validator(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED.read_bytes())
    first = await read_local(path.as_uri(), limits=LIMITS)
    assert first.status == "ok" and first.body == FEED.read_bytes() and first.etag
    again = await read_local(path.as_uri(), etag=first.etag, limits=LIMITS)
    assert again.status == "not-modified" and again.body == b""
    path.write_bytes(FEED.read_bytes() + b"\n")
    changed = await read_local(path.as_uri(), etag=first.etag, limits=LIMITS)
    assert changed.status == "ok" and changed.etag != first.etag
    # The same door as web feeds:
    assert (await get(path.as_uri(), etag=changed.etag)).status == "not-modified"


async def test_local_file_errors(tmp_path):
    missing = await read_local((tmp_path / "nope.xml").as_uri())
    assert missing.status == "error" and missing.error.startswith("no such file: ")
    big = tmp_path / "big.xml"
    big.write_bytes(b" " * 1_000_001)
    result = await read_local(big.as_uri(), limits=LIMITS)
    assert result.status == "error" and result.error == "file larger than 1,000,000 bytes"
