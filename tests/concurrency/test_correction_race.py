"""A staff correction racing registrations of the same phone: exactly one owner, every time.

Real HTTP to `chalice local` in front of a real moto server answering one
request at a time; the table is read afterwards straight from moto.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.concurrency.test_registration_uniqueness import post_json
from tests.support.at_once import at_once
from tests.support.people import person
from tests.support.periods import open_registration_today
from tests.support.stack import Stack
from tests.support.table import table_items

pytestmark = [pytest.mark.server]

ROUNDS = 6
REGISTRANTS = 4


def staff(stack: Stack, method: str, path: str, payload: dict[str, Any] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        stack.url + path,
        data=json.dumps(payload).encode() if payload is not None else None,
        method=method,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {stack.staff_token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def holders(stack: Stack, phone: str) -> tuple[list[str], list[str]]:
    """Who the phone's claim names, and which registrations hold the phone (ID hashes)."""
    items = table_items(stack.runtime().settings)
    owner_hash = stack.runtime().repo.claim_hash("phone", phone)
    claims = [i["owner"]["S"] for i in items if i["pk"]["S"] == f"claim#phone#{owner_hash}"]
    registrations = [
        i["pk"]["S"].removeprefix("person#")
        for i in items
        if i["sk"]["S"].startswith("reg#") and i.get("phone", {}).get("S") == phone
    ]
    return claims, registrations


def test_a_correction_racing_registrations_of_the_same_phone_leaves_exactly_one_owner(stack):
    period = open_registration_today(stack)
    corrected = person(2000)
    assert post_json(stack.url + "api/registrations", corrected.registration())[0] == 201
    status, found = staff(stack, "GET", f"api/admin/people?phone={corrected.phone}")
    assert status == 200
    ref = found["people"][0]["person"]
    path = f"api/admin/people/{ref}/registrations/{period['id']}"
    for round_ in range(ROUNDS):
        phone = f"1370000{round_:04d}"
        others = [person(3000 + round_ * 10 + n, phone=phone) for n in range(REGISTRANTS)]
        statuses = race(stack, path, phone, others)
        assert [s for s in statuses if s not in (200, 201)] == [409] * REGISTRANTS, statuses
        claims, holding = holders(stack, phone)
        assert len(claims) == 1, claims
        assert holding == claims, (holding, claims)
        if statuses[0] == 200:
            assert claims == [ref]


def race(stack: Stack, path: str, phone: str, others: list[Any]) -> list[int]:
    """The correction to `phone` and every registration with it, sent at the same moment."""

    def correct() -> int:
        return staff(stack, "PATCH", path, {"phone": phone, "reason": "考生来电更正手机号"})[0]

    def register(someone: Any) -> Any:
        return lambda: post_json(stack.url + "api/registrations", someone.registration())[0]

    statuses = at_once(len(others) + 1, lambda n: correct if n == 0 else register(others[n - 1]))
    assert None not in statuses, statuses
    return [status for status in statuses if status is not None]
