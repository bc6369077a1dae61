"""How the dashboard copes with a big database: 1M items.

    python bench/dashboard_bench.py [--items 1000000] [--runs 5] [--cache DIR]

Builds (once, then cached) a database of generated items: titles and ~370-character summaries
from a news vocabulary, 20 feeds, ten weeks of publication times, 3% about North Korean
troops in Russia and 2% about a BRICS summit (tagged by the shipped storylines, through the
real retag), one development per item. Then prints:

- time to first paint: from starting a fresh `python` process to the first timeline rows on
  screen (median of --runs), and when the sidebar's counts arrived;
- peak memory (RSS) of that process, after paging through 2,000 timeline rows;
- search latency, newest first, for a rare and a common word (median of 20).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = time.perf_counter()  # the child's clock starts before Textual is imported

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

RARE = "quokka"  # in one item of 10,000
COMMON = "russia"  # in about a third of them
# A paragraph reads better here than a list of 150 strings.
WORDS = (  # noqa: SIM905
    "government minister officials said talks week president military forces election "
    "security council report attack ceasefire sanctions economy border city region police "
    "protest court vote parliament leaders summit agreement defence spokesman statement "
    "capital state country killed injured people children hospital aid water energy oil gas "
    "prices trade bank market inflation missile drone strike front line army navy air base "
    "western eastern southern northern allies talks peace deal negotiations envoy visit "
    "foreign ministry embassy diplomat journalists media claims evidence investigation prime "
    "opposition party campaign reform budget tax workers union strike storm flood earthquake "
    "fire climate emissions rescue villages residents local regional national "
).split()
DPRK = [
    "North Korean troops fighting for Russia near Kursk, Ukraine says",
    "Pyongyang sends more soldiers to Russia, Seoul's spy agency reports",
    "North Korean soldiers captured in Kursk region as Russia pushes on",
]
BRICS = [
    "BRICS summit in Kazan ends with a leaders' declaration",
    "BRICS leaders meet in Kazan to discuss a new payment system",
]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def generate(count: int, seed: int = 7):
    import storage

    rng = random.Random(seed)
    end = int(datetime(2025, 3, 1, tzinfo=UTC).timestamp())
    span = int(timedelta(weeks=10).total_seconds())
    for n in range(count):
        roll = rng.random()
        if roll < 0.03:
            title = rng.choice(DPRK)
        elif roll < 0.05:
            title = rng.choice(BRICS)
        else:
            title = _sentence(rng, rng.randint(6, 12)).capitalize()
        summary = _sentence(rng, 52)
        if rng.random() < 0.33:
            summary = f"{COMMON} {summary}"
        if n % 10_000 == 0:
            summary = f"{RARE} {summary}"
        yield storage.BulkItem(
            feed_id=1 + n % 20,
            guid=f"bench-{n}",
            title=title,
            link=f"https://example.org/news/{n}",
            summary=summary[:370],
            published=end - rng.randrange(span),
        )


def build(path: Path, count: int) -> None:
    import storage
    from feeds.config import load_config
    from feeds.ingest import prepare

    config = load_config(REPO / "feeds.yaml")
    partial = path.with_suffix(".partial")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()
    db = storage.open_db(partial)
    for n in range(20):
        storage.ensure_feed(db, f"Feed {n + 1:02d}", f"https://example.org/feed/{n + 1}")
    started = time.perf_counter()
    storage.bulk_load(db, generate(count))
    loaded = time.perf_counter()
    prepare(db, config)  # syncs the shipped storylines and tags them through FTS5
    rate = count / (loaded - started)
    tagged = time.perf_counter() - loaded
    print(
        f"built {count:,} items in {loaded - started:.0f} s ({rate:,.0f} items/s), "
        f"tagged in {tagged:.1f} s",
        file=sys.stderr,
    )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    partial.rename(path)


def child(path: Path) -> None:
    """Open the dashboard headless on `path`; print what it took, as JSON."""
    from feeds.config import load_config
    from tui.app import WirewatchApp
    from tui.widgets.sidebar import Sidebar
    from tui.widgets.timeline import Timeline

    imported = time.perf_counter()
    app = WirewatchApp(path, load_config(REPO / "feeds.yaml"), poll=False)
    figures: dict[str, float] = {"imported": imported - START}

    async def pilot(pilot) -> None:
        while not app.screen.query(Timeline) or not app.screen.query_one(Timeline).developments:
            await pilot.pause(0.002)
        figures["first_paint"] = time.perf_counter() - START
        print("painted", flush=True)  # the parent's stopwatch stops here
        while not app.screen.query_one(Sidebar)._unread:
            await pilot.pause(0.01)
        figures["counts"] = time.perf_counter() - START
        figures["rss_at_paint_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        app.screen.query_one(Sidebar).select("all")
        timeline = app.screen.query_one(Timeline)
        while timeline.border_title != "All items" or not timeline.developments:
            await pilot.pause(0.01)
        timeline.focus()
        while len(timeline.developments) < 2000 and timeline.has_more:
            await pilot.press("end")
            await pilot.pause(0.05)
        figures["rows_paged"] = len(timeline.developments)
        app.exit()

    app.run(headless=True, size=(160, 48), auto_pilot=pilot)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures), flush=True)


def first_paint(path: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    painted = time.perf_counter() - started
    assert line.strip() == "painted", line
    figures = json.loads(process.stdout.readline())
    process.wait()
    return painted, figures


def search_latency(path: Path, word: str, runs: int = 20) -> tuple[float, int]:
    import storage
    from feeds.query import parse_query, to_fts5

    db = storage.open_db(path)
    match = to_fts5(parse_query(word))
    storage.search(db, match, limit=51)  # warm the page cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        hits = storage.search(db, match, limit=51)
        times.append(time.perf_counter() - started)
    count = storage.count_matches(db, match)
    db.close()
    assert hits
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=None, help="where the database is kept")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    import platformdirs

    cache = args.cache or platformdirs.user_cache_path("wirewatch-bench")
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"dashboard-{args.items}.db"
    if not path.exists():
        build(path, args.items)
    runs = [first_paint(path) for _ in range(args.runs)]
    paints = [p for p, _ in runs]
    last = runs[-1][1]
    print(f"database: {path} ({path.stat().st_size / 2**20:,.0f} MiB, {args.items:,} items)")
    print(
        f"first paint: median {statistics.median(paints) * 1000:.0f} ms "
        f"(runs: {', '.join(f'{p * 1000:.0f}' for p in paints)} ms; "
        f"Python imports {last['imported'] * 1000:.0f} ms of it)"
    )
    print(f"sidebar counts shown: {statistics.median(f['counts'] for _, f in runs):.2f} s")
    print(
        f"memory: {last['rss_at_paint_mb']:.0f} MB RSS at first paint, peak "
        f"{last['peak_rss_mb']:.0f} MB after paging through {last['rows_paged']:,} rows"
    )
    for label, word in (("rare", RARE), ("common", COMMON)):
        latency, count = search_latency(path, word)
        print(
            f"search, newest first, {label} word {word!r} ({count:,} matches): "
            f"median {latency * 1000:.1f} ms for the first page"
        )


if __name__ == "__main__":
    main()
