"""The exam-day spike starts only when it can end before the exam closes at 23:59 (Beijing)."""

from __future__ import annotations

import datetime as dt

from benchmarks.exam_spike import seconds_to_wait
from chalicelib import clock


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 12, 3, hour, minute, tzinfo=clock.BEIJING)


def test_a_spike_with_time_to_finish_starts_at_once() -> None:
    assert seconds_to_wait(at(9, 0), 2000) == 0
    assert seconds_to_wait(at(23, 0), 300) == 0  # 300 candidates: about 9 minutes


def test_a_spike_that_would_run_past_the_exams_end_waits_for_the_next_day() -> None:
    # 23:49, as on 2026-12-03: 2,000 candidates need about 30 minutes; wait until 00:00:05.
    assert seconds_to_wait(at(23, 49), 2000) == 11 * 60 + 5
    assert seconds_to_wait(at(23, 30), 2000) == 30 * 60 + 5
