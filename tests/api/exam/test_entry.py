"""Entering the exam, reading the paper and saving answers: every code of these routes."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import pytest

from chalicelib import runtime
from chalicelib.domain.errors import NotRegistered
from tests.api.conftest import Api, body
from tests.api.exam.conftest import EXAM_DAY, ExamDay
from tests.conftest import beijing
from tests.support.exam_data import answers_scoring, exam_period, person, register, walk


def code(response: object) -> tuple[int, str]:
    return response.status_code, body(response)["error"]["code"]  # type: ignore[attr-defined]


# --- POST /api/exam/sessions -----------------------------------------------------


def test_entering_gives_a_token_and_only_masked_details(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    response = exam_day.api.post("/api/exam/sessions", {"id_number": alice.id_number, "name": alice.name})
    assert response.status_code == 201
    session = body(response)
    assert session["expires_at"] == "2026-12-19T00:00:00+08:00"
    assert session["period"]["id"] == exam_day.period.id
    assert session["candidate"] == {
        "name": alice.name,
        "id_number_masked": "110***********" + alice.id_number[-4:],
        "phone_masked": alice.phone[:3] + "****" + alice.phone[-4:],
        "email_masked": "k***@example.com",
    }
    text = response.body.decode()
    for secret in (alice.id_number, alice.phone, alice.email):
        assert secret not in text


def test_the_id_number_is_normalised_before_it_is_looked_up(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in alice.id_number)
    assert unicodedata.normalize("NFKC", full_width) == alice.id_number
    spaced = f" {full_width[:6]} {full_width[6:14]} {full_width[14:]} "
    assert (
        exam_day.api.post("/api/exam/sessions", {"id_number": spaced, "name": alice.name}).status_code == 201
    )


@pytest.mark.parametrize(("hour", "minute"), [(8, 59), (11, 0), (11, 5), (23, 30)])
def test_outside_the_exam_window_is_not_exam_time(exam_day: ExamDay, hour: int, minute: int) -> None:
    alice = exam_day.register(1)
    exam_day.at(hour, minute)
    response = exam_day.api.post("/api/exam/sessions", {"id_number": alice.id_number, "name": alice.name})
    assert code(response) == (409, "not_exam_time")
    assert "09:00" in body(response)["error"]["message"] or "11:00" in body(response)["error"]["message"]


@pytest.mark.parametrize("day", [EXAM_DAY - dt.timedelta(days=1), EXAM_DAY + dt.timedelta(days=1)])
def test_a_day_without_an_exam_is_not_exam_time(exam_day: ExamDay, day: dt.date) -> None:
    alice = exam_day.register(1)
    exam_day.travel(beijing(day.year, day.month, day.day, 9, 30))
    assert code(
        exam_day.api.post("/api/exam/sessions", {"id_number": alice.id_number, "name": alice.name})
    ) == (
        409,
        "not_exam_time",
    )


def test_an_id_number_without_a_registration_is_not_registered(exam_day: ExamDay) -> None:
    exam_day.at(9, 30)
    response = exam_day.api.post(
        "/api/exam/sessions", {"id_number": person(7).id_number, "name": person(7).name}
    )
    assert code(response) == (404, "not_registered")


def test_a_registration_for_another_period_only_is_not_registered(exam_day: ExamDay) -> None:
    later = exam_day.later_period()
    bob = exam_day.register(2, period=later)
    exam_day.at(9, 30)
    response = exam_day.api.post("/api/exam/sessions", {"id_number": bob.id_number, "name": bob.name})
    assert code(response) == (404, "not_registered")
    # Told when their own exam is, never to register (they have).
    message = body(response)["error"]["message"]
    assert "2027年1月15日（星期五）" in message
    assert later.name in message
    assert "无需重新报名" in message
    assert "下一个工作日" not in message
    # Another name with Bob's ID number learns nothing of his registration.
    other = exam_day.api.post("/api/exam/sessions", {"id_number": bob.id_number, "name": "王五"})
    assert code(other) == (404, "not_registered")
    assert body(other)["error"]["message"] == NotRegistered.default_message


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param({}, id="missing"),
        pytest.param({"id_number": ""}, id="empty"),
        pytest.param({"id_number": 110101199003070011}, id="a number"),
        pytest.param({"id_number": "11010119900307001"}, id="17 characters"),
        pytest.param({"id_number": "110101199003070012"}, id="wrong check character"),
        pytest.param({"id_number": "110101199002300015"}, id="no such birth date"),
    ],
)
def test_a_malformed_id_number_is_invalid(exam_day: ExamDay, sent: dict[str, object]) -> None:
    exam_day.at(9, 30)
    response = exam_day.api.post("/api/exam/sessions", {"name": "张三", **sent})
    assert code(response) == (422, "invalid")
    assert body(response)["error"]["field"] == "id_number"


@pytest.mark.parametrize("raw", ["", "[]", "not json", '"110101199003070011"'])
def test_a_body_that_is_not_a_json_object_is_400(exam_day: ExamDay, raw: str) -> None:
    exam_day.at(9, 30)
    assert code(exam_day.api.post("/api/exam/sessions", raw=raw)) == (400, "bad_request")


def test_entering_again_resumes_the_same_attempt(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    first = exam_day.enter(alice)
    saved = exam_day.api.put("/api/exam/answers", {"answers": {"s1": ["B"], "m2": ["A", "C"]}}, token=first)
    assert saved.status_code == 204
    exam_day.at(10, 15)
    again = exam_day.enter(alice)
    assert again == first
    paper = body(exam_day.api.get("/api/exam/paper", token=again))
    assert paper["answers"] == {"s1": ["B"], "m2": ["A", "C"]}
    attempt = runtime.current().repo.attempt(
        exam_day.period.id, runtime.current().repo.id_hash(alice.id_number)
    )
    assert attempt.started_at is not None and attempt.started_at.strftime("%H:%M") == "09:30"


def test_entering_after_submitting_is_already_submitted_with_the_result(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    result = body(exam_day.submit(token, alice, answers_scoring(70)))["result"]
    response = exam_day.api.post("/api/exam/sessions", {"id_number": alice.id_number, "name": alice.name})
    assert code(response) == (409, "already_submitted")
    assert body(response)["result"] == result


# --- GET /api/exam/paper ---------------------------------------------------------


def test_the_paper_carries_no_key_anywhere(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    response = exam_day.api.get("/api/exam/paper", token=exam_day.enter(alice))
    assert response.status_code == 200
    paper = body(response)
    assert len(paper["questions"]) == 50
    assert paper["pass_mark"] == 60
    assert paper["answers"] == {}
    everything = list(walk(paper))
    assert "answer" not in everything
    assert '"answer"' not in response.body.decode()
    # Nothing a key could hide in: besides the list of questions, the only lists are
    # each question's display order, which always names every one of its options.
    orders = [question["order"] for question in paper["questions"]]
    assert [node for node in everything if isinstance(node, list)] == [paper["questions"], *orders]
    for question in paper["questions"]:
        assert set(question) == {"id", "type", "text", "options", "order", "points"}
        assert sorted(question["order"]) == sorted(question["options"])
    assert paper["ends_at"] == "2026-12-18T11:00:00+08:00"
    assert paper["seconds_left"] == 90 * 60


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no header"),
        pytest.param("Bearer ", id="empty token"),
        pytest.param("Basic dXNlcjpwYXNz", id="another scheme"),
        pytest.param("Bearer e1.x.y.1.z", id="forged"),
        pytest.param("Bearer e1.20261218-t.ab.1797609600.签名", id="non-ASCII"),
    ],
)
def test_the_paper_needs_a_valid_exam_token(exam_day: ExamDay, authorization: str | None) -> None:
    exam_day.at(9, 30)
    headers = {"Authorization": authorization} if authorization is not None else {}
    assert code(exam_day.api.get("/api/exam/paper", headers=headers)) == (401, "unauthorized")


def test_a_staff_token_is_not_an_exam_token(exam_day: ExamDay) -> None:
    exam_day.at(9, 30)
    assert code(exam_day.api.get("/api/exam/paper", token=exam_day.api.staff_token)) == (401, "unauthorized")


def test_the_token_expires_when_the_exam_day_ends_for_an_exam_ending_early(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    exam_day.travel(dt.datetime.combine(EXAM_DAY + dt.timedelta(days=1), dt.time(0, 0, 1), tzinfo=dt.UTC))
    assert code(exam_day.api.get("/api/exam/paper", token=token)) == (401, "unauthorized")


def test_the_paper_is_served_through_the_grace_and_refused_after_it(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(10, 50)
    token = exam_day.enter(alice)
    exam_day.at(11, 10)
    grace = exam_day.api.get("/api/exam/paper", token=token)
    assert grace.status_code == 200
    assert body(grace)["seconds_left"] == 0
    exam_day.at(11, 10, 1)
    assert code(exam_day.api.get("/api/exam/paper", token=token)) == (409, "not_exam_time")


def test_the_paper_after_submitting_is_already_submitted_with_the_result(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    result = body(exam_day.submit(token, alice, {}))["result"]
    response = exam_day.api.get("/api/exam/paper", token=token)
    assert code(response) == (409, "already_submitted")
    assert body(response)["result"] == result


def test_a_period_without_a_paper_is_not_ready(api: Api, travel: Any) -> None:
    travel(beijing(2026, 12, 1, 10))
    rt = runtime.current()
    period = exam_period(rt, dt.date(2026, 12, 22))
    alice = person(1)
    register(rt, period, alice)
    travel(beijing(2026, 12, 22, 9, 30))
    token = body(api.post("/api/exam/sessions", {"id_number": alice.id_number, "name": alice.name}))["token"]
    assert code(api.get("/api/exam/paper", token=token)) == (409, "paper_not_ready")
    assert code(api.put("/api/exam/answers", {"answers": {}}, token=token)) == (409, "paper_not_ready")


# --- PUT /api/exam/answers ---------------------------------------------------------


def test_saving_replaces_the_answers_named_and_keeps_the_others(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    for answers in ({"s1": ["A"], "m1": ["A", "B"]}, {"s1": ["B"], "s2": ["C"]}, {"m1": []}):
        assert exam_day.api.put("/api/exam/answers", {"answers": answers}, token=token).status_code == 204
    saved = body(exam_day.api.get("/api/exam/paper", token=token))["answers"]
    assert saved == {"s1": ["B"], "s2": ["C"], "m1": []}


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param({"answers": {"s99": ["A"]}}, id="unknown question"),
        pytest.param({"answers": {"s1": ["E"]}}, id="unknown option"),
        pytest.param({"answers": {"s1": ["A", "B"]}}, id="two options on a single"),
        pytest.param({"answers": {"s1": [1]}}, id="option not text"),
        pytest.param({"answers": {"s1": "A"}}, id="a string, not an array"),
        pytest.param({"answers": ["s1"]}, id="answers a list"),
        pytest.param({}, id="answers missing"),
    ],
)
def test_unknown_questions_or_options_are_invalid(exam_day: ExamDay, sent: dict[str, object]) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    response = exam_day.api.put("/api/exam/answers", sent, token=token)
    assert code(response) == (422, "invalid")
    assert body(response)["error"]["field"] == "answers"
    assert body(exam_day.api.get("/api/exam/paper", token=token))["answers"] == {}


def test_saving_after_submitting_is_already_submitted(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    result = body(exam_day.submit(token, alice, answers_scoring(40)))["result"]
    response = exam_day.api.put("/api/exam/answers", {"answers": {"s1": ["B"]}}, token=token)
    assert code(response) == (409, "already_submitted")
    assert body(response)["result"] == result


def test_saving_is_accepted_through_the_grace_and_refused_after_it(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(10, 30)
    token = exam_day.enter(alice)
    exam_day.at(11, 9)
    assert exam_day.api.put("/api/exam/answers", {"answers": {"s1": ["B"]}}, token=token).status_code == 204
    exam_day.at(11, 11)
    response = exam_day.api.put("/api/exam/answers", {"answers": {"s1": ["C"]}}, token=token)
    assert code(response) == (409, "not_exam_time")


def test_saving_needs_a_token_before_anything_else(exam_day: ExamDay) -> None:
    exam_day.at(9, 30)
    assert code(exam_day.api.put("/api/exam/answers", raw="not json")) == (401, "unauthorized")


def test_saving_a_body_that_is_not_a_json_object_is_400(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    assert code(exam_day.api.put("/api/exam/answers", raw="[1]", token=token)) == (400, "bad_request")
