"""How long `wirewatch poll --once --all` takes for many slow feeds.

Starts local servers on loopback addresses (127.0.0.1, 127.0.0.2, ... where the system
routes them, as Linux does; else all on 127.0.0.1) serving N feeds, each answering after
`--latency` seconds with one of the real fixture feeds and an ETag. Then runs the installed
`wirewatch` command as a user would, and prints median wall times of:

- cold: a fresh database, so every feed is downloaded, parsed, tagged and stored;
- warm: the same feeds again, each answering 304 Not Modified to our validators;
- sequential: one warm poll with --concurrency 1, what fetching one feed after another costs.

    make bench                      # or: .venv/bin/python -m bench.poll_bench --feeds 500
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import cycle
from pathlib import Path

from tests.conftest import REAL_FEEDS, feeds_yaml
from tests.feed_server import FeedServer, Route


def start_servers(hosts: int) -> list[FeedServer]:
    servers = []
    for n in range(1, hosts + 1):
        try:
            servers.append(FeedServer(host=f"127.0.0.{n}").start())
        except OSError:  # this system only answers on 127.0.0.1
            break
    return servers


def run_poll(workdir: Path, db: Path, *extra: str) -> float:
    exe = Path(sys.executable).parent / "wirewatch"
    command = [str(exe), "--config", "feeds.yaml", "--db", str(db), "poll", "--once", "--all"]
    started = time.perf_counter()
    result = subprocess.run(
        [*command, *extra], cwd=workdir, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or " 0 failed" not in result.stdout:
        raise SystemExit(f"poll failed:\n{result.stdout}{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per response")
    parser.add_argument("--runs", type=int, default=3, help="cold and warm runs (median)")
    parser.add_argument("--hosts", type=int, default=25, help="loopback addresses to spread on")
    parser.add_argument("--no-sequential", action="store_true", help="skip the sequential run")
    args = parser.parse_args()

    servers = start_servers(args.hosts)
    documents = cycle(sorted(REAL_FEEDS.glob("*.xml")))
    feeds = {}
    for i in range(args.feeds):
        server = servers[i % len(servers)]
        path = f"/feed{i}.xml"
        body = next(documents).read_bytes()
        server.add(path, Route(body=body, etag=f'"v{i}"', delay=args.latency, gzip=True))
        feeds[f"Feed {i}"] = server.url(path)
    print(
        f"{args.feeds} feeds on {len(servers)} local host(s), {args.latency * 1000:.0f} ms "
        f"latency each; median of {args.runs} runs of `wirewatch poll --once --all`"
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            (workdir / "feeds.yaml").write_text(feeds_yaml(feeds))
            cold = []
            for run in range(args.runs):
                cold.append(run_poll(workdir, workdir / f"cold{run}.db"))
            warm = [run_poll(workdir, workdir / "cold0.db") for _ in range(args.runs)]
            print(f"cold (download, parse, store): {statistics.median(cold):6.2f} s")
            print(f"warm (304 Not Modified):       {statistics.median(warm):6.2f} s")
            floor = args.feeds * args.latency
            if args.no_sequential:
                print(f"sequential would take at least {floor:.1f} s (feeds x latency)")
            else:
                sequential = run_poll(workdir, workdir / "cold0.db", "--concurrency", "1")
                print(f"sequential, warm (--concurrency 1): {sequential:6.2f} s")
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
