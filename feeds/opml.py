"""OPML, the feed readers' exchange format: read a subscription list, write ours.

Nested outlines are categories: a feed inside "News" > "Europe" gets the tags News and
Europe, as does a `category="/News/Europe"` attribute. Export writes each feed under an
outline named after its first tag, with all its tags in `category`, so a round trip
gives the same tags back.

An OPML file comes from elsewhere and is parsed with the standard library's expat, which
would expand entities declared in a DOCTYPE (the "billion laughs" bomb) and does not
guard against every trick that defusedxml knows. OPML never needs a DOCTYPE, so any file
that has one is refused before a single entity is declared.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formatdate
from urllib.parse import urlsplit
from xml.parsers import expat

from feeds.config import Config
from feeds.config_edit import NewFeed, same_location
from feeds.errors import WirewatchError
from feeds.text import clean_text

MAX_OPML_BYTES = 10 * 1024 * 1024


class OpmlError(WirewatchError):
    """The file is not an OPML subscription list we can read."""


@dataclass(frozen=True)
class OpmlFeed:
    name: str
    url: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    feed: OpmlFeed
    reason: str


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _category_tags(value: str) -> list[str]:
    return [clean_text(part) for path in value.split(",") for part in path.split("/")]


def read_opml(data: bytes, source: str = "OPML") -> list[OpmlFeed]:
    """The feeds listed in an OPML document, in document order."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"{source}: larger than {MAX_OPML_BYTES:,} bytes")
    feeds: list[OpmlFeed] = []
    categories: list[str | None] = []  # one per open outline; None for a feed's own
    elements: list[str] = []

    def refuse(*_: object) -> None:
        raise OpmlError(f"{source}: has a DOCTYPE, which OPML never needs; refused")

    def start(name: str, attrs: dict[str, str]) -> None:
        if not elements and name != "opml":
            raise OpmlError(f"{source}: not an OPML file (its root is <{clean_text(name)}>)")
        elements.append(name)
        if name != "outline":
            return
        attrs = {key.lower(): value for key, value in attrs.items()}
        label = clean_text(attrs.get("text") or attrs.get("title") or "")
        url = clean_text(attrs.get("xmlurl") or "")
        if not url:
            categories.append(label or None)
            return
        tags = [c for c in categories if c] + _category_tags(attrs.get("category", ""))
        feeds.append(OpmlFeed(label or url, url, _unique(tags)))
        categories.append(None)

    def end(name: str) -> None:
        elements.pop()
        if name == "outline":
            categories.pop()

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise OpmlError(f"{source}: not well-formed XML: {exc}") from None
    return feeds


def plan_import(config: Config, feeds: Sequence[OpmlFeed]) -> tuple[list[NewFeed], list[Skipped]]:
    """Which OPML feeds to add to `config`, and which to skip, and why.

    A URL already configured (or listed twice) is skipped. A name that is taken by a
    different feed gets the URL's host added: "World (example.org)".
    """
    names = {spec.name for spec in config.feeds}
    taken = [(spec.name, spec.location) for spec in config.feeds]
    add: list[NewFeed] = []
    skipped: list[Skipped] = []
    for feed in feeds:
        if not feed.url.lower().startswith(("http://", "https://", "file://")):
            skipped.append(Skipped(feed, "not an http(s) or file:// URL"))
            continue
        owner = next((name for name, url in taken if same_location(url, feed.url)), None)
        if owner is not None:
            where = "listed twice" if owner not in names else f"already in feeds.yaml as {owner!r}"
            skipped.append(Skipped(feed, where))
            continue
        name = feed.name
        if any(n == name for n, _ in taken):
            name = f"{feed.name} ({urlsplit(feed.url).hostname or 'local'})"
        if any(n == name for n, _ in taken):
            skipped.append(Skipped(feed, f"the name {feed.name!r} is taken"))
            continue
        taken.append((name, feed.url))
        add.append(NewFeed(name, feed.url, tags=feed.tags))
    return add, skipped


def write_opml(config: Config, title: str = "wirewatch feeds") -> bytes:
    """An OPML 2.0 document of the configured feeds, grouped by their first tag."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = formatdate(usegmt=True)
    body = ET.SubElement(root, "body")
    groups: dict[str, ET.Element] = {}
    for spec in config.feeds:
        parent = body
        if spec.tags:
            first = spec.tags[0]
            if first not in groups:
                groups[first] = ET.SubElement(body, "outline", text=first, title=first)
            parent = groups[first]
        outline = ET.SubElement(
            parent, "outline", type="rss", text=spec.name, title=spec.name, xmlUrl=spec.location
        )
        if spec.tags:
            outline.set("category", ",".join(f"/{tag}" for tag in spec.tags))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
