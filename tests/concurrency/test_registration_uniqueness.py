"""Uniqueness under concurrency: 30 simultaneous registrations sharing one value, one winner.

Real HTTP to `chalice local` (threaded) in front of a real moto server, as
`make run` starts them; the table is counted afterwards straight from moto.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.people import Person, person
from tests.support.periods import open_registration_today
from tests.support.stack import Stack
from tests.support.table import count_kinds

pytestmark = [pytest.mark.server]

ATTEMPTS = 30


def post_json(url: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """POST, sending again when the connection is reset before an answer arrives.

    `chalice local` listens with a backlog of 5, so some of 30 simultaneous
    connections are reset by the kernel before the app sees them. Sending
    again cannot make the test pass wrongly: a request that had in fact
    succeeded would come back refused, leaving no 201 for it, and the table
    is counted on its own.
    """
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    for attempt in range(20):
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read())
        except (ConnectionResetError, ConnectionRefusedError, http.client.RemoteDisconnected):
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError(f"{url} kept resetting the connection")


def register_all_at_once(stack: Stack, people: list[Person]) -> list[tuple[int, dict[str, Any]]]:
    """Every registration sent at the same moment, each from its own thread."""
    start = threading.Barrier(len(people))

    def one(someone: Person) -> tuple[int, dict[str, Any]]:
        start.wait()
        return post_json(stack.url + "api/registrations", someone.registration())

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        return list(pool.map(one, people))


def contenders(shared: str) -> list[Person]:
    """30 different people who all use the first one's `shared` detail."""
    first = person(1000)
    people = []
    for n in range(ATTEMPTS):
        value = getattr(first, shared)
        if shared == "email" and n % 2:
            value = value.upper()  # uniqueness ignores case, so this is the same address
        people.append(person(1000 + n, **{shared: value}))
    return people


@pytest.mark.parametrize("shared", ["phone", "id_number", "email"])
def test_thirty_simultaneous_registrations_sharing_a_value_give_exactly_one_winner(stack, shared):
    open_registration_today(stack)
    answers = register_all_at_once(stack, contenders(shared))

    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] + [409] * (ATTEMPTS - 1), [a for a in answers if a[0] not in (201, 409)]
    refusals = {(a["error"]["code"], a["error"].get("field")) for status, a in answers if status == 409}
    assert refusals == {("duplicate", shared)}

    held = count_kinds(stack.runtime().settings)
    assert held["registration"] == 1
    assert held["claim:phone"] == 1
    assert held["claim:email"] == 1
    # Nothing half-written by the 29 refused transactions either.
    assert held["person"] == 1
    assert held["outbox"] == 1
