"""`wirewatch feeds add URL` and `wirewatch feeds remove NAME`: edit feeds.yaml safely."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from urllib.parse import urlsplit

from feeds.config import parse_interval
from feeds.config_edit import NewFeed, add_feeds, find_duplicate, remove_feed
from feeds.errors import WirewatchError
from feeds.fetch import FetchLimits, FetchResult, fetch, new_client
from feeds.parse import parse_feed
from tui.commands.context import config_from
from tui.format import plain


def register(actions: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    add = actions.add_parser(
        "add",
        parents=[common],
        help="add a feed to feeds.yaml",
        description="Fetch URL once to check that it is a feed and to learn its title, then "
        "append it to feeds.yaml, keeping the file's comments and order. A running "
        "`wirewatch poll` picks it up at once.",
    )
    add.add_argument("url", metavar="URL", help="the feed's http(s) URL, or a local file")
    add.add_argument("--name", help="the feed's name (default: its own title)")
    add.add_argument("--interval", metavar="EVERY", help="how often to poll: 90s, 10m, 1h ...")
    add.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="a label (repeatable)"
    )
    add.set_defaults(handler=run_add)
    remove = actions.add_parser(
        "remove",
        parents=[common],
        help="remove a feed from feeds.yaml",
        description="Remove the feed's entry from feeds.yaml; its stored items stay.",
    )
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=run_remove)


def _location(text: str, config_dir: Path) -> str:
    """What to write as the url: web URLs as given, a local file relative to feeds.yaml."""
    if text.lower().startswith(("http://", "https://", "file://")):
        return text
    path = Path(text).expanduser().absolute()
    if not path.is_file():
        raise WirewatchError(f"{text}: no such file (give an http(s) URL or a feed file)")
    try:
        return str(path.relative_to(config_dir.absolute()))
    except ValueError:
        return str(path)


async def _fetch_once(url: str) -> FetchResult:
    limits = FetchLimits()
    async with new_client(limits, connections=1) as client:
        return await fetch(client, url, limits=limits)


def run_add(args: argparse.Namespace) -> int:
    config = config_from(args)
    if args.interval:
        try:
            parse_interval(args.interval)
        except ValueError as exc:
            raise WirewatchError(str(exc)) from None
    url = _location(args.url, config.path.parent)
    where = url if "://" in url else (config.path.parent / url).absolute().as_uri()
    duplicate = find_duplicate(config, args.name or "", where)
    if duplicate is not None:
        raise WirewatchError(f"feeds.yaml already has this feed: {duplicate.name!r}")
    result = asyncio.run(_fetch_once(where))
    if result.status != "ok":
        raise WirewatchError(f"{args.url}: {result.error or result.status}")
    parsed = parse_feed(
        result.body,
        feed=plain(args.url),
        headers=result.headers,
        base_url=result.final_url or where,
    )
    if result.permanent_url:
        url = result.permanent_url  # moved for good: store where it lives now
        print(f"{plain(args.url)} moved for good to {plain(url)}")
    name = (args.name or parsed.title or urlsplit(where).hostname or Path(url).stem).strip()
    duplicate = find_duplicate(config, name, url if "://" in url else where)
    if duplicate is not None:
        if duplicate.name == name and not args.name:
            raise WirewatchError(f"a feed named {name!r} exists already; choose one with --name")
        raise WirewatchError(f"feeds.yaml already has this feed: {duplicate.name!r}")
    add_feeds(config.path, [NewFeed(name, url, args.interval, tuple(args.tag))])
    print(
        f"added {plain(name)!r} ({len(parsed.items)} items) to {config.path}; "
        "`wirewatch poll` fetches it"
    )
    return 0


def run_remove(args: argparse.Namespace) -> int:
    config = config_from(args)
    remove_feed(config.path, args.name)
    print(f"removed {plain(args.name)!r} from {config.path}; its stored items stay")
    return 0
