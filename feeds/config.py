"""Load and validate feeds.yaml into frozen dataclasses.

Every mistake raises one ConfigError naming the file, the line and the key
(`feeds.yaml:14: feeds[3].url: not an http(s) URL or file path`), before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from feeds.errors import ConfigError, QueryError
from feeds.query import And, Node, Not, parse_query, to_fts5

DEFAULT_INTERVAL = timedelta(minutes=15)
MIN_INTERVAL = timedelta(minutes=1)
MAX_INTERVAL = timedelta(days=7)

_TOP_KEYS = {"feeds", "storylines", "terms"}
_FEED_KEYS = {"name", "url", "interval", "tags"}
_STORYLINE_KEYS = {"slug", "title", "match", "exclude", "feeds"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_GROUP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_INTERVAL_PART = re.compile(r"(\d+)\s*([smhdw])")
_INTERVAL = re.compile(r"^\s*(?:\d+\s*[smhdw]\s*)+$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class FeedSpec:
    """One feed as the user configured it."""

    name: str
    url: str  # as written in feeds.yaml
    interval: timedelta = DEFAULT_INTERVAL
    tags: tuple[str, ...] = ()
    path: Path | None = None  # set for local feeds: the resolved file
    line: int = field(default=0, compare=False)

    @property
    def is_local(self) -> bool:
        return self.path is not None

    @property
    def location(self) -> str:
        """Where to read the feed: an http(s) URL, or a file:// URL for a local file."""
        return self.path.as_uri() if self.path is not None else self.url


@dataclass(frozen=True)
class StorylineSpec:
    slug: str
    title: str
    match: str
    exclude: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()  # empty: every feed
    query: Node | None = field(default=None, compare=False)  # match AND NOT each exclude
    line: int = field(default=0, compare=False)

    @property
    def definition(self) -> str:
        """What decides membership; when it changes, the storyline must be re-tagged."""
        scope = ",".join(sorted(self.feeds))
        return f"{to_fts5(self.query) if self.query else self.match}\x1f{scope}"


@dataclass(frozen=True)
class Config:
    path: Path
    feeds: tuple[FeedSpec, ...]
    storylines: tuple[StorylineSpec, ...]
    terms: Mapping[str, tuple[str, ...]]

    def feed(self, name: str) -> FeedSpec | None:
        return next((f for f in self.feeds if f.name == name), None)

    def storyline(self, slug: str) -> StorylineSpec | None:
        return next((s for s in self.storylines if s.slug == slug), None)


def parse_interval(text: str) -> timedelta:
    """'90s', '10m', '1h30m', '2d' -> timedelta; ValueError otherwise."""
    if not isinstance(text, str) or not _INTERVAL.match(text):
        raise ValueError(f"bad interval {text!r} (use e.g. 90s, 10m, 1h30m, 1d)")
    seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _INTERVAL_PART.findall(text))
    return timedelta(seconds=seconds)


def format_interval(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


class _Validator:
    """Walks the YAML tree keeping track of where each value came from."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, line: int | None, key: str | None, message: str) -> ConfigError:
        return ConfigError(self.path, line, key, message)

    @staticmethod
    def key_line(mapping: Any, key: str, default: int) -> int:
        try:
            return mapping.lc.key(key)[0] + 1
        except (AttributeError, KeyError, TypeError):
            return default

    @staticmethod
    def value_line(mapping: Any, key: str, default: int) -> int:
        try:
            return mapping.lc.value(key)[0] + 1
        except (AttributeError, KeyError, TypeError):
            return default

    @staticmethod
    def item_line(sequence: Any, index: int, default: int) -> int:
        try:
            return sequence.lc.item(index)[0] + 1
        except (AttributeError, KeyError, IndexError, TypeError):
            return default

    @staticmethod
    def node_line(node: Any, default: int) -> int:
        try:
            return node.lc.line + 1
        except AttributeError:
            return default

    def mapping(self, node: Any, where: str, line: int, allowed: set[str]) -> Mapping:
        if not isinstance(node, Mapping):
            raise self.fail(line, where, f"expected a mapping, got {_kind(node)}")
        for key in node:
            if key not in allowed:
                key_line = self.key_line(node, key, line)
                options = ", ".join(sorted(allowed))
                raise self.fail(
                    key_line,
                    f"{where}.{key}" if where else str(key),
                    f"unknown key (expected one of: {options})",
                )
        return node

    def string(self, node: Mapping, key: str, where: str, line: int, required: bool) -> str | None:
        if key not in node or node[key] is None:
            if required:
                raise self.fail(line, where, f"missing required key '{key}'")
            return None
        value = node[key]
        value_line = self.value_line(node, key, line)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(value_line, f"{where}.{key}", f"expected text, got {_kind(value)}")
        return value.strip()

    def string_list(self, node: Mapping, key: str, where: str, line: int) -> list[tuple[str, int]]:
        """A list of non-empty strings (a lone string counts as a list of one)."""
        if key not in node or node[key] is None:
            return []
        value = node[key]
        value_line = self.value_line(node, key, line)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(value_line, f"{where}.{key}", f"expected a list, got {_kind(value)}")
        out = []
        for i, entry in enumerate(value):
            entry_line = self.item_line(value, i, value_line)
            if not isinstance(entry, str) or not entry.strip():
                raise self.fail(
                    entry_line, f"{where}.{key}[{i}]", f"expected text, got {_kind(entry)}"
                )
            out.append((entry.strip(), entry_line))
        return out

    def location(self, url: str, where: str, line: int) -> tuple[str, Path | None]:
        bad = self.fail(line, where, f"not an http(s) URL or file path: {url!r}")
        if any(ch.isspace() for ch in url):
            raise bad
        lowered = url.lower()
        if lowered.startswith(("http://", "https://")):
            parts = urlsplit(url)
            try:
                parts.port  # noqa: B018 - raises ValueError on a bad port
            except ValueError:
                raise bad from None
            if not parts.hostname:
                raise bad
            return url, None
        if lowered.startswith("file://"):
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost") or not parts.path:
                raise bad
            return url, Path(unquote(parts.path))
        if _SCHEME.match(url) and not re.match(r"^[A-Za-z]:[\\/]", url):
            raise bad
        path = Path(url).expanduser()
        # absolute(): a config found as ./feeds.yaml has a relative path of its own.
        return url, path if path.is_absolute() else (self.path.parent / path).absolute()

    def terms(self, root: Mapping) -> dict[str, tuple[str, ...]]:
        if "terms" not in root or root["terms"] is None:
            return {}
        node = root["terms"]
        line = self.value_line(root, "terms", 1)
        if not isinstance(node, Mapping):
            raise self.fail(
                line, "terms", f"expected a mapping of name: [terms], got {_kind(node)}"
            )
        raw: dict[str, list[tuple[str, int]]] = {}
        for name in node:
            key_line = self.key_line(node, name, line)
            if not isinstance(name, str) or not _GROUP_NAME.match(name):
                raise self.fail(
                    key_line, f"terms.{name}", "a term group name is letters, digits, '-' and '_'"
                )
            entries = self.string_list(node, name, "terms", key_line)
            if not entries:
                raise self.fail(key_line, f"terms.{name}", "a term group needs at least one term")
            raw[name] = entries
        groups = {name: tuple(text for text, _ in entries) for name, entries in raw.items()}
        for name, entries in raw.items():
            for i, (text, entry_line) in enumerate(entries):
                self.query(text, f"terms.{name}[{i}]", entry_line, groups)
        return groups

    def query(self, text: str, where: str, line: int, groups: Mapping) -> Node:
        try:
            return parse_query(text, groups)
        except QueryError as exc:
            raise self.fail(
                line, where, f"{exc.message} at column {exc.position + 1} of {text!r}"
            ) from exc

    def feeds(self, root: Mapping) -> tuple[FeedSpec, ...]:
        if "feeds" not in root:
            raise self.fail(1, None, "missing required key 'feeds'")
        node = root["feeds"]
        line = self.value_line(root, "feeds", 1)
        if node is None:
            return ()
        if not isinstance(node, list):
            raise self.fail(line, "feeds", f"expected a list of feeds, got {_kind(node)}")
        specs: list[FeedSpec] = []
        names: dict[str, int] = {}
        locations: dict[str, int] = {}
        for i, entry in enumerate(node):
            where = f"feeds[{i}]"
            entry_line = self.item_line(node, i, line)
            self.mapping(entry, where, entry_line, _FEED_KEYS)
            name = self.string(entry, "name", where, entry_line, required=True)
            url = self.string(entry, "url", where, entry_line, required=True)
            assert name is not None and url is not None
            name_line = self.value_line(entry, "name", entry_line)
            url_line = self.value_line(entry, "url", entry_line)
            if name in names:
                raise self.fail(
                    name_line,
                    f"{where}.name",
                    f"duplicate feed name {name!r} (first at line {names[name]})",
                )
            names[name] = name_line
            url, path = self.location(url, f"{where}.url", url_line)
            key = str(path) if path else url
            if key in locations:
                raise self.fail(
                    url_line, f"{where}.url", f"duplicate feed URL (first at line {locations[key]})"
                )
            locations[key] = url_line
            interval = DEFAULT_INTERVAL
            if entry.get("interval") is not None:
                interval_line = self.value_line(entry, "interval", entry_line)
                try:
                    interval = parse_interval(str(entry["interval"]))
                except ValueError as exc:
                    raise self.fail(interval_line, f"{where}.interval", str(exc)) from None
                if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
                    raise self.fail(
                        interval_line,
                        f"{where}.interval",
                        f"must be between {format_interval(MIN_INTERVAL)} "
                        f"and {format_interval(MAX_INTERVAL)}",
                    )
            tags = tuple(text for text, _ in self.string_list(entry, "tags", where, entry_line))
            specs.append(FeedSpec(name, url, interval, tags, path, entry_line))
        return tuple(specs)

    def storylines(
        self, root: Mapping, groups: Mapping, feed_names: set[str]
    ) -> tuple[StorylineSpec, ...]:
        node = root.get("storylines")
        if node is None:
            return ()
        line = self.value_line(root, "storylines", 1)
        if not isinstance(node, list):
            raise self.fail(line, "storylines", f"expected a list of storylines, got {_kind(node)}")
        specs: list[StorylineSpec] = []
        slugs: dict[str, int] = {}
        for i, entry in enumerate(node):
            where = f"storylines[{i}]"
            entry_line = self.item_line(node, i, line)
            self.mapping(entry, where, entry_line, _STORYLINE_KEYS)
            slug = self.string(entry, "slug", where, entry_line, required=True)
            title = self.string(entry, "title", where, entry_line, required=True)
            match = self.string(entry, "match", where, entry_line, required=True)
            assert slug is not None and title is not None and match is not None
            slug_line = self.value_line(entry, "slug", entry_line)
            if not _SLUG.match(slug):
                raise self.fail(
                    slug_line, f"{where}.slug", "a slug is lower-case letters, digits and '-'"
                )
            if slug in slugs:
                raise self.fail(
                    slug_line,
                    f"{where}.slug",
                    f"duplicate slug {slug!r} (first at line {slugs[slug]})",
                )
            slugs[slug] = slug_line
            query = self.query(
                match, f"{where}.match", self.value_line(entry, "match", entry_line), groups
            )
            excludes = self.string_list(entry, "exclude", where, entry_line)
            negatives = [
                Not(self.query(text, f"{where}.exclude[{j}]", exclude_line, groups))
                for j, (text, exclude_line) in enumerate(excludes)
            ]
            if negatives:
                query = And((query, *negatives))
            scoped = self.string_list(entry, "feeds", where, entry_line)
            for j, (name, name_line) in enumerate(scoped):
                if name not in feed_names:
                    raise self.fail(
                        name_line, f"{where}.feeds[{j}]", f"no feed named {name!r} in this file"
                    )
            specs.append(
                StorylineSpec(
                    slug,
                    title,
                    match,
                    tuple(text for text, _ in excludes),
                    tuple(name for name, _ in scoped),
                    query,
                    entry_line,
                )
            )
        return tuple(specs)


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def parse_config(text: str, path: Path) -> Config:
    """Validate the YAML `text` of the config file at `path`."""
    yaml = YAML(typ="rt")
    try:
        root = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "duplicate key" in problem:
            problem = problem.split(" with value")[0]
        raise ConfigError(path, line, None, f"YAML syntax error: {problem}") from None
    except YAMLError as exc:
        raise ConfigError(path, None, None, f"YAML syntax error: {exc}") from None
    validator = _Validator(path)
    if root is None:
        raise ConfigError(path, 1, None, "the file is empty; it needs at least a 'feeds:' list")
    validator.mapping(root, "", 1, _TOP_KEYS)
    groups = validator.terms(root)
    feeds = validator.feeds(root)
    storylines = validator.storylines(root, groups, {f.name for f in feeds})
    return Config(path, feeds, storylines, groups)


def load_config(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, None, None, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, None, f"cannot read: {exc}") from None
    return parse_config(text, path)
