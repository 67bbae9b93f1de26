"""Logs: one JSON line per request, and no ID number, phone or e-mail anywhere in what is written.

The flow drives every route that exists today, with personal data planted
where careless code would log it (query strings, paths, headers, malformed
and oversized bodies, invalid fields, exception messages and AWS error
messages), through success, 400, 401, 404, 405, 413, 422, 500 and 503. Every
line any logger or stream writes is captured (tests/support/logcapture.py).
A second flow takes the same person through registration, lookup, the exam
(with a phone change and a duplicate at submit), the schedules that send the
candidate e-mails, the reminders and the passers' export.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.stub import Stubber
from chalice.test import Client

from app import app
from chalicelib import runtime
from chalicelib.domain.staff import StaffMember
from chalicelib.runtime import PeriodCache
from chalicelib.services import export, mail
from chalicelib.storage import models
from chalicelib.storage.secrets import SecretStore
from ops import demo
from tests.conftest import PROJECT, beijing
from tests.support import mailbox
from tests.support.logcapture import PersonalData, Written, everything_written


def ses_messages() -> int:
    """Every e-mail sent, through SES or (`make test-smtp`) the test's SMTP server."""
    region = runtime.current().settings.ses_region
    return len(mailbox.raw_emails(region)) + len(mailbox.text_emails(region))


PERSON = PersonalData(id_number="11010519491231002X", phone="13912345678", email="Zhang.Wei@example.cn")
ACCESS_FIELDS = {"type", "request_id", "method", "route", "status", "latency_ms", "aws_calls"}


class Flow:
    """A chalice test client that remembers what each request answered."""

    def __init__(self, client: Client, staff_token: str) -> None:
        self._client = client
        self.staff_token = staff_token
        self.answers: list[tuple[str, str, int, bytes]] = []
        self.reached_app = 0

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        raw: str | bytes | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        reaches_app: bool = True,
    ) -> Any:
        sent = {"Content-Type": "application/json", "User-Agent": f"phone {PERSON.phone}", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        payload = (
            raw if raw is not None else (json.dumps(body, ensure_ascii=False) if body is not None else None)
        )
        response = self._client.http.request(method, path, headers=sent, body=payload)
        self.answers.append((method, path, response.status_code, response.body))
        self.reached_app += 1 if reaches_app else 0
        return response

    def staff(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send(method, path, body, token=self.staff_token, **kwargs)

    def statuses(self) -> set[int]:
        return {status for _, _, status, _ in self.answers}


@pytest.fixture
def flow(aws_env: None) -> Iterator[Flow]:
    """The app on moto's in-process mock, without the OpenAPI check: 500 and 405 are not in the contract."""
    with Client(app, stage_name="local", project_dir=PROJECT) as client:
        yield Flow(client, runtime.current().secrets.add_staff_token("log-test"))


def failing(message: str) -> Callable[..., Any]:
    def fail(*_: Any, **__: Any) -> Any:
        raise RuntimeError(message)

    return fail


class FailingStaffCheck(SecretStore):
    """Secrets whose staff lookup blows up, as a bug in it would."""

    def staff_for(self, token: str) -> StaffMember | None:
        raise ValueError(f"cannot check token for {PERSON.email} / {PERSON.phone}")


def drive_every_route(flow: Flow) -> None:
    leak = f"{PERSON.id_number} {PERSON.phone} {PERSON.email}"
    period = {
        "name": "2026年12月",
        "exam_date": "2026-12-18",
        "exam_start": "09:00",
        "exam_end": "11:00",
        "notes": f"咨询：{PERSON.email}",
    }
    # Successes, with personal data in the query string and a header.
    flow.send("GET", f"/api/today?id_number={PERSON.id_number}&phone={PERSON.phone}")
    flow.staff("POST", "/api/admin/periods", period)
    flow.staff("GET", "/api/admin/periods")
    flow.send("GET", f"/?email={PERSON.email}")
    flow.send("GET", "/static/common.js")
    flow.staff("GET", "/api/admin/qr.svg")
    flow.staff("GET", "/api/admin/qr.png", headers={"Accept": "image/png"})
    # Refusals, each carrying personal data where it could be echoed.
    flow.staff("POST", "/api/admin/periods", raw='{"name": "' + leak)  # 400: not JSON
    flow.staff("POST", "/api/admin/periods", {**period, "exam_date": PERSON.id_number, "name": leak})  # 422
    flow.send("GET", "/api/admin/periods", token=PERSON.id_number)  # 401
    flow.send("GET", "/api/admin/periods", token=f"hrx_{PERSON.phone}")  # 401
    flow.send("GET", f"/static/{PERSON.id_number}.js")  # 404
    flow.send("GET", "/api/today", raw=(leak + " ") * 2000)  # 413
    flow.send("DELETE", f"/api/today?phone={PERSON.phone}")  # 405
    flow.send("GET", f"/people/{PERSON.id_number}", reaches_app=False)  # no such route: the gateway answers


def fail_unexpectedly(flow: Flow) -> None:
    """500s: dependencies injected into the container's runtime, failing with personal data in the message."""
    rt = runtime.current()
    periods, secrets = rt.periods, rt.secrets
    try:
        rt.periods = PeriodCache(failing(f"period lookup failed for {PERSON.id_number}"), ttl=30)
        flow.send("GET", "/api/today")
        flow.send("GET", "/")
        rt.periods = periods
        rt.secrets = FailingStaffCheck(rt.settings)
        flow.send("GET", "/api/admin/periods", token=f"hrx_{PERSON.id_number}")
    finally:
        rt.periods, rt.secrets = periods, secrets


def fail_in_dynamodb(flow: Flow) -> None:
    """503: DynamoDB refuses with a message quoting the input, as its validation errors do."""
    client = models.RegistrationItem._get_connection().connection.client
    with Stubber(client) as stubber:
        stubber.add_client_error(
            "query",
            service_error_code="ValidationException",
            service_message=f"One or more parameter values were invalid: {PERSON.id_number} {PERSON.email}",
            http_status_code=400,
        )
        flow.staff("GET", "/api/admin/periods")
        stubber.assert_no_pending_responses()


def drive_the_candidate_journey(flow: Flow, travel: Any) -> None:
    """Registration to export, for PERSON, with refusals on the way."""
    # The period drive_every_route created, examining on 2026-12-18.
    listed = json.loads(flow.staff("GET", "/api/admin/periods").body)["periods"]
    period_id = next(p["id"] for p in listed if p["exam_date"] == "2026-12-18")
    flow.staff("PUT", f"/api/admin/periods/{period_id}/paper", demo.demo_paper())
    other = PersonalData(id_number="110105198806150120", phone="13800138000", email="li.na@example.cn")
    form = {
        "name": "张伟",
        "id_number": PERSON.id_number,
        "phone": PERSON.phone,
        "email": PERSON.email,
        "consent": True,
    }
    flow.send("POST", "/api/registrations", form)  # 201
    flow.send("POST", "/api/registrations", form)  # 409 duplicate id_number
    flow.send("POST", "/api/registrations", {**form, "id_number": other.id_number})  # 409 duplicate phone
    flow.send("POST", "/api/registrations", {**form, "id_number": PERSON.id_number[:-1] + "0"})  # 422
    flow.send(
        "POST",
        "/api/registrations",
        {
            "name": "李娜",
            "id_number": other.id_number,
            "phone": other.phone,
            "email": other.email,
            "consent": True,
        },
    )
    flow.send("POST", "/api/registrations/lookup", {"id_number": PERSON.id_number, "phone": PERSON.phone})
    flow.send("POST", "/api/registrations/lookup", {"id_number": PERSON.id_number, "phone": other.phone})
    rt = runtime.current()
    mail.send_outbox(rt)  # the confirmations
    travel(beijing(2026, 12, 17, 9, 30))
    mail.queue_reminders(rt)
    mail.send_outbox(rt)
    travel(beijing(2026, 12, 18, 9, 30))
    session = flow.send("POST", "/api/exam/sessions", {"id_number": PERSON.id_number, "name": "张伟"})
    token = json.loads(session.body)["token"]
    flow.send("POST", "/api/exam/sessions", {"id_number": PERSON.id_number, "name": "别人"})  # 404 wrong name
    flow.send(
        "POST", "/api/exam/sessions", {"id_number": "110101199003070011", "name": "张伟"}
    )  # 404 not registered
    flow.send("GET", "/api/exam/paper", token=token)
    key = {q["id"]: q["answer"] for q in demo.demo_paper()["questions"]}
    first = next(iter(key))
    flow.send("PUT", "/api/exam/answers", {"answers": {first: key[first]}}, token=token)
    flow.send("PUT", "/api/exam/answers", {"answers": {"nope": ["A"]}}, token=token)  # 422
    details = {"name": "张伟", "phone": other.phone, "email": PERSON.email, "answers": key}
    flow.send("POST", "/api/exam/submit", details, token=token)  # 409 duplicate phone
    flow.send("POST", "/api/exam/submit", {**details, "phone": "13700137000"}, token=token)  # 200
    flow.send("POST", "/api/exam/submit", {**details, "phone": "13700137000"}, token=token)  # 409 again
    mail.send_outbox(rt)  # the result
    travel(beijing(2026, 12, 18, 20, 0))
    export.export_passers(rt)
    flow.staff("POST", f"/api/admin/periods/{period_id}/export", {"full": True})
    flow.staff("GET", f"/api/admin/periods/{period_id}/stats")
    flow.staff("GET", f"/api/admin/periods/{period_id}/registrations")


@pytest.fixture
def written(flow: Flow, travel: Any) -> Written:
    travel(beijing(2026, 12, 1, 9))
    with everything_written() as captured:
        drive_every_route(flow)
        fail_in_dynamodb(flow)
        fail_unexpectedly(flow)
        drive_the_candidate_journey(flow, travel)
    return captured


def test_full_flow_logs_no_id_number_phone_or_email(flow: Flow, written: Written) -> None:
    assert {200, 201, 204, 400, 401, 404, 405, 409, 413, 422, 500, 503} <= flow.statuses(), flow.statuses()
    assert written.requests(), "nothing captured: the capture itself is broken"
    PERSON.assert_absent(written)
    for spelling in ("110105198806150120", "13800138000", "13700137000", "li.na@example.cn"):
        assert spelling not in written.text.lower(), spelling


def test_the_journey_really_ran(flow: Flow, written: Written) -> None:
    # The check above means little unless the journey reached every step.
    by_route = {(method, path.split("?")[0]): status for method, path, status, _ in flow.answers}
    assert by_route[("POST", "/api/exam/submit")] == 409  # the last submit: already submitted
    assert 200 in {status for method, path, status, _ in flow.answers if path == "/api/exam/submit"}
    assert any(path.endswith("/export") and status == 200 for _, path, status, _ in flow.answers)
    assert ses_messages() >= 4  # confirmations, reminder, result, export


def test_each_request_that_reaches_the_app_logs_one_json_line(flow: Flow, written: Written) -> None:
    lines = written.requests()
    assert len(lines) == flow.reached_app
    for line in lines:
        assert set(line) >= ACCESS_FIELDS, line
        assert isinstance(line["latency_ms"], int | float) and line["latency_ms"] >= 0
        assert isinstance(line["status"], int)
        assert line["route"].startswith("/") and "?" not in line["route"]
    assert sorted(line["status"] for line in lines) == sorted(
        status for _, path, status, _ in flow.answers if not path.startswith("/people/")
    )
    assert len({line["request_id"] for line in lines}) == len(lines)


def test_a_500_tells_the_client_the_request_id_the_log_holds(flow: Flow, written: Written) -> None:
    failures = [json.loads(body) for _, _, status, body in flow.answers if status == 500]
    assert len(failures) == 3
    logged = {line["request_id"] for line in written.requests() if line["status"] == 500}
    for failure in failures:
        assert failure["error"]["code"] == "internal"
        assert failure["error"]["request_id"] in logged
    # The failure itself is logged (type and code location), its message is not.
    errors = [record for record in written.records if " ERROR " in record]
    assert any("unhandled RuntimeError" in record for record in errors), errors
    assert any("unhandled ValueError" in record for record in errors), errors


def test_a_dynamodb_refusal_is_logged_by_its_code_alone(flow: Flow, written: Written) -> None:
    assert any("dynamodb call failed: ValidationException" in record for record in written.records)


def test_the_capture_sees_every_channel() -> None:
    """The check above is only as good as the capture: it must see prints, fds, loggers and stale handlers."""
    import logging
    import os
    import sys

    stale = logging.getLogger("tests.stale")
    stale.propagate = False
    stale.addHandler(logging.StreamHandler(sys.__stderr__))
    with everything_written() as captured:
        print(f"print {PERSON.phone}")
        os.write(1, f"fd {PERSON.email}\n".encode())
        logging.getLogger("hr_exam.anything").warning("record %s", PERSON.id_number)
        stale.info("stale %s", PERSON.id_number.lower())
    for spelling in (PERSON.phone, PERSON.email, PERSON.id_number):
        assert spelling.lower() in captured.text.lower(), spelling
    assert "stale" in captured.text
