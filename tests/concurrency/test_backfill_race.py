"""`backfill-names` racing staff corrections of the same names, on a real server.

The backfill (operator tooling, run in this process) and the corrections (staff, through
`chalice local`) write the same registrations at the same moment, against one moto server
answering one request at a time. Whatever the order, each registration ends with the name
index keys of the name it holds now: a backfill that read the old name never files the
corrected person under it. `tests/api/test_backfill_names.py` forces one interleaving in
process; this lets the server choose them.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest

from chalicelib.storage import keys
from ops import backfill
from tests.concurrency.test_correction_race import staff
from tests.concurrency.test_registration_uniqueness import post_json
from tests.support.at_once import at_once
from tests.support.people import person
from tests.support.periods import open_registration_today
from tests.support.stack import Stack
from tests.support.table import table_items

pytestmark = [pytest.mark.server]

ROUNDS = 3
PEOPLE = 6
REASON = "考生来电更正姓名"


def forget_name_index(stack: Stack) -> int:
    """Strip the name index's keys from every registration, as before the index existed."""
    from chalicelib.storage.models import RegistrationItem

    stack.runtime()  # the models point at this stack's moto server
    stripped = 0
    for item in RegistrationItem.scan(RegistrationItem.sk.startswith(keys.REGISTRATION_SK_PREFIX)):
        item.update(actions=[RegistrationItem.gsi3pk.remove(), RegistrationItem.gsi3sk.remove()])
        stripped += 1
    return stripped


def name_index(stack: Stack) -> dict[str, tuple[str, str | None]]:
    """Each registration's name and the name-index key it is filed under (None: not filed)."""
    return {
        item["pk"]["S"]: (item["name"]["S"], item.get("gsi3pk", {}).get("S"))
        for item in table_items(stack.runtime().settings)
        if item["sk"]["S"].startswith(keys.REGISTRATION_SK_PREFIX)
    }


def filed_under_own_name(stack: Stack) -> list[str]:
    """The registrations filed under a name they no longer hold (should be none)."""
    repo = stack.runtime().repo
    return [
        pk
        for pk, (name, filed) in name_index(stack).items()
        if filed is not None and filed != keys.by_name_pk(repo.name_hash(name))
    ]


def test_the_backfill_racing_name_corrections_files_everyone_under_the_name_they_hold(stack: Stack) -> None:
    period = open_registration_today(stack)
    people = [person(4000 + n, name=f"王{'一二三四五六'[n]}") for n in range(PEOPLE)]
    for someone in people:
        assert post_json(stack.url + "api/registrations", someone.registration())[0] == 201
    paths = []
    for someone in people:
        status, found = staff(stack, "GET", f"api/admin/people?phone={someone.phone}")
        assert status == 200 and len(found["people"]) == 1
        paths.append(f"api/admin/people/{found['people'][0]['person']}/registrations/{period['id']}")

    for round_ in range(ROUNDS):
        assert forget_name_index(stack) == PEOPLE
        new_names = [f"李{'甲乙丙'[round_]}{'春夏秋冬梅兰'[n]}" for n in range(PEOPLE)]
        statuses, report = race(stack, paths, new_names)
        assert statuses == [200] * PEOPLE, statuses
        # Every write either filled an item the backfill read, or found it changed: none lost.
        assert report["missing"] == PEOPLE and report["filled"] + report["changed"] == PEOPLE
        assert filed_under_own_name(stack) == []
        # What the race left unfiled, a second run fills; nothing is filed twice.
        backfill.backfill_names(stack.runtime())
        index = name_index(stack)
        assert sorted(name for name, _ in index.values()) == sorted(new_names)
        assert all(filed is not None for _, filed in index.values())
        assert filed_under_own_name(stack) == []
        for name in new_names:
            status, found = staff(stack, "GET", "api/admin/people?" + urllib.parse.urlencode({"name": name}))
            assert status == 200 and len(found["people"]) == 1, (name, found)


def race(stack: Stack, paths: list[str], names: list[str]) -> tuple[list[int], dict[str, int]]:
    """The backfill and one name correction per person, started at the same moment."""

    def correct(path: str, name: str) -> Any:
        return lambda: staff(stack, "PATCH", path, {"name": name, "reason": REASON})[0]

    def run_backfill() -> Any:
        return backfill.backfill_names(stack.runtime()).public()

    racers = [run_backfill, *(correct(path, name) for path, name in zip(paths, names, strict=True))]
    outcomes = at_once(len(racers), lambda n: racers[n], timeout=300)
    assert None not in outcomes, outcomes
    report, *statuses = outcomes
    return statuses, report
