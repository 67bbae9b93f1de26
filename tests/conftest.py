"""Fixtures shared by every layer: small, and named for what they give."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from hypothesis import settings

from chalicelib import clock

# Property tests check what is computed, not how fast: on a loaded two-core CI machine a
# first example can take longer than Hypothesis's default 200 ms deadline and fail at random.
settings.register_profile("project", deadline=None)
settings.load_profile("project")

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def beijing(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=clock.BEIJING)


@pytest.fixture
def travel() -> Iterator[Any]:
    """Move the one clock: `travel(beijing(2026, 12, 1, 9))` (ticking stops)."""
    travellers: list[Any] = []

    def go(when: dt.datetime) -> None:
        for traveller in travellers:
            traveller.stop()
        travellers.clear()
        traveller = time_machine.travel(when, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def restored_environ() -> Iterator[None]:
    """Whatever a test (or the CLI it runs) puts into os.environ is undone after it."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
