"""Retention kept by travelling in time: register, sit, export, move past each limit, purge, count.

The clock is moved with the `travel` fixture (time-machine); the purge is the
schedule's own service function, run against moto. Items are counted by kind
in the table dump before and after each step.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from chalicelib import runtime
from chalicelib.domain.identity import Contact
from chalicelib.runtime import Runtime
from chalicelib.services import export, retention
from chalicelib.storage import audit, aws, keys
from chalicelib.storage.retention import RetentionStore
from tests.api.conftest import Api, body
from tests.conftest import beijing
from tests.support.export_data import add_result, contact, make_period, register
from tests.support.table import count_kinds

FIRST_EXAM = dt.date(2026, 9, 10)
LATER_EXAM = dt.date(2029, 12, 20)
# Three years after the first exam to the day: still kept. The day after: expired.
LAST_KEPT_DAY = beijing(2029, 9, 10, 4)
FIRST_EXPIRED_DAY = beijing(2029, 9, 11, 4)


def kinds(rt: Runtime) -> Counter[str]:
    counted = count_kinds(rt.settings)
    return Counter({kind: n for kind, n in counted.items() if not kind.startswith("audit#")}) + Counter(
        audit=sum(n for kind, n in counted.items() if kind.startswith("audit#"))
    )


def lookup(api: Api, someone: Contact) -> Any:
    return api.post("/api/registrations/lookup", {"id_number": someone.id_number, "phone": someone.phone})


def registers(api: Api, someone: Contact) -> Any:
    return api.post(
        "/api/registrations",
        {
            "name": someone.name,
            "id_number": someone.id_number,
            "phone": someone.phone,
            "email": someone.email,
            "consent": True,
        },
    )


@pytest.fixture
def history(rt: Runtime, travel: Any) -> dict[str, Any]:
    """A period three years ago: a passer (exported), a non-passer, and a candidate who also
    registered for a period still ahead; audit events on the exam day and the day after."""
    travel(beijing(2026, 8, 20, 9))
    first = make_period(rt, FIRST_EXAM, period_id="first")
    later = make_period(rt, LATER_EXAM, period_id="later")
    passer, failer, returning = contact(1), contact(2), contact(3)
    add_result(rt, first, passer, score=90)
    add_result(rt, first, failer, score=40)
    add_result(rt, first, returning, score=50)
    register(rt, later, returning)
    audit.record(audit.AuditEvent(at=beijing(2026, 9, 10, 9), staff="张老师", role="admin", action="old"))
    audit.record(audit.AuditEvent(at=beijing(2026, 9, 11, 9), staff="张老师", role="admin", action="kept"))
    travel(beijing(2026, 9, 10, 19))
    summary = export.export_passers(rt)
    [exported] = summary.exported
    return {
        "first": first,
        "later": later,
        "passer": passer,
        "failer": failer,
        "returning": returning,
        "export": exported,
    }


def test_purge_after_the_retention_deletes_the_period_s_people_and_nothing_later(api, rt, history, travel):
    passer, failer, returning = history["passer"], history["failer"], history["returning"]
    before = kinds(rt)
    assert before["registration"] == 4 and before["person"] == 3
    assert before["claim:phone"] == 3 and before["claim:email"] == 3
    # 4 confirmations, never sent in this test; the 3 results' e-mails are on their attempts.
    assert before["outbox"] == 4
    assert before["audit"] == 2

    travel(LAST_KEPT_DAY)
    kept = retention.purge_expired(rt)
    assert kept.finished and kept.deleted.total == 0
    assert kinds(rt) == before

    travel(FIRST_EXPIRED_DAY)
    report = retention.purge_expired(rt)

    assert report.finished and report.periods == ("first",)
    assert report.deleted.public() == {
        "registrations": 3,
        "people": 2,
        "claims": 4,
        "outbox": 3,
        "audit": 1,
        "rights_requests": 0,
    }
    after = kinds(rt)
    assert before - after == Counter(
        {"registration": 3, "person": 2, "claim:phone": 2, "claim:email": 2, "outbox": 3, "audit": 1}
    )
    # The candidate of the later period keeps their registration, record and claims.
    assert after["registration"] == 1 and after["person"] == 1 and after["outbox"] == 1
    [left] = rt.repo.registrations_of(returning.id_number)
    assert left.period_id == "later"
    # A second run finds nothing more.
    again = retention.purge_expired(rt)
    assert again.finished and again.deleted.total == 0

    for gone in (passer, failer):
        response = lookup(api, gone)
        assert response.status_code == 404 and body(response)["error"]["code"] == "not_found"
    assert [r["period"]["id"] for r in body(lookup(api, returning))["registrations"]] == ["later"]


def test_after_the_purge_the_phone_and_email_register_under_another_id_number(api, rt, history, travel):
    travel(FIRST_EXPIRED_DAY)
    retention.purge_expired(rt)
    make_period(rt, dt.date(2029, 9, 25), period_id="open")
    passer, returning = history["passer"], history["returning"]

    newcomer = contact(50, phone=passer.phone, email=passer.email)
    assert registers(api, newcomer).status_code == 201
    # The candidate of the later period still owns theirs.
    squatter = contact(51, phone=returning.phone)
    refused = registers(api, squatter)
    assert refused.status_code == 409 and body(refused)["error"]["field"] == "phone"
    # The passer's "already passed" record went with them: they may register again.
    assert registers(api, contact(1, phone="13900000999", email="again@example.com")).status_code == 201


def test_exports_in_s3_expire_by_the_bucket_lifecycle_rule_after_the_setting_s_days(rt, history):
    s3 = aws.client("s3", rt.settings.region)
    rules = s3.get_bucket_lifecycle_configuration(Bucket=rt.settings.bucket_name)["Rules"]
    [rule] = [r for r in rules if "Days" in r.get("Expiration", {})]
    assert rule["Expiration"] == {"Days": rt.settings.export_retention_days} == {"Days": 90}
    # The bucket is versioned: the expired file becomes a superseded version, gone a day later.
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    prefix = rule["Filter"]["Prefix"]
    stored = s3.list_objects_v2(Bucket=rt.settings.bucket_name, Prefix="exports/")["Contents"]
    assert {o["Key"] for o in stored} == {history["export"].csv_key, history["export"].xlsx_key}
    assert all(o["Key"].startswith(prefix) for o in stored)
    # The rule reaches exports only: papers are kept as long as their periods.
    assert prefix == "exports/"


def test_answered_rights_requests_go_the_audit_retention_after_their_answer_and_open_ones_stay(
    api, rt, travel
):
    travel(beijing(2026, 8, 20, 9))
    later = make_period(rt, LATER_EXAM, period_id="later")
    someone = contact(8)
    register(rt, later, someone)
    asked = {"id_number": someone.id_number, "phone": someone.phone}
    assert api.post("/api/rights-requests", {**asked, "kind": "copy"}).status_code == 201
    assert api.post("/api/rights-requests", {**asked, "kind": "withdraw"}).status_code == 201
    queued = body(api.staff("GET", "/api/admin/rights-requests"))["requests"]
    [copy] = [r for r in queued if r["kind"] == "copy"]
    travel(beijing(2026, 8, 21, 16))
    answered = api.staff(
        "POST", f"/api/admin/rights-requests/{copy['id']}/answer", {"outcome": "done", "note": "已发送。"}
    )
    assert answered.status_code == 200, answered.body
    assert kinds(rt)["rights"] == 2

    # Three years after the answer to the day: kept. The day after: the answered one goes.
    travel(beijing(2029, 8, 21, 4))
    assert retention.purge_expired(rt).deleted.rights_requests == 0
    assert kinds(rt)["rights"] == 2
    travel(beijing(2029, 8, 22, 4))
    report = retention.purge_expired(rt)

    assert report.finished and report.deleted.rights_requests == 1
    assert kinds(rt)["rights"] == 1
    [left] = body(api.staff("GET", "/api/admin/rights-requests"))["requests"]
    assert (left["kind"], left["status"]) == ("withdraw", "open")
    # The registration of the later period is not touched by it.
    assert kinds(rt)["registration"] == 1
    assert retention.purge_expired(rt).deleted.rights_requests == 0


def test_a_run_that_stops_for_its_limit_is_continued_by_the_next(rt, travel):
    travel(beijing(2026, 8, 20, 9))
    first = make_period(rt, FIRST_EXAM, period_id="first")
    for seq in range(5):
        add_result(rt, first, contact(seq), score=40)
    travel(FIRST_EXPIRED_DAY)

    runs = [retention.purge_expired(rt, limit=2) for _ in range(3)]

    assert [r.deleted.registrations for r in runs] == [2, 2, 1]
    assert [r.finished for r in runs] == [False, False, True]
    assert kinds(rt)["registration"] == 0 and kinds(rt)["person"] == 0


def test_a_run_out_of_time_stops_before_the_next_person(rt, travel):
    travel(beijing(2026, 8, 20, 9))
    first = make_period(rt, FIRST_EXAM, period_id="first")
    for seq in range(3):
        add_result(rt, first, contact(seq), score=40)
    travel(FIRST_EXPIRED_DAY)
    ticks = iter([0.0, 0.0, 0.0, 10.0, 10.0, 10.0])

    report = retention.purge_expired(rt, budget_seconds=5.0, monotonic=lambda: next(ticks))

    assert not report.finished and report.deleted.registrations == 2
    assert retention.purge_expired(rt).deleted.registrations == 1


class RegisteringMeanwhile(RetentionStore):
    """A store that lets the same person register for a new period between its read and its write."""

    def __init__(self, rt: Runtime, period: Any, someone: Contact) -> None:
        super().__init__(lambda kind, value: keys.identity_hash(rt.secrets.get("id-hmac-key"), kind, value))
        self._register = lambda: register(rt, period, someone)
        self.raced = False

    def _owned_claims(self, id_hash: str, registrations: list[Any]) -> list[str]:
        found = super()._owned_claims(id_hash, registrations)
        if not self.raced:
            self.raced = True
            self._register()
        return found


def test_a_person_registering_while_purged_keeps_their_record_and_claims(rt, travel):
    travel(beijing(2026, 8, 20, 9))
    first = make_period(rt, FIRST_EXAM, period_id="first")
    someone = contact(7)
    add_result(rt, first, someone, score=40)
    travel(FIRST_EXPIRED_DAY)
    now_open = make_period(rt, dt.date(2029, 9, 25), period_id="open")
    racing = replace(rt, retention=RegisteringMeanwhile(rt, now_open, someone))

    first_run = retention.purge_expired(racing)

    assert first_run.deleted.total == 0  # the person's record changed under it: nothing deleted
    counted = kinds(rt)
    assert counted["person"] == 1 and counted["claim:phone"] == 1 and counted["claim:email"] == 1
    # The next run deletes the expired registration only: a registration of theirs remains.
    second = retention.purge_expired(rt)
    assert second.deleted.public() == {
        "registrations": 1,
        "people": 0,
        "claims": 0,
        "outbox": 1,
        "audit": 0,
        "rights_requests": 0,
    }
    assert [r.period_id for r in rt.repo.registrations_of(someone.id_number)] == ["open"]
    assert kinds(rt)["claim:phone"] == 1


def test_the_schedule_is_wired_daily(rt):
    from app import app

    [handler] = [h for h in app.event_sources if getattr(h, "name", "") == "purge_expired"]
    assert "cron(30 19" in handler.schedule_expression.to_string()
    assert runtime.current().settings.retention_years == 3


def lifecycle(rt: Runtime) -> dict[str, dict[str, Any]]:
    s3 = aws.client("s3", rt.settings.region)
    rules = s3.get_bucket_lifecycle_configuration(Bucket=rt.settings.bucket_name)["Rules"]
    return {rule["ID"]: rule for rule in rules}


def test_bootstrap_sets_the_export_rule_with_the_configured_days_and_keeps_the_others(
    rt, monkeypatch, capsys
):
    from chalicelib.config import load_settings
    from ops import provision

    s3 = aws.client("s3", rt.settings.region)
    own = {"ID": "SomeoneElses", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 5}}
    s3.put_bucket_lifecycle_configuration(
        Bucket=rt.settings.bucket_name,
        LifecycleConfiguration={"Rules": [*lifecycle(rt).values(), own]},
    )
    monkeypatch.setenv("EXPORT_RETENTION_DAYS", "30")

    lines = list(provision.bootstrap(load_settings()))

    assert any("exports kept 30 days" in line for line in lines)
    rules = lifecycle(rt)
    assert rules["ExpireExports"]["Expiration"] == {"Days": 30}
    assert rules["ExpireExports"]["Filter"] == {"Prefix": "exports/"}
    assert rules["ForgetSupersededVersions"]["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": provision.NONCURRENT_VERSION_DAYS
    }
    assert rules["SomeoneElses"]["Expiration"] == {"Days": 5}
    assert "AbortIncompleteUploads" in rules and "ExpiredExportMarkers" in rules
    # Run again: nothing to change.
    again = list(provision.bootstrap(load_settings()))
    assert any(line.startswith("found    lifecycle rules") for line in again)
