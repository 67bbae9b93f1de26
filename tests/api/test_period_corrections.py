"""Staff correct periods: PATCH and DELETE /api/admin/periods/{id} (contract v2)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from chalicelib.services import mail
from chalicelib.storage import keys
from chalicelib.storage.models import ClaimItem, OutboxItem, RegistrationItem
from tests.api.conftest import body
from tests.conftest import beijing
from tests.support import mailbox
from tests.support.export_data import contact, register

DECEMBER = {
    "name": "2026年12月",
    "exam_date": "2026-12-18",
    "exam_start": "09:00",
    "exam_end": "11:00",
    "notes": "开卷考试。",
}


@pytest.fixture
def period(api: Any, travel: Any) -> dict[str, Any]:
    travel(beijing(2026, 12, 1))
    return body(api.staff("POST", "/api/admin/periods", DECEMBER))["period"]


def patch(api: Any, period: dict[str, Any], changes: dict[str, Any]) -> Any:
    return api.staff("PATCH", f"/api/admin/periods/{period['id']}", changes)


def registered(rt: Any, period: dict[str, Any], seq: int = 1) -> None:
    register(rt, rt.periods.get(period["id"]), contact(seq))


def test_patch_changes_only_the_fields_it_names(api, period):
    response = patch(api, period, {"name": "2026年12月（更正）", "notes": "第一行\n第二行"})
    assert response.status_code == 200
    assert body(response)["period"] == {**period, "name": "2026年12月（更正）", "notes": "第一行\n第二行"}
    [listed] = body(api.staff("GET", "/api/admin/periods"))["periods"]
    assert listed["name"] == "2026年12月（更正）"


def test_a_new_exam_date_moves_the_default_window_and_frees_the_old_date(api, period):
    moved = body(patch(api, period, {"exam_date": "2026-12-25"}))["period"]
    assert (moved["exam_date"], moved["registration_closes"]) == ("2026-12-25", "2026-12-24")
    assert ClaimItem.count(keys.exam_date_claim_pk(dt.date(2026, 12, 18))) == 0
    again = api.staff("POST", "/api/admin/periods", {**DECEMBER, "exam_date": "2026-12-31"})
    assert again.status_code == 201


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        ({"exam_end": "08:00"}, 422, "invalid", "exam_end"),
        ({"exam_date": "2026-02-30"}, 422, "invalid", "exam_date"),
        ({"exam_date": "2026-11-30"}, 422, "invalid", "exam_date"),
        ({"name": ""}, 422, "invalid", "name"),
        ({"name": "两行\n名字"}, 422, "invalid", "name"),
        ({"name": "控制\x07字符"}, 422, "invalid", "name"),
        ({"notes": "响铃\x07"}, 422, "invalid", "notes"),
        ({"registration_closes": "2026-12-18"}, 422, "invalid", "registration_closes"),
    ],
)
def test_patch_is_validated_as_at_creation(api, period, changes, status, code, field):
    response = patch(api, period, changes)
    assert response.status_code == status
    error = body(response)["error"]
    assert (error["code"], error["field"]) == (code, field)
    [listed] = body(api.staff("GET", "/api/admin/periods"))["periods"]
    assert listed["name"] == period["name"] and listed["exam_date"] == period["exam_date"]


def test_a_move_into_an_unknown_year_sends_staff_to_the_calendar(api, period):
    api.staff("POST", "/api/admin/periods", {**DECEMBER, "name": "跨年", "exam_date": "2026-12-31"})
    response = patch(api, period, {"exam_date": "2027-01-29"})
    assert response.status_code == 409
    assert body(response)["error"]["code"] == "calendar_unknown"
    assert "工作日日历" in body(response)["error"]["message"]


def test_patch_to_another_periods_exam_date_is_taken(api, period):
    other = body(api.staff("POST", "/api/admin/periods", {**DECEMBER, "exam_date": "2026-12-31"}))
    assert other["period"]["exam_date"] == "2026-12-31"
    response = patch(api, period, {"exam_date": "2026-12-31"})
    assert response.status_code == 409
    assert body(response)["error"]["code"] in {"exam_date_taken", "registration_overlap"}


def test_the_exam_date_cannot_move_once_someone_registered(api, rt, period, travel):
    registered(rt, period)
    response = patch(api, period, {"exam_date": "2026-12-25"})
    assert response.status_code == 409
    assert body(response)["error"]["code"] == "period_has_registrations"
    # The time and the name still may.
    assert patch(api, period, {"name": "改名", "notes": "改了"}).status_code == 200


def test_an_exam_time_change_emails_every_registered_candidate(api, rt, period):
    for seq in (1, 2):
        registered(rt, period, seq)
    mail.send_outbox(rt)  # the confirmations
    before = len(mailbox.text_emails(rt.settings.ses_region))
    response = patch(api, period, {"exam_start": "14:00", "exam_end": "16:00"})
    assert response.status_code == 200
    assert json.loads(response.body)["notified"] == 2  # what the console tells staff
    kinds = [item.kind for item in OutboxItem.query(keys.OUTBOX_PK, consistent_read=True)]
    assert kinds == ["exam_changed", "exam_changed"]  # queued, not sent within the request
    assert mail.send_outbox(rt).sent == 2
    sent = mailbox.text_emails(rt.settings.ses_region)[before:]
    assert sorted(m.to[0] for m in sent) == sorted([contact(1).email, contact(2).email])
    assert all("14:00" in m.body and "16:00" in m.body for m in sent)


def test_a_name_change_emails_nobody(api, rt, period):
    registered(rt, period)
    mail.send_outbox(rt)
    assert json.loads(patch(api, period, {"name": "新名字"}).body)["notified"] == 0
    assert list(OutboxItem.query(keys.OUTBOX_PK, consistent_read=True)) == []


def test_delete_an_empty_period_is_204_and_frees_its_date(api, period):
    response = api.staff("DELETE", f"/api/admin/periods/{period['id']}")
    assert response.status_code == 204
    assert body(api.staff("GET", "/api/admin/periods"))["periods"] == []
    assert api.staff("POST", "/api/admin/periods", DECEMBER).status_code == 201


def test_delete_a_period_with_a_registration_is_409(api, rt, period):
    registered(rt, period)
    response = api.staff("DELETE", f"/api/admin/periods/{period['id']}")
    assert response.status_code == 409
    assert body(response)["error"]["code"] == "period_has_registrations"
    assert len(body(api.staff("GET", "/api/admin/periods"))["periods"]) == 1


def test_delete_is_refused_by_its_own_condition_when_a_registration_counts(api, rt, period):
    # The registration counter on the period decides, not a read: the index
    # (eventually consistent on DynamoDB) is only consulted for older periods.
    registered(rt, period)
    for item in RegistrationItem.scan(RegistrationItem.sk.startswith(keys.REGISTRATION_SK_PREFIX)):
        item.delete()
    response = api.staff("DELETE", f"/api/admin/periods/{period['id']}")
    assert response.status_code == 409


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_an_unknown_period_is_404(api, method):
    response = api.staff(method, "/api/admin/periods/nope", {"name": "x"} if method == "PATCH" else None)
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_corrections_need_a_staff_token(api, period, method):
    response = api.request(method, f"/api/admin/periods/{period['id']}", {"name": "x"})
    assert response.status_code == 401
