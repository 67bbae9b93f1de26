"""An admin deletes one person on request: every item of that identity, counted, with a reason, audited."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest

from chalicelib.domain.staff import Role
from chalicelib.runtime import Runtime
from chalicelib.storage import keys
from ops import cli
from tests.api.conftest import Api, body
from tests.conftest import beijing
from tests.support.export_data import add_result, contact, make_period, register
from tests.support.table import count_kinds, table_items

PATH = "/api/admin/people/delete"
UNKNOWN = contact(99).id_number


@pytest.fixture
def someone(rt: Runtime, travel: Any) -> Any:
    """A passer of an earlier period, registered again with a new phone for a later one (2 phones)."""
    travel(beijing(2026, 8, 20, 9))
    first = make_period(rt, dt.date(2026, 9, 10), period_id="first")
    later = make_period(rt, dt.date(2026, 12, 18), period_id="later")
    person = contact(1)
    add_result(rt, first, person, score=40)
    register(rt, later, contact(1, phone="13700000001"))
    add_result(rt, first, contact(2), score=80)  # someone else: untouched
    travel(beijing(2026, 9, 20, 9))
    return person


def traces(rt: Runtime, person: Any) -> list[dict[str, Any]]:
    """Every item that holds the person's ID number, phone, e-mail or any of their keyed hashes."""
    hashes = [
        rt.repo.id_hash(person.id_number),
        keys.identity_hash(rt.secrets.get("id-hmac-key"), "phone", person.phone),
        keys.identity_hash(rt.secrets.get("id-hmac-key"), "phone", "13700000001"),
        keys.identity_hash(rt.secrets.get("id-hmac-key"), "email", person.email),
    ]
    needles = [
        person.id_number,
        person.phone,
        "13700000001",
        person.email,
        *hashes,
        *(h[:16] for h in hashes),
    ]
    return [item for item in table_items(rt.settings) if any(n in json.dumps(item) for n in needles)]


def test_an_admin_deletes_every_item_of_the_person_and_gets_the_counts(api: Api, rt, someone):
    assert traces(rt, someone)
    others_before = count_kinds(rt.settings)

    response = api.staff("POST", PATH, {"id_number": someone.id_number, "reason": "本人来电申请删除个人信息"})

    assert response.status_code == 200, response.body
    answer = body(response)
    assert answer["deleted"] == {
        "registrations": 2,
        "people": 1,
        "claims": 3,
        # The 2 confirmations; the result e-mail was on its attempt and went with it (issue 19).
        "outbox": 2,
        "audit": 0,
        "rights_requests": 0,
    }
    assert answer["person"]["id_number"] == someone.id_number[:3] + "*" * 11 + someone.id_number[-4:]
    assert traces(rt, someone) == []
    after = count_kinds(rt.settings)
    assert after["registration"] == others_before["registration"] - 2 == 1
    assert after["person"] == 1
    # The periods' counts went down with the registrations.
    periods = {item["sk"]["S"]: item for item in table_items(rt.settings) if item["pk"]["S"] == "period"}
    assert periods["later"]["registrations"]["N"] == "0"


def test_the_deletion_is_audited_with_the_reason_and_without_the_id_number(api: Api, rt, someone):
    api.staff("POST", PATH, {"id_number": someone.id_number, "reason": "本人申请删除"})
    events = body(api.staff("GET", "/api/admin/audit?since=2026-09-01"))["events"]
    [event] = [e for e in events if e["action"] == f"POST {PATH}"]
    assert event["reason"] == "本人申请删除"
    assert event["record"]["registrations"] == "2" and event["record"]["claims"] == "3"
    assert event["record"]["person"].endswith(someone.id_number[-1])
    assert someone.id_number not in json.dumps(events, ensure_ascii=False)


def test_after_the_deletion_the_phone_and_email_register_under_another_id_number(
    api: Api, rt, someone, travel
):
    api.staff("POST", PATH, {"id_number": someone.id_number, "reason": "本人申请删除"})
    travel(beijing(2026, 12, 1, 9))
    newcomer = contact(60, phone=someone.phone, email=someone.email)
    response = api.post(
        "/api/registrations",
        {
            "name": newcomer.name,
            "id_number": newcomer.id_number,
            "phone": newcomer.phone,
            "email": newcomer.email,
            "consent": True,
        },
    )
    assert response.status_code == 201, response.body
    lookup = api.post("/api/registrations/lookup", {"id_number": someone.id_number, "phone": someone.phone})
    assert lookup.status_code == 404 and body(lookup)["error"]["code"] == "not_found"


def test_a_claim_released_to_someone_else_is_not_deleted_with_the_person(api: Api, rt, someone):
    claim = keys.claim_pk("phone", keys.identity_hash(rt.secrets.get("id-hmac-key"), "phone", someone.phone))
    from chalicelib.storage.models import ClaimItem

    ClaimItem(claim, keys.CLAIM_SK, owner="someone-else", claimed_at="2026-09-20T09:00:00+08:00").save()
    answer = body(api.staff("POST", PATH, {"id_number": someone.id_number, "reason": "本人申请删除"}))
    assert answer["deleted"]["claims"] == 2
    assert ClaimItem.get(claim, keys.CLAIM_SK).owner == "someone-else"


@pytest.mark.parametrize(
    ("sent", "status", "code", "field"),
    [
        ({"id_number": UNKNOWN}, 422, "invalid", "reason"),
        ({"id_number": UNKNOWN, "reason": "  "}, 422, "invalid", "reason"),
        ({"reason": "本人申请"}, 422, "invalid", "id_number"),
        ({"id_number": UNKNOWN, "reason": "本人申请"}, 404, "person_not_found", None),
    ],
)
def test_a_deletion_needs_a_reason_and_a_known_id_number(api: Api, rt, someone, sent, status, code, field):
    response = api.staff("POST", PATH, sent)
    assert response.status_code == status, response.body
    error = body(response)["error"]
    assert error["code"] == code and error.get("field") == field
    assert traces(rt, someone)


def test_only_admins_may_delete_a_person(api: Api, rt, someone):
    operator = rt.secrets.add_staff_token("李老师", Role.OPERATOR)
    response = api.post(PATH, {"id_number": someone.id_number, "reason": "本人申请"}, token=operator)
    assert response.status_code == 403
    assert traces(rt, someone)


def test_the_cli_deletes_a_person_reading_the_id_number_from_stdin(aws_env, rt, someone, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(someone.id_number + "\n"))
    assert cli.main(["delete-person", "--reason", "本人书面申请"]) == 0
    printed = capsys.readouterr()
    assert json.loads(printed.out)["deleted"]["registrations"] == 2
    assert someone.id_number not in printed.out + printed.err
    assert traces(rt, someone) == []
    monkeypatch.setattr("sys.stdin", io.StringIO(someone.id_number + "\n"))
    assert cli.main(["delete-person", "--reason", "再次"]) == 1
    assert "person_not_found" in capsys.readouterr().err
