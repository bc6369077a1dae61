"""`wirewatch demo`: the dashboard on a bundled snapshot of real news feeds, offline.

The snapshot is 25 daily files of real RSS from nine publishers, 18 October to 5 November 2024
(the BRICS summit in Kazan, the first reports of North Korean troops in Russia): see
tui/demo/SOURCES.md. It is read into a temporary database with the shipped storylines, and
the dashboard's clock starts just after the newest item, so ages and sparklines read as they
did that evening. Nothing is fetched and nothing outside the temporary directory is written.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from datetime import datetime, timedelta
from importlib.resources import files
from itertools import groupby
from pathlib import Path

import storage
from feeds.config import Config, load_config
from feeds.errors import WirewatchError
from feeds.ingest import ingest_files, prepare
from tui.paths import bundled_config

# File name prefix -> the feed its items are filed under.
PUBLISHERS = {
    "bbc-news": "BBC News",
    "bbc-world-asia": "BBC Asia",
    "bbc-world-europe": "BBC Europe",
    "nbcnews-world": "NBC News World",
    "nytimes-world": "NYT World",
    "skynews-world": "Sky News World",
    "themoscowtimes-news": "The Moscow Times",
    "washingtonpost-world": "Washington Post World",
    "wsj-world": "WSJ World",
}
# The clock starts this long after the newest item of the snapshot.
CLOCK_LEAD = timedelta(minutes=50)


def demo_feeds() -> list[Path]:
    folder = Path(str(files("tui") / "demo"))
    return sorted(folder.glob("*.xml"))


def build_demo_database(path: Path, config: Config) -> datetime:
    """Read the bundled feeds into a new database at `path`; returns the newest item's time.

    The config's storylines and terms apply; its feeds do not (the snapshot has its own).
    """
    demo_config = replace(config, feeds=())
    db = storage.open_db(path)
    try:
        storylines = prepare(db, demo_config)
        for prefix, paths in groupby(demo_feeds(), key=lambda p: p.stem.split("_")[0]):
            feed = PUBLISHERS.get(prefix, prefix)
            reports = ingest_files(db, list(paths), demo_config, storylines, feed_name=feed)
            broken = [r for r in reports if r.error]
            if broken:
                raise WirewatchError(f"demo feed {broken[0].source}: {broken[0].error}")
        newest = storage.timeline(db, limit=1)
        if not newest:
            raise WirewatchError("the demo feeds are missing from this installation")
        return newest[0].published
    finally:
        db.close()


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "demo",
        parents=[common],
        help="open the dashboard on bundled real news, offline",
        description="Open the dashboard on a snapshot of real news feeds from October and "
        "November 2024, in a temporary database, with the shipped storylines (or those of "
        "--config). Nothing is fetched; --db is ignored.",
    )
    parser.add_argument(
        "--screenshot",
        metavar="FILE",
        type=Path,
        help="save an SVG of the demo's first screen to FILE instead (no terminal needed)",
    )
    parser.set_defaults(handler=run)


SCREENSHOT_SIZE = (132, 38)


def _screenshot_pilot(app, path: Path):
    async def pilot(pilot) -> None:
        from tui.screens.main import MainScreen

        while not (isinstance(app.screen, MainScreen) and app.screen.ready):
            await pilot.pause(0.05)
        await pilot.press("j")  # a highlighted row that is not the first: shows both styles
        await pilot.pause(0.3)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(app.export_screenshot(title="wirewatch demo"), encoding="utf-8")
        app.exit()

    return pilot


def run(args: argparse.Namespace) -> int:
    if args.screenshot is None and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise WirewatchError("the demo needs a terminal (or --screenshot FILE)")
    config = load_config(Path(args.config) if args.config else bundled_config())
    from tui.app import WirewatchApp  # Textual loads only when the dashboard opens
    from tui.clock import Clock

    with tempfile.TemporaryDirectory(prefix="wirewatch-demo-") as folder:
        path = Path(folder) / "demo.db"
        print("wirewatch: reading the demo feeds…", file=sys.stderr)
        newest = build_demo_database(path, config)
        app = WirewatchApp(
            path,
            config,
            poll=False,
            clock=Clock.starting_at(newest + CLOCK_LEAD),
            note="DEMO: news of Oct–Nov 2024, offline",
        )
        if args.screenshot is not None:
            app.run(
                headless=True,
                size=SCREENSHOT_SIZE,
                auto_pilot=_screenshot_pilot(app, args.screenshot),
            )
            print(f"wirewatch: saved {args.screenshot}", file=sys.stderr)
        else:
            app.run()
    return 0
