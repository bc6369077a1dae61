"""When each feed is due, and what a fetch leaves behind: the poller's rules, as pure functions.

- A healthy feed is due `interval` after its last fetch, give or take 10 % (jitter spreads
  feeds that share an interval, so they do not all hit the network in one burst).
- After n consecutive failures the wait is interval * 2^(n-1), at most BACKOFF_CAP (or the
  interval itself, when that is longer), jittered the same way.
- A 429 or 503 with Retry-After is never retried sooner than the server asked (up to a week).
- A 301/308 is remembered: the new URL is fetched until the configured URL changes.
- A 410 Gone makes the feed dead: never due again until its feeds.yaml entry is edited.
- Editing a feed's entry (url, interval or tags) makes it due at once, with a clean slate.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from feeds.config import FeedSpec
from feeds.fetch import FetchResult
from storage import FetchRecord, FetchState
from storage.fetch_state import DEAD, ERROR, NOT_MODIFIED, OK

JITTER = 0.1
BACKOFF_CAP = timedelta(hours=6)
MAX_RETRY_AFTER = timedelta(days=7)


def entry_fingerprint(spec: FeedSpec) -> str:
    """The parts of a feeds.yaml entry whose edit resets the feed's schedule."""
    seconds = int(spec.interval.total_seconds())
    return "\x1f".join((spec.location, str(seconds), ",".join(spec.tags)))


def _current(spec: FeedSpec, state: FetchState | None) -> FetchState | None:
    """The state, or None when it belongs to an older version of the entry."""
    if state is None or state.entry != entry_fingerprint(spec):
        return None
    return state


def fetch_url(spec: FeedSpec, state: FetchState | None) -> str:
    """Where to fetch the feed: its permanent new home, if it moved, else its location."""
    if state is not None and state.moved_to and state.moved_from == spec.location:
        return state.moved_to
    return spec.location


def validators(url: str, state: FetchState | None) -> tuple[str | None, str | None]:
    """(ETag, Last-Modified) to send to `url`: only what that same URL gave us."""
    if state is None or state.validated_url != url:
        return None, None
    return state.etag, state.last_modified


def is_dead(spec: FeedSpec, state: FetchState | None) -> bool:
    current = _current(spec, state)
    return current is not None and current.dead


def is_due(spec: FeedSpec, state: FetchState | None, now: datetime, *, every: bool) -> bool:
    """Whether to fetch the feed now; `every` ignores due times (but never wakes the dead)."""
    current = _current(spec, state)
    if current is None:  # never fetched, or its entry was edited since
        return True
    if current.dead:
        return False
    return every or current.next_due is None or current.next_due <= now


def jittered(delay: timedelta, rng: random.Random) -> timedelta:
    return delay * (1 + rng.uniform(-JITTER, JITTER))


def backoff(interval: timedelta, failures: int) -> timedelta:
    """The wait after `failures` consecutive failures (before jitter)."""
    cap = max(BACKOFF_CAP, interval)
    if failures <= 0:
        return interval
    return min(interval * 2 ** min(failures - 1, 20), cap)


def plan(
    spec: FeedSpec,
    state: FetchState | None,
    result: FetchResult,
    now: datetime,
    *,
    parse_error: str | None = None,
    new_items: int = 0,
    site_link: str = "",
    rng: random.Random | None = None,
) -> FetchRecord:
    """The record one fetch leaves on its feed: status, error, validators, next due time.

    `parse_error` is set when the server answered but its document is not a readable feed;
    that counts as a failure, and its validators are not kept (so the next fetch gets the
    whole document again rather than a 304 for the same broken one).
    """
    rng = rng or random.Random()
    # A move and validators belong to URLs, so they outlive edits of interval or tags; the
    # failure count belongs to the entry, and an edit starts it afresh.
    current = _current(spec, state)
    moved_to = result.permanent_url or (
        state.moved_to if state and state.moved_from == spec.location else None
    )
    next_url = moved_to or spec.location
    # Validators carry over from the last good fetch unless this one brought new ones.
    etag = state.etag if state else None
    last_modified = state.last_modified if state else None
    validated_url = state.validated_url if state else None

    if result.status == "gone":
        status, error = DEAD, result.error
    elif result.status == "error" or parse_error:
        status, error = ERROR, result.error or parse_error
    elif result.status == "not-modified":
        status, error = NOT_MODIFIED, None
        etag, last_modified = result.etag or etag, result.last_modified or last_modified
        validated_url = next_url
    else:
        status, error = OK, None
        etag, last_modified, validated_url = result.etag, result.last_modified, next_url

    failures = 0 if status in (OK, NOT_MODIFIED) else (current.failures if current else 0) + 1
    if status == DEAD:
        next_due = None
    elif failures:
        delay = jittered(backoff(spec.interval, failures), rng)
        if result.retry_after is not None:
            delay = max(delay, min(timedelta(seconds=result.retry_after), MAX_RETRY_AFTER))
        next_due = now + delay
    else:
        next_due = now + jittered(spec.interval, rng)

    return FetchRecord(
        fetched_at=now,
        status=status,
        http_status=result.http_status,
        error=error,
        failures=failures,
        next_due=next_due,
        etag=etag,
        last_modified=last_modified,
        validated_url=validated_url,
        moved_to=moved_to,
        moved_from=spec.location if moved_to else None,
        entry=entry_fingerprint(spec),
        new_items=new_items,
        site_link=site_link,
    )
