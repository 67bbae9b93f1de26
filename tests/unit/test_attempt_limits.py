"""The contract's failure limit for entry and lookup, per ID number and address, as a pure rule."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import clock
from chalicelib.domain import attempts
from chalicelib.domain.errors import TooManyAttempts

T0 = dt.datetime(2026, 12, 18, 9, 0, tzinfo=clock.BEIJING)


def at(*minutes: float) -> list[dt.datetime]:
    return [T0 + dt.timedelta(minutes=m) for m in minutes]


@pytest.mark.parametrize(
    ("failures", "now_minutes", "expected"),
    [
        ([], 0, None),
        (at(0, 1, 2, 3), 3.5, None),  # four failures: the next try is still judged
        (at(0, 1, 2, 3, 4), 4, 15 * 60),  # the 5th failure itself is refused
        (at(0, 1, 2, 3, 4), 10, 9 * 60),
        (at(0, 1, 2, 3, 4), 18.99, 1),
        (at(0, 1, 2, 3, 4), 19, None),  # 15 minutes after the last failure
        (at(0, 4, 8, 12, 16), 16, None),  # five failures, but never five within 15 minutes
        (at(0, 4, 8, 12, 14.9), 15, 15 * 60 - 6),
        (at(0, 1, 2, 3, 4, 5, 6), 6, 15 * 60),  # failures still in flight extend the lock
        (at(0, 1, 2, 3, 4, 30), 30, None),  # an old lock is over; one new failure sets none
    ],
)
def test_retry_after(failures: list[dt.datetime], now_minutes: float, expected: int | None) -> None:
    assert attempts.retry_after(failures, T0 + dt.timedelta(minutes=now_minutes)) == expected


def test_check_refuses_while_locked_with_the_seconds_left() -> None:
    with pytest.raises(TooManyAttempts) as refused:
        attempts.check(at(0, 1, 2, 3, 4), T0 + dt.timedelta(minutes=5))
    body = refused.value.body()
    assert refused.value.status == 429
    assert body["error"]["code"] == "too_many_attempts"
    assert body["error"]["retry_after"] == 14 * 60
    attempts.check(at(0, 1, 2, 3), T0 + dt.timedelta(minutes=5))


def test_kept_drops_what_can_no_longer_matter() -> None:
    assert attempts.kept(at(0, 10, 29, 31), T0 + dt.timedelta(minutes=31)) == at(10, 29, 31)


offsets = st.lists(st.floats(0, 120, allow_nan=False), max_size=12)


@given(offsets, st.floats(0, 150, allow_nan=False))
def test_what_is_kept_never_unlocks_a_five_in_a_row(minutes: list[float], now_minutes: float) -> None:
    now = T0 + dt.timedelta(minutes=now_minutes)
    failures = [f for f in at(*minutes) if f <= now]
    recent = sorted(f for f in failures if now - f < attempts.WINDOW)
    fifth_in_window = any(
        recent[i] - recent[i - attempts.LIMIT + 1] < attempts.WINDOW
        for i in range(attempts.LIMIT - 1, len(recent))
    )
    if fifth_in_window:
        assert attempts.retry_after(attempts.kept(failures, now), now) is not None
    if attempts.retry_after(attempts.kept(failures, now), now) is not None:
        assert attempts.retry_after(failures, now) is not None


@given(offsets, st.floats(0, 150, allow_nan=False))
def test_never_locked_with_fewer_than_five_failures(minutes: list[float], now_minutes: float) -> None:
    failures = at(*minutes[: attempts.LIMIT - 1])
    assert attempts.retry_after(failures, T0 + dt.timedelta(minutes=now_minutes)) is None


@given(offsets, st.floats(0, 150, allow_nan=False))
def test_a_lock_never_outlasts_fifteen_minutes_after_the_last_failure(
    minutes: list[float], now_minutes: float
) -> None:
    failures = at(*minutes)
    now = T0 + dt.timedelta(minutes=now_minutes)
    seconds = attempts.retry_after(failures, now)
    if seconds is not None:
        assert now + dt.timedelta(seconds=seconds - 1) < max(failures) + attempts.WINDOW


def test_a_burst_is_refused_beyond_the_limit_until_its_window_ends() -> None:
    start = dt.datetime(2026, 12, 18, 9, 30, 0, tzinfo=clock.BEIJING)  # a window starts on :00
    for arrivals in range(1, attempts.LIMIT + 1):
        attempts.check_burst(arrivals, start)
    with pytest.raises(TooManyAttempts) as refused:
        attempts.check_burst(attempts.LIMIT + 1, start + dt.timedelta(seconds=3))
    assert refused.value.retry_after == 7
    # The last second of a window still waits at least one.
    with pytest.raises(TooManyAttempts) as last:
        attempts.check_burst(attempts.LIMIT + 1, start + dt.timedelta(seconds=9, milliseconds=900))
    assert last.value.retry_after == 1


@pytest.mark.parametrize(("second", "wait"), [(0, 10), (3, 7), (9.9, 1)])
def test_a_burst_says_the_seconds_it_waits_not_minutes(second: float, wait: int) -> None:
    """Issue 12: a burst used to say "约 1 分钟" for a wait of at most ten seconds."""
    start = dt.datetime(2026, 12, 18, 9, 30, 0, tzinfo=clock.BEIJING)
    with pytest.raises(TooManyAttempts) as refused:
        attempts.check_burst(attempts.LIMIT + 1, start + dt.timedelta(seconds=second))
    body = refused.value.body()
    assert body["error"]["code"] == "too_many_attempts"
    assert body["error"]["retry_after"] == wait
    assert refused.value.headers() == {"Retry-After": str(wait)}
    assert f"请 {wait} 秒后再试" in body["error"]["message"]
    assert "分钟" not in body["error"]["message"]


def test_the_failure_lock_keeps_saying_minutes() -> None:
    with pytest.raises(TooManyAttempts) as refused:
        attempts.check(at(0, 1, 2, 3, 4), T0 + dt.timedelta(minutes=5))
    assert "请约 14 分钟后再试" in refused.value.body()["error"]["message"]


def test_burst_windows_are_fixed_and_ten_seconds_long() -> None:
    start = dt.datetime(2026, 12, 18, 9, 30, 0, tzinfo=clock.BEIJING)
    window = attempts.burst_window(start)
    assert attempts.burst_window(start + dt.timedelta(seconds=9.99)) == window
    assert attempts.burst_window(start + dt.timedelta(seconds=10)) == window + 1
