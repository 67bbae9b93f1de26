"""Entry's and a submission's UpdateItem are built by hand, without PynamoDB's models: what
they store must read back through the model as what was decided, and a stale read must be
refused with nothing written.

A submission has one form (`_Scored.update()`), sent alone or as the attempt's item in the
transaction of a changed phone or e-mail; both ways are applied here."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from chalicelib import clock, runtime
from chalicelib.domain.errors import NotRegistered
from chalicelib.domain.identity import Contact
from chalicelib.domain.registrations import ExamResult, changes_between
from chalicelib.storage import keys
from chalicelib.storage.dynamo import Requests, request, run_transaction
from chalicelib.storage.models import RegistrationItem
from chalicelib.storage.repository import _Scored
from tests.api.exam.conftest import ExamDay

AT = dt.datetime(2026, 12, 18, 10, 5, tzinfo=clock.BEIJING)


def _client() -> Any:
    return RegistrationItem._get_connection().connection.client


def _stored(key: dict[str, Any]) -> dict[str, Any]:
    table = RegistrationItem._get_connection().table_name
    item: dict[str, Any] = _client().get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    return item


def _restore(item: dict[str, Any]) -> None:
    _client().put_item(TableName=RegistrationItem._get_connection().table_name, Item=item)


def _sent_both_ways(scored: _Scored) -> tuple[dict[str, Any], dict[str, Any]]:
    """The attempt after the UpdateItem alone, and after the same update in a transaction."""
    params = scored.request()
    before = _stored(params["Key"])
    request("update_item", params)
    alone = _stored(params["Key"])
    _restore(before)
    assert _sent_in_a_transaction(scored) == set()
    return alone, _stored(params["Key"])


def _sent_in_a_transaction(scored: _Scored) -> set[str]:
    """The attempt's update as the only item of a transaction: the labels it refused."""

    def build() -> Requests:
        transaction = Requests()
        transaction.add("attempt", "Update", scored.update())
        return transaction

    return run_transaction(build)


def _read_back(scored: _Scored) -> Any:
    return runtime.current().repo.attempt(scored.period_id, scored.id_hash)


def _entered(exam_day: ExamDay, saves: int = 0) -> tuple[Contact, Any]:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    for n in range(saves):
        saved = exam_day.api.put("/api/exam/answers", {"answers": {"s1": ["AB"[n % 2]]}}, token=token)
        assert saved.status_code == 204, saved.body
    rt = runtime.current()
    return alice, rt.repo.attempt(exam_day.period.id, rt.repo.id_hash(alice.id_number))


def _scored(exam_day: ExamDay, read: Any, contact: Contact, **overrides: Any) -> _Scored:
    rt = runtime.current()
    fields: dict[str, Any] = {
        "period_id": exam_day.period.id,
        "id_hash": rt.repo.id_hash(read.contact.id_number),
        "read": read,
        "contact": contact,
        "answers": {"s1": ["B"], "m1": ["A", "C"], "m2": []},
        "result": ExamResult(score=70, pass_mark=60, passed=True, submitted_at=AT, correct=("s1", "m1")),
        "paper_key": "papers/20261218-t/paper.json",
        "automatic": False,
        "changes": changes_between(read.contact, contact, AT),
        "name_hash": None,
    }
    fields.update(overrides)
    return _Scored(**fields)


FAILED = ExamResult(score=40, pass_mark=60, passed=False, submitted_at=AT, correct=("s1",))


@pytest.mark.parametrize(
    ("saves", "overrides"),
    [
        (0, {}),
        (2, {}),
        (0, {"result": FAILED, "answers": {}}),
        (1, {"automatic": True, "result": FAILED}),
    ],
    ids=["passed", "after-saves", "failed-nothing-answered", "closed-automatically"],
)
def test_the_submission_stores_what_was_decided_alone_or_in_a_transaction(
    exam_day: ExamDay, saves: int, overrides: dict[str, Any]
) -> None:
    alice, read = _entered(exam_day, saves)
    scored = _scored(exam_day, read, alice, **overrides)
    alone, in_transaction = _sent_both_ways(scored)
    assert alone == in_transaction
    assert alone["submitted_at"] == {"S": clock.iso(AT)}
    stored = _read_back(scored)
    assert stored.result == scored.result and stored.result.correct == scored.result.correct
    assert stored.answers == scored.answers
    assert stored.auto_submitted is scored.automatic
    assert stored.saves == read.saves and stored.seed == read.seed
    # A passer is pending export; everyone's result e-mail is due, never held or tried yet.
    assert ("gsi2sk" in alone) is scored.result.passed
    if scored.result.passed:
        assert alone["gsi2sk"]["S"].startswith(keys.PASSERS_PENDING_FIRST)
    assert alone["gsi4pk"] == {"S": keys.MAIL_DUE_PK} and "mail_attempts" not in alone


def test_a_renamed_submission_stores_the_new_name_and_its_history(exam_day: ExamDay) -> None:
    alice, read = _entered(exam_day)
    renamed = dataclasses.replace(alice, name="测试改名")
    name_hash = runtime.current().repo.name_hash(renamed.name)
    scored = _scored(exam_day, read, renamed, name_hash=name_hash)
    alone, in_transaction = _sent_both_ways(scored)
    assert alone == in_transaction
    assert alone["name_key"] == {"S": "测试改名"}
    assert alone["gsi3pk"] == {"S": keys.by_name_pk(name_hash)}
    stored = _read_back(scored)
    assert stored.contact.name == "测试改名"
    assert [(c.field, c.old, c.new) for c in stored.changes] == [("name", alice.name, "测试改名")]


@pytest.mark.parametrize("stale", ["saves", "seed", "submitted"])
def test_the_submission_request_refuses_what_the_condition_refuses(exam_day: ExamDay, stale: str) -> None:
    alice, read = _entered(exam_day, saves=1)
    if stale == "saves":
        read = dataclasses.replace(read, saves=0)
    elif stale == "seed":
        read = dataclasses.replace(read, seed="voided-since")
    scored = _scored(exam_day, read, alice)
    if stale == "submitted":
        request("update_item", scored.request())
    params = scored.request()
    before = _stored(params["Key"])
    with pytest.raises(Exception) as alone:
        request("update_item", params)
    assert "ConditionalCheckFailed" in str(alone.value)
    assert _sent_in_a_transaction(scored) == {"attempt"}
    assert _stored(params["Key"]) == before


def test_the_submission_asks_for_nothing_back(exam_day: ExamDay) -> None:
    alice, _ = _entered(exam_day)
    token = exam_day.enter(alice)
    sent: list[dict[str, Any]] = []

    def seen(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    _client().meta.events.register("before-parameter-build.dynamodb.UpdateItem", seen, unique_id="test-sub")
    try:
        response = exam_day.submit(token, alice, {"s1": ["B"]})
    finally:
        _client().meta.events.unregister("before-parameter-build.dynamodb.UpdateItem", unique_id="test-sub")
    assert response.status_code == 200, response.body
    assert [params.get("ReturnValues") for params in sent] == ["NONE"]


def test_entry_marks_the_attempt_once_and_compares_the_name_in_its_condition(exam_day: ExamDay) -> None:
    rt = runtime.current()
    alice = exam_day.register(1)
    first = rt.repo.start_attempt(exam_day.period, alice.id_number, alice.name, AT, seed="seed-one")
    later = AT + dt.timedelta(minutes=5)
    again = rt.repo.start_attempt(exam_day.period, alice.id_number, f" {alice.name} ", later, seed="seed-two")
    assert (first.started_at, first.seed, first.answers) == (AT, "seed-one", {})
    assert (again.started_at, again.seed) == (AT, "seed-one")
    with pytest.raises(NotRegistered):
        rt.repo.start_attempt(exam_day.period, alice.id_number, "测试别人", later)
    key = {"pk": {"S": keys.person_pk(rt.repo.id_hash(alice.id_number))}}
    key["sk"] = {"S": keys.registration_sk(exam_day.period.id)}
    assert _stored(key)["started_at"] == {"S": clock.iso(AT)}


def test_entry_matches_a_registration_stored_before_the_name_key(exam_day: ExamDay) -> None:
    rt = runtime.current()
    alice = exam_day.register(1)
    key = {
        "pk": {"S": keys.person_pk(rt.repo.id_hash(alice.id_number))},
        "sk": {"S": keys.registration_sk(exam_day.period.id)},
    }
    old = _stored(key)
    del old["name_key"]
    _restore(old)
    with pytest.raises(NotRegistered):
        rt.repo.start_attempt(exam_day.period, alice.id_number, "测试别人", AT)
    assert rt.repo.start_attempt(exam_day.period, alice.id_number, alice.name, AT).started_at == AT
