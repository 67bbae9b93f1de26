"""A save is one UpdateItem that asks for nothing back: nobody reads the updated item."""

from __future__ import annotations

from typing import Any

from chalicelib import runtime
from chalicelib.storage import keys
from chalicelib.storage.models import RegistrationItem
from tests.api.exam.conftest import ExamDay


def test_a_save_asks_for_nothing_back_and_stores_what_it_names(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    client = RegistrationItem._get_connection().connection.client
    sent: list[dict[str, Any]] = []

    def seen(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    client.meta.events.register("before-parameter-build.dynamodb.UpdateItem", seen, unique_id="test-save")
    try:
        for answers in ({"s1": ["A"], "m1": ["A", "B"]}, {"s1": ["B"], "m1": []}):
            response = exam_day.api.put("/api/exam/answers", {"answers": answers}, token=token)
            assert response.status_code == 204, response.body
    finally:
        client.meta.events.unregister("before-parameter-build.dynamodb.UpdateItem", unique_id="test-save")
    assert [params.get("ReturnValues") for params in sent] == ["NONE", "NONE"]
    stored = RegistrationItem.get(
        keys.person_pk(runtime.current().repo.id_hash(alice.id_number)),
        keys.registration_sk(exam_day.period.id),
        consistent_read=True,
    )
    assert stored.answers is not None and stored.answers.as_dict() == {"s1": ["B"], "m1": []}
    assert stored.saves == 2
    assert stored.answers_saved_at == "2026-12-18T09:30:00+08:00"
