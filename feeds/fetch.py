"""Fetch one feed document, politely and within limits, and say what happened.

One `httpx.AsyncClient` (from `new_client`) serves every fetch of a poll: HTTP/2 where the
server offers it, connection reuse per host. `fetch` never raises for anything the network
or the server does: every failure comes back as a `FetchResult` with a short, clean message,
so one feed's trouble never stops the others. Local feeds (file:// URLs) take the same road
through `read_local`, with the file's mtime and size standing in for an ETag.
"""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

import httpx

from feeds.text import clean_text

PROJECT_URL = "https://github.com/wirewatch/wirewatch"


def _version() -> str:
    try:
        return version("wirewatch")
    except PackageNotFoundError:  # a source tree that is not installed
        return "0+unknown"


USER_AGENT = f"wirewatch/{_version()} (+{PROJECT_URL})"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
# Response headers the parser may use (encoding detection, relative links).
_PARSE_HEADERS = ("content-type", "content-location", "content-language")
MAX_MESSAGE = 200

FetchStatus = Literal["ok", "not-modified", "error", "gone"]


@dataclass(frozen=True)
class FetchLimits:
    connect_timeout: float = 10.0  # seconds to open a connection (TLS included)
    read_timeout: float = 30.0  # longest silence while waiting for bytes
    # A server that trickles a byte every few seconds never trips the read timeout;
    # this bounds the whole request.
    total_timeout: float = 60.0
    max_bytes: int = 20 * 1024 * 1024  # after decompression: a gzip bomb stops here
    max_redirects: int = 5


@dataclass(frozen=True)
class FetchResult:
    url: str  # what was requested
    status: FetchStatus
    http_status: int | None = None
    body: bytes = b""
    final_url: str = ""  # after redirects: the base of relative links
    permanent_url: str | None = None  # where a 301/308 says the feed now lives
    etag: str | None = None
    last_modified: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # for the parser
    retry_after: float | None = None  # seconds the server asked us to wait (429, 503)
    error: str | None = None  # short and clean: safe to print
    elapsed: float = 0.0


class _TooLarge(Exception):
    pass


def new_client(limits: FetchLimits = FetchLimits(), *, connections: int = 32) -> httpx.AsyncClient:
    """The client shared by every fetch of a poll; close it (async with) when done."""
    return httpx.AsyncClient(
        http2=True,
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
        timeout=httpx.Timeout(
            connect=limits.connect_timeout,
            read=limits.read_timeout,
            write=limits.read_timeout,
            # The poller bounds concurrency itself; a pool wait means a bug, not a slow host.
            pool=limits.total_timeout,
        ),
        follow_redirects=True,
        max_redirects=limits.max_redirects,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: either delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _permanent_target(response: httpx.Response) -> str | None:
    """The URL the feed moved to for good: the end of the leading run of 301/308 hops.

    A 301 followed by a 302 means the feed lives at the 301's target, which chooses to send
    us elsewhere for now; remembering the 302's target would be wrong.
    """
    target = None
    hops = [*response.history, response]
    for hop, following in itertools.pairwise(hops):
        if hop.status_code not in (301, 308):
            break
        target = str(following.request.url)
    return target


def _status_text(code: int) -> str:
    # The standard phrase, never the server's own reason text.
    try:
        return f"HTTP {code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def describe_error(exc: BaseException, limits: FetchLimits) -> str:
    """A short account of a failed request, for the feed's health record."""
    chain = _causes(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not connect within {_seconds(limits.connect_timeout)}"
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
        return f"server went silent for {_seconds(limits.read_timeout)} (read timeout)"
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return f"took longer than {_seconds(limits.total_timeout)} (gave up)"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"more than {limits.max_redirects} redirects"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"bad or unsupported URL: {exc}"
    if isinstance(exc, httpx.DecodingError):
        return "response body could not be decompressed"
    for cause in chain:
        if isinstance(cause, socket.gaierror):
            return "host not found (DNS lookup failed)"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate rejected: {cause.verify_message or cause.reason}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake failed: {cause.reason or cause}"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by the server"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"server broke off the response: {exc}"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect: {exc}"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return f"connection failed mid-response: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _clean(message: str) -> str:
    message = clean_text(message)
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def _error(url: str, message: str, started: float, **fields: object) -> FetchResult:
    return FetchResult(
        url,
        "error",
        error=_clean(message),
        elapsed=time.monotonic() - started,
        **fields,  # type: ignore[arg-type]
    )


async def _read_body(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length")
    encoded = response.headers.get("content-encoding", "identity").lower() != "identity"
    if declared and declared.isdigit() and not encoded and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():  # decompressed: the cap bounds memory
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits = FetchLimits(),
) -> FetchResult:
    """GET `url` (conditionally, when validators are given); never raises for I/O trouble."""
    if url.lower().startswith("file://"):
        return await read_local(url, etag=etag, limits=limits)
    started = time.monotonic()
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(limits.total_timeout):
            async with client.stream("GET", url, headers=headers) as response:
                return await _result(url, response, limits, started)
    except _TooLarge:
        return _error(url, f"response larger than {limits.max_bytes:,} bytes", started)
    except (httpx.HTTPError, httpx.InvalidURL, TimeoutError, OSError) as exc:
        return _error(url, describe_error(exc, limits), started)


async def _result(
    url: str, response: httpx.Response, limits: FetchLimits, started: float
) -> FetchResult:
    code = response.status_code
    moved = _permanent_target(response)
    common = {
        "http_status": code,
        "final_url": str(response.url),
        "permanent_url": moved,
        "etag": response.headers.get("etag"),
        "last_modified": response.headers.get("last-modified"),
    }
    if code == 304:
        return FetchResult(url, "not-modified", elapsed=time.monotonic() - started, **common)
    if code == 410:
        return FetchResult(
            url,
            "gone",
            error=f"{_status_text(code)}: the feed was removed",
            elapsed=time.monotonic() - started,
            **common,
        )
    if not 200 <= code < 300:
        retry_after = None
        if code in (429, 503):
            retry_after = parse_retry_after(response.headers.get("retry-after"))
        return _error(url, _status_text(code), started, retry_after=retry_after, **common)
    body = await _read_body(response, limits.max_bytes)
    headers = {k: response.headers[k] for k in _PARSE_HEADERS if k in response.headers}
    return FetchResult(
        url, "ok", body=body, headers=headers, elapsed=time.monotonic() - started, **common
    )


def local_validator(path: Path) -> str:
    """An ETag for a local file: it changes whenever the file is rewritten."""
    info = path.stat()
    return f'W/"{info.st_mtime_ns:x}-{info.st_size:x}"'


async def read_local(
    url: str, *, etag: str | None = None, limits: FetchLimits = FetchLimits()
) -> FetchResult:
    """A file:// feed, read like a web one: validator, size cap, errors as results."""
    started = time.monotonic()
    path = Path(unquote(urlsplit(url).path))
    try:
        validator = local_validator(path)
        if etag is not None and etag == validator:
            return FetchResult(
                url,
                "not-modified",
                final_url=url,
                etag=validator,
                elapsed=time.monotonic() - started,
            )
        if path.stat().st_size > limits.max_bytes:
            return _error(url, f"file larger than {limits.max_bytes:,} bytes", started)
        body = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        return _error(url, f"no such file: {path}", started)
    except OSError as exc:
        return _error(url, f"cannot read {path}: {exc.strerror or exc}", started)
    return FetchResult(
        url, "ok", body=body, final_url=url, etag=validator, elapsed=time.monotonic() - started
    )
