"""The scheduling rules: due times, jitter, backoff, Retry-After, moves, dead feeds."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from feeds.config import FeedSpec
from feeds.fetch import FetchResult
from feeds.schedule import (
    BACKOFF_CAP,
    backoff,
    entry_fingerprint,
    fetch_url,
    is_dead,
    is_due,
    plan,
    validators,
)
from storage import FetchState

NOW = datetime(2024, 11, 1, 12, tzinfo=UTC)
SPEC = FeedSpec("BBC", "https://bbc.example/rss", timedelta(minutes=15), ("world",))
OK = FetchResult(SPEC.url, "ok", 200, b"<rss/>", etag='"e1"', last_modified="Mon, 1 Jan 2024")


def state_after(*results: FetchResult, spec: FeedSpec = SPEC, **kwargs) -> FetchState:
    """The stored state after these fetches, in order, as the poller would keep it."""
    state = None
    for result in results:
        record = plan(spec, state, result, NOW, rng=random.Random(1), **kwargs)
        state = FetchState(
            1,
            spec.name,
            spec.location,
            record.moved_to,
            record.moved_from,
            record.etag,
            record.last_modified,
            record.validated_url,
            record.status,
            record.failures,
            record.next_due,
            record.entry,
        )
    assert state is not None
    return state


def error(status: int | None = 500, retry_after: float | None = None) -> FetchResult:
    return FetchResult(SPEC.url, "error", status, error="boom", retry_after=retry_after)


def test_a_new_feed_is_due_and_a_fresh_one_is_not():
    assert is_due(SPEC, None, NOW, every=False)
    state = state_after(OK)
    assert not is_due(SPEC, state, NOW, every=False)
    assert is_due(SPEC, state, NOW, every=True)
    assert is_due(SPEC, state, state.next_due, every=False)


def test_success_schedules_one_jittered_interval_ahead():
    delays = {
        plan(SPEC, None, OK, NOW, rng=random.Random(seed)).next_due - NOW for seed in range(50)
    }
    assert all(timedelta(minutes=13.5) <= d <= timedelta(minutes=16.5) for d in delays)
    assert len(delays) > 40  # spread, not one instant


def test_failures_back_off_exponentially_up_to_a_cap():
    interval = timedelta(minutes=15)
    assert [backoff(interval, n) for n in range(1, 7)] == [
        interval,
        interval * 2,
        interval * 4,
        interval * 8,
        interval * 16,
        BACKOFF_CAP,
    ]
    assert backoff(interval, 500) == BACKOFF_CAP
    weekly = timedelta(days=7)
    assert backoff(weekly, 3) == weekly  # a long interval is never shortened by the cap
    state = state_after(error(), error(), error())
    assert state.failures == 3 and state.status == "error"
    assert timedelta(minutes=54) <= state.next_due - NOW <= timedelta(minutes=66)


def test_success_resets_failures_and_keeps_validators_across_errors():
    state = state_after(OK, error(), error())
    assert state.failures == 2 and state.etag == '"e1"'  # the last good validators stay
    state = state_after(OK, error(), OK)
    assert state.failures == 0 and state.status == "ok"


def test_retry_after_is_a_floor():
    state = state_after(error(429, retry_after=7200))
    assert state.next_due - NOW == timedelta(hours=2)
    short = state_after(error(503, retry_after=5))
    assert short.next_due - NOW >= timedelta(minutes=13.5)  # our own backoff still applies
    huge = state_after(error(429, retry_after=10**9))
    assert huge.next_due - NOW == timedelta(days=7)


def test_not_modified_keeps_validators_and_accepts_new_ones():
    not_modified = FetchResult(SPEC.url, "not-modified", 304)
    state = state_after(OK, not_modified)
    assert (state.status, state.etag, state.failures) == ("not-modified", '"e1"', 0)
    assert validators(SPEC.url, state) == ('"e1"', "Mon, 1 Jan 2024")
    refreshed = state_after(OK, replace(not_modified, etag='"e2"'))
    assert refreshed.etag == '"e2"'


def test_a_document_that_does_not_parse_is_a_failure_without_validators():
    state = state_after(OK)
    record = plan(SPEC, state, replace(OK, etag='"broken"'), NOW, parse_error="empty document")
    assert (record.status, record.error, record.failures) == ("error", "empty document", 1)
    assert record.etag == '"e1"'  # not the broken document's


def test_a_permanent_redirect_is_remembered_until_the_url_is_edited():
    moved = replace(OK, permanent_url="https://new.example/rss", etag='"n1"')
    state = state_after(moved)
    assert fetch_url(SPEC, state) == "https://new.example/rss"
    assert validators("https://new.example/rss", state) == ('"n1"', "Mon, 1 Jan 2024")
    assert validators(SPEC.url, state) == (None, None)
    # Later fetches of the new URL keep the move.
    state = state_after(moved, replace(OK, url="https://new.example/rss"))
    assert fetch_url(SPEC, state) == "https://new.example/rss"
    # An edit of the interval keeps it; a new URL in feeds.yaml drops it.
    slower = replace(SPEC, interval=timedelta(hours=1))
    assert fetch_url(slower, state) == "https://new.example/rss"
    elsewhere = replace(SPEC, url="https://other.example/rss")
    assert fetch_url(elsewhere, state) == "https://other.example/rss"


def test_a_temporary_redirect_is_not_remembered():
    state = state_after(replace(OK, final_url="https://tmp.example/rss"))
    assert fetch_url(SPEC, state) == SPEC.url


def test_gone_is_dead_until_the_entry_is_edited():
    gone = FetchResult(SPEC.url, "gone", 410, error="HTTP 410 Gone: the feed was removed")
    state = state_after(OK, gone)
    assert state.status == "dead" and state.next_due is None
    assert is_dead(SPEC, state)
    assert not is_due(SPEC, state, NOW + timedelta(days=365), every=True)
    for edit in (
        {"url": "https://bbc.example/rss2"},
        {"interval": timedelta(minutes=30)},
        {"tags": ("world", "uk")},
    ):
        edited = replace(SPEC, **edit)
        assert not is_dead(edited, state) and is_due(edited, state, NOW, every=False)
        # ... and its next fetch starts with a clean failure count.
        record = plan(edited, state, error(), NOW, rng=random.Random(1))
        assert record.failures == 1 and record.status == "error"
    assert not is_dead(replace(SPEC, name="renamed"), None)


def test_an_edited_entry_is_due_at_once():
    state = state_after(OK)
    assert not is_due(SPEC, state, NOW, every=False)
    assert is_due(replace(SPEC, interval=timedelta(minutes=5)), state, NOW, every=False)


@pytest.mark.parametrize(
    "spec",
    [SPEC, replace(SPEC, tags=()), replace(SPEC, interval=timedelta(minutes=16))],
)
def test_fingerprints_differ_for_different_entries(spec):
    others = {
        entry_fingerprint(s)
        for s in (SPEC, replace(SPEC, tags=()), replace(SPEC, interval=timedelta(minutes=16)))
    }
    assert len(others) == 3 and entry_fingerprint(spec) in others
    assert entry_fingerprint(replace(spec, name="x", line=99)) == entry_fingerprint(spec)
