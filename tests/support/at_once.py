"""Requests released together: the concurrency tests' one way of racing N callers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def at_once(count: int, prepared: Callable[[int], Callable[[], T]], timeout: float = 120) -> list[T | None]:
    """Run `prepared(n)()` for each n in range(count), each in its own thread, released by one
    barrier. `prepared(n)` runs before the barrier (building the body), so only the calls race.
    The results in the order of n (None where a thread did not finish within `timeout`)."""
    start = threading.Barrier(count)
    results: list[T | None] = [None] * count

    def run(n: int) -> None:
        request = prepared(n)
        start.wait()
        results[n] = request()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results
