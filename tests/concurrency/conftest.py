"""Concurrency tests: many threads against a real moto server behind `chalice local`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.stack import Stack, local_stack


@pytest.fixture
def stack() -> Iterator[Stack]:
    """A fresh moto server and chalice local, bootstrapped, with a staff token."""
    with local_stack() as running:
        yield running
