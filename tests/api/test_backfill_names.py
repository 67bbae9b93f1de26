"""`backfill-names`: registrations stored before the name index existed are found by name after it.

Old items are made by removing the index keys from fresh ones, exactly what the table held
before the index: registrations without `gsi3pk`/`gsi3sk`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import runtime
from chalicelib.storage import keys
from chalicelib.storage.models import RegistrationItem
from ops import backfill, cli
from tests.api.conftest import Api, body
from tests.api.test_helpdesk import REASON, search
from tests.api.test_registration import FIRST_EXAM, IN_FIRST_WINDOW, SECOND_EXAM, create_period, register
from tests.support.people import person


def forget_name_index() -> int:
    """Strip the name index's keys from every registration, as before the index existed."""
    stripped = 0
    for item in RegistrationItem.scan(RegistrationItem.sk.startswith(keys.REGISTRATION_SK_PREFIX)):
        item.update(actions=[RegistrationItem.gsi3pk.remove(), RegistrationItem.gsi3sk.remove()])
        stripped += 1
    return stripped


@pytest.fixture
def old_registrations(api: Api, travel: Any) -> list[dict[str, Any]]:
    travel(IN_FIRST_WINDOW)
    first = create_period(api, FIRST_EXAM)
    create_period(api, SECOND_EXAM)
    for n in (1, 2):
        assert register(api, person(n, name="张三")).status_code == 201
    assert register(api, person(3, name="李四")).status_code == 201
    assert forget_name_index() == 3
    assert search(api, name="张三")["people"] == []
    return [first]


def test_the_backfill_makes_old_registrations_findable_by_name_and_is_safe_to_rerun(
    api: Api, old_registrations: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["backfill-names"]) == 0
    assert json.loads(capsys.readouterr().out) == {"missing": 3, "filled": 3, "changed": 0}
    found = search(api, name="张三")["people"]
    assert len(found) == 2
    assert {p["registrations"][0]["period"]["id"] for p in found} == {old_registrations[0]["id"]}
    assert len(search(api, name="李四")["people"]) == 1
    assert backfill.backfill_names(runtime.current()).public() == {"missing": 0, "filled": 0, "changed": 0}
    events = body(api.staff("GET", "/api/admin/audit?since=2026-09-01"))["events"]
    [run] = [e for e in events if e["action"] == "backfill-names (cli)"]
    assert run["record"] == {"missing": "3", "filled": "3", "changed": "0"}


def test_a_correction_landing_during_the_backfill_keeps_its_own_name(
    api: Api, old_registrations: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backfill writes only while the item still lacks the keys and holds the name it read."""
    period = old_registrations[0]
    lisi = person(3, name="李四")
    card = search(api, phone=lisi.phone)["people"][0]
    scan = RegistrationItem.scan

    def scan_then_correct(*args: Any, **kwargs: Any) -> Iterator[RegistrationItem]:
        read = list(scan(*args, **kwargs))
        path = f"/api/admin/people/{card['person']}/registrations/{period['id']}"
        corrected = api.staff("PATCH", path, {"name": "李思", "reason": REASON})
        assert corrected.status_code == 200, corrected.body
        yield from read

    monkeypatch.setattr(RegistrationItem, "scan", scan_then_correct)
    report = backfill.backfill_names(runtime.current())
    assert report.public() == {"missing": 3, "filled": 2, "changed": 1}
    assert search(api, name="李四")["people"] == []
    assert len(search(api, name="李思")["people"]) == 1
    assert len(search(api, name="张三")["people"]) == 2
