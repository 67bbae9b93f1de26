"""Rights requests: filed after the lookup's check, queued with an answer date, answered by e-mail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib import runtime
from chalicelib.domain.rights import BEING_ANSWERED
from chalicelib.domain.staff import Role
from chalicelib.services import rights
from chalicelib.storage import aws
from chalicelib.storage.mail import Mailer
from chalicelib.storage.rights import RightsRequests
from tests.api.conftest import Api, body
from tests.api.test_registration import FIRST_EXAM, IN_FIRST_WINDOW, create_period, error_of, register
from tests.support import mailbox
from tests.support.people import person
from tests.support.table import table_items


@pytest.fixture
def registered(api: Api, travel: Any) -> Any:
    """One candidate registered, the clock in the registration window, SES's sender verified."""
    travel(IN_FIRST_WINDOW)
    create_period(api, FIRST_EXAM)
    someone = person(1)
    assert register(api, someone).status_code == 201
    settings = runtime.current().settings
    aws.client("ses", settings.ses_region).verify_email_identity(EmailAddress=settings.ses_sender)
    return someone


def ask(api: Api, someone: Any, kind: str, **extra: Any) -> Any:
    return api.post("/api/rights-requests", {**someone.lookup(), "kind": kind, **extra})


def queue(api: Api) -> list[dict[str, Any]]:
    response = api.staff("GET", "/api/admin/rights-requests")
    assert response.status_code == 200
    requests: list[dict[str, Any]] = body(response)["requests"]
    return requests


def mails() -> list[mailbox.TextEmail]:
    return mailbox.text_emails(runtime.current().settings.ses_region)


def test_a_request_gets_its_answer_date_in_working_days(api, registered):
    response = ask(api, registered, "deletion")
    assert response.status_code == 201, response.body
    receipt = body(response)["request"]
    calendar = runtime.current().calendar
    assert receipt["answer_by"] == calendar.nth_working_day_after(IN_FIRST_WINDOW.date(), 15).isoformat()
    assert receipt["status"] == "open" and receipt["email_masked"] == "c***@example.com"
    assert registered.id_number not in response.body.decode()


def test_the_answer_date_skips_the_national_day_break(api, registered, travel):
    travel(dt.datetime(2026, 9, 28, 10, tzinfo=IN_FIRST_WINDOW.tzinfo))
    receipt = body(ask(api, registered, "copy"))["request"]
    # 15 calendar weekdays would be 16 October; the break (1–7 October, with its make-up days) moves it.
    assert receipt["answer_by"] > "2026-10-16"


def test_a_wrong_phone_is_refused_as_the_lookup_refuses_it_and_counts_towards_the_limit(api, registered):
    wrong = registered.lookup(phone="13900000000")
    for _ in range(3):
        refused = api.post("/api/rights-requests", {**wrong, "kind": "copy"})
        assert refused.status_code == 404
        assert error_of(refused)["code"] == "not_found"
    assert api.post("/api/registrations/lookup", wrong).status_code == 404  # lookups count together
    assert api.post("/api/rights-requests", {**wrong, "kind": "copy"}).status_code == 429  # the 5th
    assert api.post("/api/rights-requests", {**registered.lookup(), "kind": "copy"}).status_code == 429
    assert not queue(api)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "everything"}, "kind"),
        ({"kind": "correction"}, "details"),
        ({"kind": "copy", "details": "x" * 501}, "details"),
        ({"kind": "copy", "details": b"a\\u0000b".decode("unicode_escape")}, "details"),
        ({"kind": "copy", "id_number": "123"}, "id_number"),
    ],
)
def test_bad_requests_name_their_field(api, registered, changes, field):
    response = api.post("/api/rights-requests", {**registered.lookup(), **changes})
    assert response.status_code == 422
    assert error_of(response)["field"] == field


def test_a_second_open_request_of_the_same_kind_is_refused(api, registered):
    assert ask(api, registered, "copy").status_code == 201
    again = ask(api, registered, "copy")
    assert again.status_code == 409 and error_of(again)["code"] == "rights_request_open"
    assert ask(api, registered, "correction", details="姓名应为张三").status_code == 201
    assert sorted(r["kind"] for r in queue(api)) == ["copy", "correction"]


def test_a_copy_is_emailed_to_the_registered_address_with_the_answer_and_the_request_is_closed(
    api, registered
):
    ask(api, registered, "copy")
    [request] = queue(api)
    assert request["name"] == registered.name and request["id_number_masked"].startswith(
        registered.id_number[:3]
    )
    assert registered.id_number not in str(request) and registered.email not in str(request)

    answered = api.staff(
        "POST",
        f"/api/admin/rights-requests/{request['id']}/answer",
        {"outcome": "done", "note": "副本见下文。"},
    )
    assert answered.status_code == 200, answered.body
    [email] = mails()
    assert email.to == [registered.email]
    assert "已办理" in email.subject
    assert registered.id_number in email.body and registered.phone in email.body  # their own copy
    assert "副本见下文。" in email.body

    [closed] = queue(api)
    assert (closed["status"], closed["closed_by"], closed["name"], closed["details"]) == (
        "done",
        "tester",
        "",
        "",
    )
    [item] = [i for i in table_items(runtime.current().settings) if i["pk"]["S"] == "rights"]
    assert "email" not in item and "name" not in item
    again = api.staff(
        "POST", f"/api/admin/rights-requests/{request['id']}/answer", {"outcome": "done", "note": "x"}
    )
    assert again.status_code == 409
    assert ask(api, registered, "copy").status_code == 201  # may ask again once answered


def test_a_deletion_is_done_only_once_the_records_are_gone(api, registered):
    ask(api, registered, "deletion")
    [request] = queue(api)
    path = f"/api/admin/rights-requests/{request['id']}"
    early = api.staff("POST", path + "/answer", {"outcome": "done", "note": "已删除。"})
    assert early.status_code == 409 and error_of(early)["code"] == "rights_request_still_held"

    deleted = api.staff("POST", path + "/delete-person", {"reason": "本人申请删除"})
    assert deleted.status_code == 200, deleted.body
    assert body(deleted)["deleted"]["registrations"] == 1
    assert api.post("/api/registrations/lookup", registered.lookup()).status_code == 404

    done = api.staff("POST", path + "/answer", {"outcome": "done", "note": "您的个人信息已全部删除。"})
    assert done.status_code == 200, done.body
    [email] = mails()
    assert email.to == [registered.email] and "您的个人信息已全部删除。" in email.body
    assert registered.id_number not in email.body  # no copy with a deletion
    leftovers = [i for i in table_items(runtime.current().settings) if registered.email in str(i)]
    assert leftovers == []


def test_a_refusal_needs_a_note_and_is_emailed(api, registered):
    ask(api, registered, "withdraw")
    [request] = queue(api)
    path = f"/api/admin/rights-requests/{request['id']}/answer"
    assert error_of(api.staff("POST", path, {"outcome": "refused"}))["field"] == "note"
    assert error_of(api.staff("POST", path, {"outcome": "maybe", "note": "x"}))["field"] == "outcome"
    assert (
        api.staff("POST", path, {"outcome": "refused", "note": "已通过考试，须按规定保存。"}).status_code
        == 200
    )
    [email] = mails()
    assert "不予办理" in email.subject and "已通过考试，须按规定保存。" in email.body


def test_filing_and_answering_are_in_the_audit_trail(api, registered):
    ask(api, registered, "copy")
    [request] = queue(api)
    api.staff("POST", f"/api/admin/rights-requests/{request['id']}/answer", {"outcome": "done", "note": "好"})
    events = body(api.staff("GET", "/api/admin/audit"))["events"]
    actions = [(e["staff"], e["action"], e["record"].get("request")) for e in events]
    assert ("考生", "POST /api/rights-requests", request["id"]) in actions
    assert any(
        staff == "tester" and rid == request["id"] and "answer" in action for staff, action, rid in actions
    )


def test_a_viewer_may_not_see_the_queue_and_an_operator_may_not_delete(api, registered):
    rt = runtime.current()
    viewer = rt.secrets.add_staff_token("看客", role=Role.VIEWER)
    operator = rt.secrets.add_staff_token("操作员", role=Role.OPERATOR)
    assert api.get("/api/admin/rights-requests", token=viewer).status_code == 403
    ask(api, registered, "deletion")
    [request] = queue(api)
    path = f"/api/admin/rights-requests/{request['id']}/delete-person"
    assert api.post(path, {"reason": "x"}, token=operator).status_code == 403


def test_an_answer_whose_email_failed_can_be_given_again_at_once(api, registered, swap):
    ask(api, registered, "copy")
    [request] = queue(api)
    path = f"/api/admin/rights-requests/{request['id']}/answer"
    settings = runtime.current().settings
    client = boto3.client("ses", region_name=settings.ses_region)
    refusing = Stubber(client)
    refusing.add_client_error("send_email", service_error_code="Throttling", http_status_code=400)
    refusing.activate()
    swap(mailer=Mailer(settings.ses_sender, settings.ses_region, client=client))

    failed = api.staff("POST", path, {"outcome": "done", "note": "副本见下文。"})
    assert failed.status_code == 503 and [r["status"] for r in queue(api)] == ["open"]
    refusing.assert_no_pending_responses()

    swap(mailer=None)
    again = api.staff("POST", path, {"outcome": "done", "note": "副本见下文。"})
    assert again.status_code == 200, again.body
    assert len(mails()) == 1


def test_a_request_another_answer_holds_is_refused_until_that_hold_lapses(api, registered, travel):
    ask(api, registered, "withdraw")
    [request] = queue(api)
    store = RightsRequests(runtime.current().repo)
    assert store.begin_answer(store.find(request["id"]), "另一位", IN_FIRST_WINDOW, rights.ANSWER_HOLD)
    path = f"/api/admin/rights-requests/{request['id']}/answer"

    held = api.staff("POST", path, {"outcome": "refused", "note": "须按规定保存。"})
    assert held.status_code == 409 and error_of(held)["code"] == "rights_request_answered"
    assert error_of(held)["message"] == BEING_ANSWERED and mails() == []

    # A hold outlives any API call: once it lapses, its holder has stopped and another may answer.
    travel(IN_FIRST_WINDOW + rights.ANSWER_HOLD + dt.timedelta(seconds=1))
    answered = api.staff("POST", path, {"outcome": "refused", "note": "须按规定保存。"})
    assert answered.status_code == 200, answered.body
    assert len(mails()) == 1
