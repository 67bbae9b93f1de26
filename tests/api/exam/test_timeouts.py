"""Exam routes on a DynamoDB that does not answer in time: 503, never a 500 (the spike benchmark's find)."""

from __future__ import annotations

from tests.api.conftest import body
from tests.api.exam.conftest import ExamDay
from tests.support.exam_data import answers_scoring
from tests.support.faults import dynamodb_times_out


def test_entry_paper_save_and_submit_that_time_out_are_503(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    assert exam_day.api.get("/api/exam/paper", token=token).status_code == 200  # caches the paper
    with dynamodb_times_out() as tried:
        responses = {
            "sessions": exam_day.api.post(
                "/api/exam/sessions", {"id_number": alice.id_number, "name": alice.name}
            ),
            "paper": exam_day.api.get("/api/exam/paper", token=token),
            "answers": exam_day.api.put("/api/exam/answers", {"answers": {"s1": ["B"]}}, token=token),
            "submit": exam_day.submit(token, alice, answers_scoring(70)),
        }
    assert {"UpdateItem", "GetItem"} <= set(tried)
    for route, response in responses.items():
        assert response.status_code == 503, (route, response.body)
        assert body(response)["error"]["code"] == "unavailable"
