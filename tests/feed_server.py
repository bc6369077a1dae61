"""A real HTTP server on 127.0.0.1 that serves feeds and misbehaves on request.

Each path is a `Route`: a body plus switches for latency, validators and 304s, redirects,
error statuses with Retry-After, stalls, slow bodies, oversized bodies, gzip and resets.
Every request is recorded, so a test can check what the client sent. Used by the tests'
`feed_server` fixture and by bench/poll_bench.py.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answer If-None-Match with 304
    last_modified: str | None = None  # answer If-Modified-Since with 304
    location: str | None = None  # for 3xx: a path on this server or a URL
    delay: float = 0.0  # seconds before the status line: latency, or a stall
    chunk_delay: float = 0.0  # seconds between body chunks: a slow body
    chunk_size: int = 16 * 1024
    gzip: bool = False  # compress when the client accepts gzip
    padding: int = 0  # stream this many extra bytes after the body (an oversized body)
    declare_length: bool = True  # send Content-Length (else: read until close)
    reset: bool = False  # drop the connection with a TCP reset instead of answering


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]  # lower-case names


class FeedServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.closing = threading.Event()
        self._lock = threading.Lock()
        self._http = _Server((host, port), _Handler)
        self._http.feed_server = self
        self.host, self.port = self._http.server_address[:2]
        # A short poll interval: shutdown() waits for it, once per test.
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.closing.set()  # wakes every stalled handler
        self._http.shutdown()
        self._http.server_close()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def add(self, path: str, route: Route | None = None, **switches: object) -> str:
        """Serve `route` (or a Route built from `switches`) at `path`; returns its URL."""
        self.routes[path] = route or Route(**switches)  # type: ignore[arg-type]
        return self.url(path)

    def feed(self, path: str, source: Path, **switches: object) -> str:
        """Serve the feed file `source` at `path`."""
        return self.add(path, Route(body=source.read_bytes(), **switches))  # type: ignore[arg-type]

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 makes a burst of connections wait for SYN retries (seconds).
    request_queue_size = 1024
    feed_server: FeedServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up on purpose (size caps, timeouts) are not news here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        owner = self.server.feed_server
        path = self.path.split("?", 1)[0]
        owner._record(Request(path, {k.lower(): v for k, v in self.headers.items()}))
        route = owner.routes.get(path)
        if route is None:
            self._respond(404, b"not found", {"Content-Type": "text/plain"})
            return
        if route.delay and owner.closing.wait(route.delay):
            return
        if route.reset:
            # SO_LINGER 0: close() sends RST, as a crashed proxy or a firewall would.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if route.location:
            location = route.location
            headers["Location"] = location if "://" in location else owner.url(location)
        if route.status == 200 and self._not_modified(route):
            self._respond(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"})
            return
        body = route.body
        if route.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._respond(route.status, body, headers, route)

    def _not_modified(self, route: Route) -> bool:
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            return True
        return bool(
            route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
        )

    def _respond(
        self, status: int, body: bytes, headers: dict[str, str], route: Route | None = None
    ) -> None:
        route = route or Route()
        total = len(body) + route.padding
        self.send_response(status)
        self.send_header("Date", formatdate(usegmt=True))
        for name, value in headers.items():
            self.send_header(name, value)
        if route.declare_length:
            self.send_header("Content-Length", str(total))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if status == 304:
            return
        closing = self.server.feed_server.closing
        try:
            for chunk in _chunks(body, route.padding, route.chunk_size):
                self.wfile.write(chunk)
                self.wfile.flush()
                if route.chunk_delay and closing.wait(route.chunk_delay):
                    return
        except OSError:  # the client gave up (size cap, timeout): that is the point
            self.close_connection = True


def _chunks(body: bytes, padding: int, size: int) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]
    filler = b" " * size
    while padding > 0:
        yield filler[: min(size, padding)]
        padding -= size


def http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)
