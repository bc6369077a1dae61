"""Add feeds to feeds.yaml and remove them, leaving every other byte of the file alone.

ruamel.yaml reads the file (round-trip mode, which knows the line of every entry) and
renders the new entries; the edit itself is made to the text: new entries go right after
the last feed, in the style of that feed (flow `- {name: ..}` or block), and a removed
entry's own lines go, while the comments around it stay. A full round-trip dump would
renormalise indentation and move comments that ruamel attaches to the previous entry
(a section heading above the next feed) along with it.

Every edit is validated before it is written: the result must load, and hold exactly the
old feeds plus (or minus) the edited ones. Anything else is refused, and nothing written.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from feeds.config import Config, FeedSpec, parse_config
from feeds.errors import ConfigError

_LINE = re.compile(r"[^\n]*\n|[^\n]+$")
_LAYOUTS = [(2, 2, 0), (2, 4, 2), (4, 4, 2), (4, 2, 0), (2, 3, 1), (4, 4, 0)]


@dataclass(frozen=True)
class NewFeed:
    name: str
    url: str
    interval: str | None = None  # as written, e.g. "10m"
    tags: tuple[str, ...] = ()


def same_location(a: str, b: str) -> bool:
    """Whether two feed URLs name one feed: scheme and host case, default ports, fragments."""
    return _normal(a) == _normal(b)


def _normal(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def find_duplicate(config: Config, name: str, location: str) -> FeedSpec | None:
    """The configured feed that has this name or this location, if any."""
    for spec in config.feeds:
        if spec.name == name or same_location(spec.location, location):
            return spec
    return None


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long URL
    return yaml


def _lines(text: str) -> list[str]:
    return _LINE.findall(text)


def _is_filler(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _last_content_line(lines: list[str], start: int, stop: int) -> int:
    """The last line in [start, stop) that is neither blank nor a comment."""
    for index in range(min(stop, len(lines)) - 1, start - 1, -1):
        if not _is_filler(lines[index]):
            return index
    return start


def _item_start(lines: list[str], seq: CommentedSeq, index: int) -> tuple[int, int]:
    """(line, column) of the dash that opens item `index` of a block sequence."""
    line, column = seq.lc.item(index)
    dash = lines[line].rfind("-", 0, column)
    if dash >= 0:
        return line, dash
    # "-" alone on the line above its mapping
    previous = line - 1
    while previous >= 0 and _is_filler(lines[previous]):
        previous -= 1
    return previous, lines[previous].index("-")


def _feeds_end(lines: list[str], root: CommentedMap) -> int:
    """The first line after the feeds: section (the next top-level key, or the end)."""
    keys = list(root)
    after = keys[keys.index("feeds") + 1 :]
    return root.lc.key(after[0])[0] if after else len(lines)


def _entry_map(feed: NewFeed, flow: bool) -> CommentedMap:
    entry = CommentedMap()
    entry["name"] = feed.name
    entry["url"] = feed.url
    if feed.interval:
        entry["interval"] = feed.interval
    if feed.tags:
        tags = CommentedSeq(feed.tags)
        tags.fa.set_flow_style()
        entry["tags"] = tags
    if flow:
        entry.fa.set_flow_style()
    return entry


def _render(feed: NewFeed, flow: bool, dash: int, indent: int, newline: str) -> list[str]:
    out = io.StringIO()
    _yaml().dump(_entry_map(feed, flow), out)
    rendered = out.getvalue().splitlines()
    first = " " * dash + "-" + " " * (indent - 1) + rendered[0]
    rest = [" " * (dash + indent) + line for line in rendered[1:]]
    return [line + newline for line in [first, *rest]]


def _round_trip(text: str, edit: Any) -> str:
    """Fallback for a flow-style feeds list: edit the tree, and dump it in the layout that
    reproduces the untouched file best."""
    best = None
    for mapping, sequence, offset in _LAYOUTS:
        yaml = _yaml()
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        out = io.StringIO()
        yaml.dump(yaml.load(text), out)
        score = sum(a != b for a, b in zip(_lines(out.getvalue()), _lines(text), strict=False))
        if best is None or score < best[0]:
            best = (score, yaml)
    assert best is not None
    yaml = best[1]
    root = yaml.load(text)
    edit(root)
    out = io.StringIO()
    yaml.dump(root, out)
    return out.getvalue()


def _insert(text: str, feeds: Sequence[NewFeed]) -> str:
    lines = _lines(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    root = _yaml().load(text)
    seq = root.get("feeds")
    if isinstance(seq, CommentedSeq) and len(seq) and not seq.fa.flow_style():
        last = len(seq) - 1
        line, dash = _item_start(lines, seq, last)
        after = _last_content_line(lines, line, _feeds_end(lines, root))
        entry = seq[last]
        flow = isinstance(entry, CommentedMap) and entry.fa.flow_style()
        indent = seq.lc.item(last)[1] - dash if seq.lc.item(last)[0] == line else 2
    elif seq is None and not lines[root.lc.key("feeds")[0]].split("#")[0].split(":", 1)[1].strip():
        after = root.lc.key("feeds")[0]  # "feeds:" with nothing under it yet
        dash, indent, flow = root.lc.key("feeds")[1] + 2, 2, False
    else:

        def append(tree: CommentedMap) -> None:
            if not isinstance(tree.get("feeds"), list):
                tree["feeds"] = CommentedSeq()
            tree["feeds"].extend(_entry_map(feed, flow=False) for feed in feeds)

        return _round_trip(text, append)
    if not lines[after].endswith("\n"):
        lines[after] += newline
    new = [line for feed in feeds for line in _render(feed, flow, dash, indent, newline)]
    return "".join(lines[: after + 1] + new + lines[after + 1 :])


def _cut(text: str, index: int) -> str:
    lines = _lines(text)
    root = _yaml().load(text)
    seq = root["feeds"]
    if seq.fa.flow_style():

        def drop(tree: CommentedMap) -> None:
            del tree["feeds"][index]

        return _round_trip(text, drop)
    start, _ = _item_start(lines, seq, index)
    stop = (
        _item_start(lines, seq, index + 1)[0] if index + 1 < len(seq) else _feeds_end(lines, root)
    )
    end = _last_content_line(lines, start, stop)
    return "".join(lines[:start] + lines[end + 1 :])


def _read(path: Path) -> tuple[str, Config]:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(path, None, None, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, None, f"cannot read: {exc}") from None
    return text, parse_config(text, path)


def _write(path: Path, text: str) -> None:
    """Replace the file in one step: a crash leaves the old file or the new, never half."""
    target = path.resolve()
    temporary = target.with_name(f".{target.name}.wirewatch-new")
    temporary.write_bytes(text.encode("utf-8"))
    shutil.copymode(target, temporary)
    os.replace(temporary, target)


def _key(spec: FeedSpec) -> tuple:
    return (spec.name, spec.url, spec.interval, spec.tags)


def _refuse(path: Path, what: str) -> ConfigError:
    return ConfigError(
        path, None, None, f"could not {what} without disturbing the rest of the file"
    )


def add_feeds(path: Path, feeds: Sequence[NewFeed]) -> Config:
    """Append `feeds` to the feeds list of the config file at `path`; returns the new config.

    Raises ConfigError if the file is invalid now, or would be after the edit (a duplicate
    name or URL, a bad interval): nothing is written then.
    """
    text, old = _read(path)
    if not feeds:
        return old
    new_text = _insert(text, feeds)
    new = parse_config(new_text, path)  # a ConfigError here names the offending entry
    added = new.feeds[len(old.feeds) :]
    if (
        [_key(s) for s in new.feeds[: len(old.feeds)]] != [_key(s) for s in old.feeds]
        or [(s.name, s.url) for s in added] != [(f.name, f.url) for f in feeds]
        or new.storylines != old.storylines
        or new.terms != old.terms
    ):
        raise _refuse(path, "add to it")
    _write(path, new_text)
    return new


def remove_feed(path: Path, name: str) -> Config:
    """Remove the feed called `name` from the config file; returns the new config."""
    text, old = _read(path)
    index = next((i for i, spec in enumerate(old.feeds) if spec.name == name), None)
    if index is None:
        known = ", ".join(spec.name for spec in old.feeds) or "none"
        raise ConfigError(path, None, None, f"no feed named {name!r} (known: {known})")
    for storyline in old.storylines:
        if name in storyline.feeds:
            raise ConfigError(
                path,
                storyline.line,
                f"storylines[{old.storylines.index(storyline)}].feeds",
                f"storyline {storyline.slug!r} is limited to {name!r}; edit it first",
            )
    new_text = _cut(text, index)
    new = parse_config(new_text, path)
    expected = [_key(s) for s in old.feeds if s.name != name]
    if (
        [_key(s) for s in new.feeds] != expected
        or new.storylines != old.storylines
        or new.terms != old.terms
    ):
        raise _refuse(path, f"remove {name!r}")
    _write(path, new_text)
    return new
