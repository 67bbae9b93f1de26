"""The helpdesk: find a person across periods (masked unless an admin asks, audited), correct,
withdraw, release a squatted claim, move to another period — each with a reason, each audited."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import runtime
from chalicelib.domain.staff import Role
from chalicelib.services import mail
from chalicelib.storage import keys
from tests.api.conftest import Api, body
from tests.api.test_registration import (
    FIRST_EXAM,
    IN_FIRST_WINDOW,
    SECOND_EXAM,
    create_period,
    error_of,
    register,
)
from tests.support.people import Person, person
from tests.support.table import table_items

REASON = "考生来电，身份证上的姓名与报名时不同"


def search(api: Api, token: str | None = None, **query: str) -> Any:
    path = "/api/admin/people?" + "&".join(f"{k}={v}" for k, v in query.items())
    response = api.get(path, token=token or api.staff_token)
    assert response.status_code == 200, response.body
    return body(response)


def only_person(api: Api, **query: str) -> dict[str, Any]:
    found = search(api, **query)["people"]
    assert len(found) == 1, found
    card: dict[str, Any] = found[0]
    return card


def audit_actions(api: Api) -> list[dict[str, Any]]:
    response = api.staff("GET", "/api/admin/audit?since=2026-09-01")
    events: list[dict[str, Any]] = body(response)["events"]
    return events


def items() -> list[dict[str, Any]]:
    """The table's items, string attributes only, plainly."""
    return [
        {name: value["S"] for name, value in item.items() if "S" in value}
        for item in table_items(runtime.current().settings)
    ]


def claim_owners(field: str) -> list[str]:
    return [item["owner"] for item in items() if item["pk"].startswith(f"claim#{field}#")]


@pytest.fixture
def one_registered(api: Api, travel: Any) -> tuple[dict[str, Any], Person]:
    travel(IN_FIRST_WINDOW)
    period = create_period(api, FIRST_EXAM)
    someone = person(1)
    assert register(api, someone).status_code == 201
    return period, someone


@pytest.mark.parametrize(
    "query",
    [
        lambda p: {"id_number": p.id_number.lower().replace("x", "x")},
        lambda p: {"phone": "+86 " + p.phone[:3] + "-" + p.phone[3:]},
        lambda p: {"email": p.email.upper().replace("EXAMPLE.COM", "example.com")},
        lambda p: {"name": " " + p.name + " "},
    ],
    ids=["id_number", "phone", "email", "name"],
)
def test_a_person_is_found_by_any_one_detail_normalised_as_at_registration(api, one_registered, query):
    period, someone = one_registered
    card = only_person(api, **query(someone))
    assert card["masked"] is True
    assert someone.id_number not in str(card) and someone.phone not in str(card)
    assert card["phone"] == someone.phone[:3] + "****" + someone.phone[-4:]
    [registration] = card["registrations"]
    assert registration["period"]["id"] == period["id"]
    assert registration["status"] == "registered" and registration["score"] is None


def test_nothing_found_is_an_empty_list_and_one_detail_exactly_is_asked(api, one_registered):
    assert search(api, phone="13900000999")["people"] == []
    assert search(api, name="测试")["people"] == []
    for query in ("", "phone=13900000001&name=x", "phone=123"):
        response = api.staff("GET", f"/api/admin/people?{query}")
        assert response.status_code == 422, query


def test_registrations_across_periods_with_mails_sent_newest_first(api, travel, rt):
    travel(IN_FIRST_WINDOW)
    first = create_period(api, FIRST_EXAM)
    second = create_period(api, SECOND_EXAM)
    someone = person(2)
    assert register(api, someone).status_code == 201
    mail.send_outbox(rt)
    from tests.api.test_registration import IN_SECOND_WINDOW

    travel(IN_SECOND_WINDOW)
    assert register(api, someone).status_code == 201
    card = only_person(api, phone=someone.phone)
    assert [r["period"]["id"] for r in card["registrations"]] == [second["id"], first["id"]]
    assert [m["kind"] for m in card["registrations"][1]["mails"]] == ["confirmation"]
    assert card["registrations"][0]["mails"] == []


def test_full_details_only_for_an_admin_who_asks_and_the_view_is_audited(api, one_registered):
    _, someone = one_registered
    masked = only_person(api, id_number=someone.id_number)
    assert masked["masked"] is True
    assert [e for e in audit_actions(api) if e["action"] == "GET /api/admin/people"] == []
    full = search(api, id_number=someone.id_number, full="1")
    [card] = full["people"]
    assert full["full"] is True and card["id_number"] == someone.id_number
    assert card["phone"] == someone.phone
    [viewed] = [e for e in audit_actions(api) if e["action"] == "GET /api/admin/people"]
    assert viewed["record"] == {"people": card["person"]}
    assert someone.id_number not in str(audit_actions(api))


def test_a_viewer_searches_masked_and_may_not_ask_for_full_details(api, one_registered):
    _, someone = one_registered
    viewer = runtime.current().secrets.add_staff_token("王同学", Role.VIEWER)
    assert search(api, token=viewer, phone=someone.phone)["people"][0]["masked"] is True
    refused = api.get(f"/api/admin/people?phone={someone.phone}&full=1", token=viewer)
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
    operator = runtime.current().secrets.add_staff_token("李老师", Role.OPERATOR)
    assert api.get(f"/api/admin/people?phone={someone.phone}&full=1", token=operator).status_code == 403


def path_of(card: dict[str, Any], period: dict[str, Any], action: str = "") -> str:
    return f"/api/admin/people/{card['person']}/registrations/{period['id']}{action}"


def test_a_correction_needs_a_reason_moves_the_claims_and_is_audited(api, one_registered):
    period, someone = one_registered
    card = only_person(api, phone=someone.phone)
    new_phone = "13700000001"
    refused = api.request("PATCH", path_of(card, period), {"phone": new_phone}, token=api.staff_token)
    assert refused.status_code == 422 and error_of(refused)["field"] == "reason"
    response = api.request(
        "PATCH",
        path_of(card, period),
        {"phone": new_phone, "name": "张 三", "reason": REASON},
        token=api.staff_token,
    )
    assert response.status_code == 200, response.body
    corrected = body(response)["registration"]
    assert corrected["name"] == "张 三" and corrected["masked"] is True
    assert [(c["field"], c["new"]) for c in corrected["changes"]] == [
        ("name", "张 三"),
        ("phone", "137****0001"),
    ]
    # The old phone is free for someone else; the new one is this person's.
    assert register(api, person(5, phone=someone.phone)).status_code == 201
    assert register(api, person(6, phone=new_phone)).status_code == 409
    assert only_person(api, name="张三")["person"] == card["person"]
    [event] = [e for e in audit_actions(api) if e["action"].startswith("PATCH")]
    assert event["reason"] == REASON
    assert event["record"] == {"person": card["person"], "period_id": period["id"]}
    # Exam entry now compares against the corrected name.
    item = next(i for i in items() if i["sk"] == keys.registration_sk(period["id"]) and i["name"] == "张 三")
    assert item["name_key"] == "张三"


def test_a_correction_to_a_phone_of_another_person_is_refused_and_changes_nothing(api, one_registered):
    period, someone = one_registered
    other = person(7)
    assert register(api, other).status_code == 201
    card = only_person(api, phone=someone.phone)
    response = api.request(
        "PATCH", path_of(card, period), {"phone": other.phone, "reason": REASON}, token=api.staff_token
    )
    assert response.status_code == 409 and error_of(response) == {
        **error_of(response),
        "code": "duplicate",
        "field": "phone",
    }
    assert only_person(api, phone=someone.phone)["registrations"][0]["changes"] == []


def test_withdrawing_frees_the_claims_unless_another_registration_uses_them(api, travel):
    travel(IN_FIRST_WINDOW)
    first = create_period(api, FIRST_EXAM)
    second = create_period(api, SECOND_EXAM)
    someone = person(3)
    assert register(api, someone).status_code == 201
    from tests.api.test_registration import IN_SECOND_WINDOW

    travel(IN_SECOND_WINDOW)
    assert register(api, someone).status_code == 201
    card = only_person(api, phone=someone.phone)
    withdrawn = api.staff("POST", path_of(card, second, "/withdraw"), {"reason": REASON})
    assert withdrawn.status_code == 204, withdrawn.body
    # The first period's registration still uses both: still claimed.
    assert register(api, person(8, phone=someone.phone)).status_code == 409
    withdrawn = api.staff("POST", path_of(card, first, "/withdraw"), {"reason": REASON})
    assert withdrawn.status_code == 204
    assert search(api, phone=someone.phone)["people"] == []
    assert register(api, person(8, phone=someone.phone, email=someone.email)).status_code == 201
    again = api.staff("POST", path_of(card, first, "/withdraw"), {"reason": REASON})
    assert again.status_code == 404 and error_of(again)["code"] == "registration_not_found"
    # The period's count went down with it: the first period can be deleted again.
    assert (
        api.request("DELETE", f"/api/admin/periods/{first['id']}", token=api.staff_token).status_code == 204
    )


def test_a_squatted_phone_is_released_and_the_real_owner_registers_it(api, one_registered):
    _, squatter = one_registered
    victim = person(9, phone=squatter.phone)
    assert register(api, victim).status_code == 409
    card = only_person(api, phone=squatter.phone)
    released = api.staff(
        "POST", f"/api/admin/people/{card['person']}/claims/phone/release", {"reason": "冒用"}
    )
    assert released.status_code == 200, released.body
    [registration] = body(released)["registrations"]
    assert registration["changes"][-1]["field"] == "phone" and registration["changes"][-1]["new"] == ""
    assert register(api, victim).status_code == 201
    assert claim_owners("phone").count(keys.person_hash(card["person"])) == 0
    again = api.staff("POST", f"/api/admin/people/{card['person']}/claims/phone/release", {"reason": "冒用"})
    assert again.status_code == 409 and error_of(again)["code"] == "claim_not_held"
    assert only_person(api, phone=squatter.phone)["person"] != card["person"]


def test_moving_a_registration_to_another_period(api, travel):
    travel(IN_FIRST_WINDOW)
    first = create_period(api, FIRST_EXAM)
    second = create_period(api, SECOND_EXAM)
    someone = person(4)
    assert register(api, someone).status_code == 201
    card = only_person(api, email=someone.email)
    moved = api.staff(
        "POST", path_of(card, first, "/move"), {"period_id": second["id"], "reason": "考试当天出差"}
    )
    assert moved.status_code == 200, moved.body
    registration = body(moved)["registration"]
    assert registration["period"]["id"] == second["id"]
    assert registration["changes"][-1] == {
        **registration["changes"][-1],
        "field": "period",
        "new": second["id"],
    }
    card = only_person(api, email=someone.email)
    assert [r["period"]["id"] for r in card["registrations"]] == [second["id"]]
    listed = body(api.staff("GET", f"/api/admin/periods/{second['id']}/registrations"))["registrations"]
    assert [r["id_number"] for r in listed] == [someone.id_number]
    back = api.staff("POST", path_of(card, second, "/move"), {"period_id": "nope", "reason": "x"})
    assert back.status_code == 404
    assert (
        api.request("DELETE", f"/api/admin/periods/{first['id']}", token=api.staff_token).status_code == 204
    )


def test_a_bad_person_reference_is_422_and_a_viewer_may_not_correct(api, one_registered):
    period, someone = one_registered
    response = api.staff(
        "POST", f"/api/admin/people/nobody/registrations/{period['id']}/withdraw", {"reason": "x"}
    )
    assert response.status_code == 422 and error_of(response)["field"] == "person"
    viewer = runtime.current().secrets.add_staff_token("王同学", Role.VIEWER)
    card = only_person(api, phone=someone.phone)
    refused = api.post(path_of(card, period, "/withdraw"), {"reason": "x"}, token=viewer)
    assert refused.status_code == 403
