"""Registration's two requests, built by hand (issue 19): what they ask, and that each of the
transaction's conditions still refuses what it refused when PynamoDB built it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import runtime
from chalicelib.storage import keys
from chalicelib.storage.models import PersonItem, RegistrationItem
from tests.api.conftest import Api, body
from tests.api.test_registration import (
    FIRST_EXAM,
    IN_FIRST_WINDOW,
    IN_SECOND_WINDOW,
    SECOND_EXAM,
    create_period,
    register,
)
from tests.support.people import person


@pytest.fixture
def sent(api: Api) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """(operation, parameters) of every DynamoDB call the app makes, in order."""
    client = RegistrationItem._get_connection().connection.client
    calls: list[tuple[str, dict[str, Any]]] = []

    def seen(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, dict(params)))

    client.meta.events.register("before-parameter-build.dynamodb.*", seen, unique_id="test-register")
    yield calls
    client.meta.events.unregister("before-parameter-build.dynamodb.*", unique_id="test-register")


def test_registration_reads_consistently_and_asks_nothing_back(
    api: Api, travel: Any, sent: list[Any]
) -> None:
    travel(IN_FIRST_WINDOW)
    create_period(api, FIRST_EXAM)
    assert api.get("/api/today").status_code == 200  # the periods cached
    sent.clear()
    assert register(api, person(1)).status_code == 201
    (query_op, query), (write_op, write) = sent
    assert (query_op, write_op) == ("Query", "TransactWriteItems")
    assert query["ConsistentRead"] is True
    assert query["ExpressionAttributeValues"][":pk"]["S"] == keys.person_pk(
        runtime.current().repo.id_hash(person(1).id_number)
    )
    assert not any("ReturnConsumedCapacity" in params for _, params in sent)
    assert len(write["TransactItems"]) == 6


def test_a_pass_marked_on_the_person_record_refuses_registration(api: Api, travel: Any) -> None:
    """Passes stored before the mark moved to the attempt: the person update's condition."""
    travel(IN_FIRST_WINDOW)
    create_period(api, FIRST_EXAM)
    someone = person(2)
    id_hash = runtime.current().repo.id_hash(someone.id_number)
    PersonItem(keys.person_pk(id_hash), keys.PERSON_SK, passed_at="2026-06-01T10:00:00+08:00").save()
    response = register(api, someone)
    assert response.status_code == 409
    assert body(response)["error"]["code"] == "already_passed"


def test_a_pass_landing_between_the_read_and_the_write_refuses_registration(api: Api, travel: Any) -> None:
    """The Query read the earlier attempt unpassed; it passes before the transaction is sent:
    the transaction's check on that attempt cancels it."""
    travel(IN_FIRST_WINDOW)
    first = create_period(api, FIRST_EXAM)
    create_period(api, SECOND_EXAM)
    someone = person(3)
    assert register(api, someone).status_code == 201
    travel(IN_SECOND_WINDOW)
    id_hash = runtime.current().repo.id_hash(someone.id_number)
    attempt = RegistrationItem(keys.person_pk(id_hash), keys.registration_sk(first["id"]))
    client = RegistrationItem._get_connection().connection.client

    def passes_meanwhile(**_: Any) -> None:
        client.meta.events.unregister("after-call.dynamodb.Query", unique_id="test-pass-meanwhile")
        attempt.update(actions=[RegistrationItem.passed.set(True)])

    client.meta.events.register(
        "after-call.dynamodb.Query", passes_meanwhile, unique_id="test-pass-meanwhile"
    )
    try:
        response = register(api, someone)
    finally:
        client.meta.events.unregister("after-call.dynamodb.Query", unique_id="test-pass-meanwhile")
    assert response.status_code == 409, response.body
    assert body(response)["error"]["code"] == "already_passed"
    # Nothing of the refused registration was written.
    later = RegistrationItem.query(keys.person_pk(id_hash), RegistrationItem.sk.startswith("reg#"))
    assert [item.sk for item in later] == [keys.registration_sk(first["id"])]


def test_an_earlier_unpassed_attempt_is_checked_and_lets_registration_through(
    api: Api, travel: Any, sent: list[Any]
) -> None:
    travel(IN_FIRST_WINDOW)
    first = create_period(api, FIRST_EXAM)
    create_period(api, SECOND_EXAM)
    someone = person(4)
    assert register(api, someone).status_code == 201
    travel(IN_SECOND_WINDOW + dt.timedelta(minutes=1))
    assert api.get("/api/today").status_code == 200
    sent.clear()
    assert register(api, someone).status_code == 201
    ((_, write),) = [call for call in sent if call[0] == "TransactWriteItems"]
    checks = [item["ConditionCheck"] for item in write["TransactItems"] if "ConditionCheck" in item]
    assert [check["Key"]["sk"]["S"] for check in checks] == [keys.registration_sk(first["id"])]


def test_a_query_built_by_hand_reads_every_page(api: Api, travel: Any) -> None:
    from chalicelib.storage import dynamo

    travel(IN_FIRST_WINDOW)
    first = create_period(api, FIRST_EXAM)
    second = create_period(api, SECOND_EXAM)
    someone = person(5)
    assert register(api, someone).status_code == 201
    travel(IN_SECOND_WINDOW)
    assert register(api, someone).status_code == 201
    pk = keys.person_pk(runtime.current().repo.id_hash(someone.id_number))
    found = dynamo.query_items(
        {
            "KeyConditionExpression": "pk = :pk AND begins_with (sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": "reg#"}},
            "Limit": 1,
        }
    )
    assert [item["sk"]["S"] for item in found] == [keys.registration_sk(p["id"]) for p in (first, second)]


def test_the_registration_returned_is_the_one_stored(api: Api, travel: Any) -> None:
    """The receipt is made from what was written, not read back: it must equal the read."""
    from chalicelib import clock
    from chalicelib.domain.privacy import given_consents
    from chalicelib.domain.registrations import CONSENT_VERSION, registration_form

    travel(IN_FIRST_WINDOW)
    created = create_period(api, FIRST_EXAM)
    travel(IN_FIRST_WINDOW + dt.timedelta(seconds=7, microseconds=250_000))
    rt = runtime.current()
    now = clock.now()
    form = person(6).registration(name=" 欧阳 娜娜 ")
    contact = registration_form(form, now.date())
    consents = given_consents(form, rt.settings.notice, now)
    returned = rt.repo.register(rt.periods.get(created["id"]), contact, now, CONSENT_VERSION, consents)
    assert rt.repo.registrations_of(contact.id_number) == [returned]
    assert returned.consents and returned.registered_at.microsecond == 0
