"""The container's cache of periods under load and failure, without AWS: one re-read at a time,
the last read kept when a re-read fails, a write in this container never answered stale."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from chalicelib.domain.errors import Unavailable
from chalicelib.runtime import PeriodCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Loads:
    """A stand-in for the periods' Query: answers `answers` in turn (an exception is raised)."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls = 0

    def __call__(self) -> Any:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


def test_read_once_within_the_ttl_and_again_after_it() -> None:
    clock, load = Clock(), Loads(["a"], ["b"])
    cache: Any = PeriodCache(load, ttl=5, monotonic=clock)
    assert cache.all() == ["a"] and cache.all() == ["a"]
    clock.now += 5
    assert cache.all() == ["b"]
    assert load.calls == 2


def test_a_failed_re_read_answers_the_last_read_and_the_next_caller_tries_again() -> None:
    clock, load = Clock(), Loads(["a"], Unavailable(), ["b"])
    cache: Any = PeriodCache(load, ttl=5, monotonic=clock)
    cache.all()
    clock.now += 6
    assert cache.all() == ["a"]
    assert cache.all() == ["b"]
    assert load.calls == 3


def test_with_nothing_read_yet_a_failure_is_the_callers() -> None:
    cache: Any = PeriodCache(Loads(Unavailable(), ["a"]), ttl=5, monotonic=Clock())
    with pytest.raises(Unavailable):
        cache.all()
    assert cache.all() == ["a"]


def test_while_one_caller_re_reads_the_others_answer_from_the_last_read() -> None:
    clock = Clock()
    started, release = threading.Event(), threading.Event()
    calls = []

    def load() -> list[str]:
        calls.append(1)
        if len(calls) == 2:
            started.set()
            assert release.wait(5)
            return ["b"]
        return ["a"]

    cache: Any = PeriodCache(load, ttl=5, monotonic=clock)
    cache.all()
    clock.now += 6
    reader = threading.Thread(target=cache.all)
    reader.start()
    assert started.wait(5)
    assert [cache.all() for _ in range(20)] == [["a"]] * 20  # none of them starts its own read
    release.set()
    reader.join(5)
    assert cache.all() == ["b"] and len(calls) == 2


def test_callers_of_an_empty_cache_wait_for_one_read() -> None:
    started, release = threading.Event(), threading.Event()
    calls = []

    def load() -> list[str]:
        calls.append(1)
        started.set()
        assert release.wait(5)
        return ["a"]

    cache: Any = PeriodCache(load, ttl=5, monotonic=Clock())
    answers: list[list[str]] = []
    threads = [threading.Thread(target=lambda: answers.append(cache.all())) for _ in range(4)]
    threads[0].start()
    assert started.wait(5)
    for thread in threads[1:]:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(5)
    assert answers == [["a"]] * 4 and len(calls) == 1


def test_a_read_begun_before_a_write_here_is_not_kept() -> None:
    started, release = threading.Event(), threading.Event()
    answers = iter([["before the write"], ["after the write"]])

    def load() -> list[str]:
        if not started.is_set():
            started.set()
            assert release.wait(5)
        return next(answers)

    cache: Any = PeriodCache(load, ttl=5, monotonic=Clock())
    reader = threading.Thread(target=cache.all)
    reader.start()
    assert started.wait(5)
    cache.invalidate()  # this container wrote a period while the read was under way
    release.set()
    reader.join(5)
    assert cache.all() == ["after the write"]
