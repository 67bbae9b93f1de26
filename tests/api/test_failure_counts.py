"""Where entry and lookup failures are counted (storage/limits.py), read back from the table.

An arrival is one UpdateItem built by hand (issue 19): these tests pin what it asks, what it
stores and what it answers, so the rule in domain/attempts.py judges the same values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import clock, runtime
from chalicelib.domain import attempts
from chalicelib.storage import keys
from chalicelib.storage.models import FailureItem, RegistrationItem
from tests.api.conftest import Api

ID_NUMBER = "11010519491231002X"
ADDRESS = "203.0.113.7"
NOW = dt.datetime(2026, 12, 18, 9, 30, 1, tzinfo=clock.BEIJING)


@pytest.fixture
def updates(api: Api) -> Iterator[list[dict[str, Any]]]:
    """The parameters of every UpdateItem the app sends, in order."""
    client = RegistrationItem._get_connection().connection.client
    sent: list[dict[str, Any]] = []

    def seen(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    client.meta.events.register("before-parameter-build.dynamodb.UpdateItem", seen, unique_id="test-counts")
    yield sent
    client.meta.events.unregister("before-parameter-build.dynamodb.UpdateItem", unique_id="test-counts")


def stored(kind: str = "lookup", address: str = ADDRESS) -> FailureItem:
    rt = runtime.current()
    pk = keys.failures_pk(kind, rt.repo.id_hash(ID_NUMBER), rt.hash_identity("ip", address))
    return FailureItem.get(pk, keys.FAILURES_SK, consistent_read=True)


def test_arrivals_are_counted_per_burst_window_and_keep_the_item_alive(
    updates: list[dict[str, Any]],
) -> None:
    limits = runtime.current().limits
    assert limits.arrive("lookup", ID_NUMBER, ADDRESS, NOW) == ([], 1)
    assert limits.arrive("lookup", ID_NUMBER, ADDRESS, NOW + dt.timedelta(seconds=2)) == ([], 2)
    item = stored()
    assert item.burst_window == attempts.burst_window(NOW)
    assert item.burst_arrivals == 2
    assert item.expires_at == int((NOW + dt.timedelta(seconds=2) + attempts.KEEP).timestamp())
    later = NOW + attempts.BURST
    assert limits.arrive("lookup", ID_NUMBER, ADDRESS, later) == ([], 1)
    assert (stored().burst_window, stored().burst_arrivals) == (attempts.burst_window(later), 1)
    # The first of a window is one write; a later one is refused by the first write's
    # condition and counted by the second. Each asks for the item back, nothing else.
    assert len(updates) == 4
    assert {params["ReturnValues"] for params in updates} == {"ALL_NEW"}
    assert not any("ReturnConsumedCapacity" in params for params in updates)


def test_an_arrival_answers_the_failures_stored_for_its_pair_only(api: Api) -> None:
    limits = runtime.current().limits
    first, second = NOW - dt.timedelta(minutes=3), NOW - dt.timedelta(minutes=1)
    seen, _ = limits.arrive("lookup", ID_NUMBER, ADDRESS, first)
    seen = limits.record_failure("lookup", ID_NUMBER, ADDRESS, seen, first)
    limits.record_failure("lookup", ID_NUMBER, ADDRESS, seen, second)
    assert limits.arrive("lookup", ID_NUMBER, ADDRESS, NOW) == ([first, second], 1)
    # Another address, or entry instead of lookup, is another count.
    assert limits.arrive("lookup", ID_NUMBER, "198.51.100.20", NOW) == ([], 1)
    assert limits.arrive("entry", ID_NUMBER, ADDRESS, NOW) == ([], 1)
    assert stored().failures == [int(first.timestamp()), int(second.timestamp())]
