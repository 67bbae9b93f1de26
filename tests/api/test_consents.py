"""Separate, versioned consents on registration, per stage setting (PIPL Art. 23, 39).

The local stage keeps the data on this machine (`DATA_OUTSIDE_MAINLAND=false`) and reports to the
city's system under a legal duty: the contract's body registers as it always did. A stage outside
the mainland, or one relying on consent for the city's system, asks for the separate box and
refuses without it, naming the field.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import clock, runtime
from chalicelib.domain.privacy import CONSENT_VERSIONS
from chalicelib.services import mail
from chalicelib.storage import keys
from chalicelib.storage.models import RegistrationItem
from tests.api.conftest import Api, body
from tests.api.test_registration import FIRST_EXAM, IN_FIRST_WINDOW, create_period, error_of, register
from tests.support import mailbox
from tests.support.people import person
from tests.support.table import table_items

EVERY = {"consent_city_system": True, "consent_cross_border": True}


@pytest.fixture
def period(api: Api, travel: Any) -> dict[str, Any]:
    travel(IN_FIRST_WINDOW)
    return create_period(api, FIRST_EXAM)


@pytest.fixture
def stage(api: Api, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set one of the local stage's settings: chalice's test client applies the stage's
    `environment_variables` over the process's on every request, so both change."""
    variables = api._client._chalice_config._config_from_disk["stages"]["local"]["environment_variables"]

    def setting(name: str, value: str) -> None:
        monkeypatch.setitem(variables, name, value)
        monkeypatch.setenv(name, value)

    return setting


def registration_items() -> list[dict[str, Any]]:
    return [i for i in table_items(runtime.current().settings) if i["sk"]["S"].startswith("reg#")]


def stored_consents() -> list[dict[str, str]]:
    [item] = registration_items()
    return [{k: v["S"] for k, v in entry["M"].items()} for entry in item.get("consents", {}).get("L", [])]


def page(api: Api) -> str:
    text: str = api.get("/").body.decode()
    return text


def test_on_the_local_stage_the_contracts_body_registers_and_no_extra_box_is_shown(api, period):
    response = register(api, person(1))
    assert response.status_code == 201, response.body
    assert [c["purpose"] for c in stored_consents()] == ["processing"]
    shown = page(api)
    assert 'name="consent_city_system"' not in shown and 'name="consent_cross_border"' not in shown
    assert "法定义务" in shown and "中国大陆以外" not in shown


@pytest.mark.parametrize("setting", ["true", ""])  # set, or derived from the region (ap-east-1)
def test_outside_the_mainland_the_cross_border_consent_is_shown_and_required(api, period, stage, setting):
    stage("DATA_OUTSIDE_MAINLAND", setting)
    shown = page(api)
    assert 'name="consent_cross_border"' in shown and "中国大陆以外" in shown and "中国香港" in shown

    refused = register(api, person(1))
    assert refused.status_code == 422
    assert error_of(refused)["field"] == "consent_cross_border"
    assert error_of(refused)["code"] == "invalid"

    assert register(api, person(1), consent_cross_border=False).status_code == 422
    response = register(api, person(1), consent_cross_border=True)
    assert response.status_code == 201, response.body
    at = clock.iso(IN_FIRST_WINDOW)
    assert stored_consents() == [
        {"purpose": "processing", "version": CONSENT_VERSIONS["processing"], "at": at},
        {"purpose": "cross_border", "version": CONSENT_VERSIONS["cross_border"], "at": at},
    ]


def test_inside_the_mainland_no_cross_border_consent_is_asked_even_when_sent(api, period, stage):
    stage("DATA_OUTSIDE_MAINLAND", "false")
    response = register(api, person(1), consent_cross_border=True)
    assert response.status_code == 201
    assert [c["purpose"] for c in stored_consents()] == ["processing"]


def test_relying_on_consent_the_city_system_box_is_required_before_the_cross_border_one(api, period, stage):
    stage("CITY_SYSTEM_BASIS", "consent")
    stage("DATA_OUTSIDE_MAINLAND", "true")
    shown = page(api)
    assert 'name="consent_city_system"' in shown and "此项需要您单独同意" in shown

    cases = [
        ({"consent": False}, "consent"),
        ({}, "consent_city_system"),
        ({"consent_cross_border": True}, "consent_city_system"),
        ({"consent_city_system": True}, "consent_cross_border"),
    ]
    for changes, field in cases:
        refused = register(api, person(1), **changes)
        assert (refused.status_code, error_of(refused)["field"]) == (422, field), changes
    assert not registration_items()

    assert register(api, person(1), **EVERY).status_code == 201
    assert [c["purpose"] for c in stored_consents()] == ["processing", "city_system", "cross_border"]


def test_staff_see_each_consent_with_its_version_and_time(api, period, stage):
    stage("CITY_SYSTEM_BASIS", "consent")
    someone = person(1)
    assert register(api, someone, consent_city_system=True).status_code == 201
    found = body(api.staff("GET", f"/api/admin/people?id_number={someone.id_number}"))
    [registration] = found["people"][0]["registrations"]
    assert [(c["purpose"], c["version"]) for c in registration["consents"]] == [
        ("processing", CONSENT_VERSIONS["processing"]),
        ("city_system", CONSENT_VERSIONS["city_system"]),
    ]


def test_the_confirmation_mail_carries_the_notice_with_the_stages_retention(api, period, stage):
    stage("RETENTION_YEARS", "4")
    stage("PRIVACY_CONTACT", "privacy@hr-exam.local，010-12345678")
    someone = person(1)
    assert register(api, someone).status_code == 201
    rt = runtime.current()
    rt_ses = rt.settings.ses_region
    from chalicelib.storage import aws

    aws.client("ses", rt_ses).verify_email_identity(EmailAddress=rt.settings.ses_sender)
    assert mail.send_outbox(rt).sent == 1
    [email] = mailbox.text_emails(rt_ses)
    assert "个人信息保护说明" in email.body
    assert "保存 4 年" in email.body and "privacy@hr-exam.local，010-12345678" in email.body
    assert "<" not in email.body.split("个人信息保护说明", 1)[1]  # text, not markup
    assert "保存 4 年" in page(api)


def test_a_moved_registration_keeps_its_consents(api, travel, stage):
    from tests.api.test_registration import SECOND_EXAM

    travel(IN_FIRST_WINDOW)
    first, second = create_period(api, FIRST_EXAM), create_period(api, SECOND_EXAM)
    stage("DATA_OUTSIDE_MAINLAND", "true")
    someone = person(1)
    assert register(api, someone, consent_cross_border=True).status_code == 201
    rt = runtime.current()
    ref = rt.repo.id_hash(someone.id_number)
    moved = api.staff(
        "POST",
        f"/api/admin/people/{ref}/registrations/{first['id']}/move",
        {"period_id": second["id"], "reason": "考生申请改期"},
    )
    assert moved.status_code == 200, moved.body
    item = RegistrationItem.get(keys.person_pk(ref), keys.registration_sk(second["id"]))
    assert [entry["purpose"] for entry in item.consents] == ["processing", "cross_border"]
