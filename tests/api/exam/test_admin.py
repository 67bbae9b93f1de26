"""Staff: uploading papers, listing a period's registrations, the period's statistics."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from chalicelib import clock, runtime
from chalicelib.storage import aws
from tests.api.conftest import Api, body
from tests.api.exam.conftest import DynamoOperations, ExamDay
from tests.conftest import beijing
from tests.support.exam_data import answers_scoring, exam_period, key_of, paper_document, person, register


def code(response: Any) -> tuple[int, str]:
    return response.status_code, body(response)["error"]["code"]


def stored_object(key: str) -> Any:
    settings = runtime.current().settings
    return json.loads(
        aws.client("s3", settings.region).get_object(Bucket=settings.bucket_name, Key=key)["Body"].read()
    )


def recorded_key(period_id: str) -> str | None:
    return next(p.paper_key for p in runtime.current().repo.list_periods() if p.id == period_id)


# --- PUT /api/admin/periods/{id}/paper -------------------------------------------------


@pytest.fixture
def period(api: Api, travel: Any) -> Any:
    travel(beijing(2026, 12, 1, 10))
    return exam_period(runtime.current(), beijing(2026, 12, 18).date())


def test_an_uploaded_paper_is_stored_in_s3_and_recorded_on_the_period(api: Api, period: Any) -> None:
    document = paper_document(title="2026年12月 人力资源市场法规")
    response = api.staff("PUT", f"/api/admin/periods/{period.id}/paper", document)
    assert response.status_code == 200
    paper = body(response)["paper"]
    assert (paper["questions"], paper["total_points"], paper["pass_mark"]) == (50, 100, 60)
    assert paper["key"].startswith(f"papers/{period.id}/")
    assert recorded_key(period.id) == paper["key"]
    assert stored_object(paper["key"]) == document


def test_an_invalid_paper_is_422_naming_the_first_problem(api: Api, period: Any) -> None:
    document = paper_document()
    document["questions"][12]["answer"] = ["A", "B"]
    document["questions"][40]["points"] = 0
    response = api.staff("PUT", f"/api/admin/periods/{period.id}/paper", document)
    assert code(response) == (422, "paper_invalid")
    error = body(response)["error"]
    assert "第 13 题（s13）是单选题，答案应恰好有 1 个选项" in error["message"]
    assert error["field"] == "questions[12].answer"
    assert recorded_key(period.id) is None


def test_a_paper_for_an_unknown_period_is_404(api: Api, period: Any) -> None:
    response = api.staff("PUT", "/api/admin/periods/20991231-nope/paper", paper_document())
    assert response.status_code == 404


def test_uploading_a_paper_needs_a_staff_token(api: Api, period: Any) -> None:
    response = api.put(f"/api/admin/periods/{period.id}/paper", paper_document())
    assert code(response) == (401, "unauthorized")


@pytest.mark.parametrize("raw", ["", "[]", "{not json"])
def test_a_paper_that_is_not_a_json_object_is_400(api: Api, period: Any, raw: str) -> None:
    response = api.staff("PUT", f"/api/admin/periods/{period.id}/paper", raw=raw)
    assert code(response) == (400, "bad_request")


def test_replacing_before_the_exam_stores_a_new_object_and_keeps_the_old(
    api: Api, period: Any, travel: Any
) -> None:
    first = body(api.staff("PUT", f"/api/admin/periods/{period.id}/paper", paper_document(title="第一版")))
    travel(beijing(2026, 12, 18, 8, 59))
    second = body(api.staff("PUT", f"/api/admin/periods/{period.id}/paper", paper_document(title="第二版")))
    assert first["paper"]["key"] != second["paper"]["key"]
    assert stored_object(first["paper"]["key"])["title"] == "第一版"
    assert recorded_key(period.id) == second["paper"]["key"]
    alice = person(1)
    register(runtime.current(), period, alice)
    travel(beijing(2026, 12, 18, 9, 30))
    token = body(api.post("/api/exam/sessions", {"id_number": alice.id_number, "name": alice.name}))["token"]
    assert body(api.get("/api/exam/paper", token=token))["title"] == "第二版"


def test_uploading_the_same_paper_twice_in_one_second_is_harmless(api: Api, period: Any) -> None:
    first = api.staff("PUT", f"/api/admin/periods/{period.id}/paper", paper_document())
    second = api.staff("PUT", f"/api/admin/periods/{period.id}/paper", paper_document())
    assert second.status_code == 200
    assert body(first)["paper"]["key"] == body(second)["paper"]["key"]


@pytest.mark.parametrize(("hour", "minute", "second"), [(8, 59, 56), (9, 0, 0), (10, 30, 0), (23, 0, 0)])
def test_from_just_before_the_exam_its_paper_is_locked(
    api: Api, period: Any, travel: Any, hour: int, minute: int, second: int
) -> None:
    """Locked from the start minus the periods cache's lifetime (5 s on the local stage),
    so every container agrees on the paper."""
    first = body(api.staff("PUT", f"/api/admin/periods/{period.id}/paper", paper_document()))["paper"]["key"]
    travel(dt.datetime(2026, 12, 18, hour, minute, second, tzinfo=clock.BEIJING))
    response = api.staff("PUT", f"/api/admin/periods/{period.id}/paper", paper_document(title="临时更换"))
    assert code(response) == (409, "paper_locked")
    assert recorded_key(period.id) == first


def test_a_period_that_reaches_its_exam_without_a_paper_may_still_get_one(
    api: Api, period: Any, travel: Any
) -> None:
    travel(beijing(2026, 12, 18, 9, 5))
    assert api.staff("PUT", f"/api/admin/periods/{period.id}/paper", paper_document()).status_code == 200


# --- GET /api/admin/periods/{id}/stats -------------------------------------------------


def test_stats_count_the_period_and_rate_each_question(exam_day: ExamDay) -> None:
    people = [exam_day.register(n) for n in range(1, 6)]
    exam_day.at(9, 30)
    tokens = [exam_day.enter(contact) for contact in people[1:]]  # people[0] never comes
    exam_day.submit(tokens[1], people[2], answers_scoring(100))
    exam_day.submit(tokens[2], people[3], answers_scoring(60))
    exam_day.submit(tokens[3], people[4], {"s1": key_of("s1"), "m15": key_of("m15")})
    response = exam_day.api.staff("GET", f"/api/admin/periods/{exam_day.period.id}/stats")
    assert response.status_code == 200
    stats = body(response)
    assert {k: stats[k] for k in ("registered", "started", "submitted", "passed")} == {
        "registered": 5,
        "started": 4,
        "submitted": 3,
        "passed": 2,
    }
    assert stats["pass_rate"] == round(2 / 3, 4)
    rates = {q["id"]: q["correct_rate"] for q in stats["questions"]}
    assert len(stats["questions"]) == 50
    assert [q["id"] for q in stats["questions"]][:2] == ["s1", "s2"]
    # answers_scoring(60) gets the first 30 questions (s1..s30) right.
    assert rates["s1"] == 1.0
    assert rates["s2"] == round(2 / 3, 4)
    assert rates["s31"] == round(1 / 3, 4)
    assert rates["m15"] == round(2 / 3, 4)


def test_stats_of_a_period_nobody_sat_are_zero(exam_day: ExamDay) -> None:
    exam_day.register(1)
    stats = body(exam_day.api.staff("GET", f"/api/admin/periods/{exam_day.period.id}/stats"))
    assert (stats["registered"], stats["started"], stats["submitted"], stats["pass_rate"]) == (1, 0, 0, 0)
    assert {q["correct_rate"] for q in stats["questions"]} == {0}


def test_stats_of_a_period_without_a_paper_have_no_questions(api: Api, period: Any) -> None:
    stats = body(api.staff("GET", f"/api/admin/periods/{period.id}/stats"))
    assert stats["questions"] == [] and stats["registered"] == 0


def test_stats_query_the_period_index_and_never_scan(exam_day: ExamDay) -> None:
    for n in range(1, 4):
        exam_day.register(n)
    operations = DynamoOperations()
    assert exam_day.api.staff("GET", f"/api/admin/periods/{exam_day.period.id}/stats").status_code == 200
    assert "Query" in operations.names
    assert "Scan" not in operations.names


def test_stats_of_an_unknown_period_are_404_and_need_staff(api: Api, period: Any) -> None:
    assert api.staff("GET", "/api/admin/periods/20991231-nope/stats").status_code == 404
    assert code(api.get(f"/api/admin/periods/{period.id}/stats")) == (401, "unauthorized")


# --- GET /api/admin/periods/{id}/registrations ----------------------------------------


def test_registrations_come_page_by_page_with_full_details(exam_day: ExamDay) -> None:
    people = {contact.id_number: contact for contact in (exam_day.register(n) for n in range(1, 6))}
    path = f"/api/admin/periods/{exam_day.period.id}/registrations?limit=2"
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(10):
        page = body(exam_day.api.staff("GET", path + (f"&cursor={cursor}" if cursor else "")))
        assert len(page["registrations"]) <= 2
        seen += page["registrations"]
        cursor = page["cursor"]
        if cursor is None:
            break
    assert cursor is None
    assert sorted(row["id_number"] for row in seen) == sorted(people)
    for row in seen:
        contact = people[row["id_number"]]
        assert (row["name"], row["phone"], row["email"]) == (contact.name, contact.phone, contact.email)
        assert (row["status"], row["score"], row["period_id"]) == ("registered", None, exam_day.period.id)


def test_registrations_without_a_limit_fit_one_page(exam_day: ExamDay) -> None:
    for n in range(1, 4):
        exam_day.register(n)
    page = body(exam_day.api.staff("GET", f"/api/admin/periods/{exam_day.period.id}/registrations"))
    assert len(page["registrations"]) == 3
    assert page["cursor"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("cursor=bm90LWEta2V5", "cursor", id="cursor of nothing"),
        pytest.param("cursor=%25%25%25", "cursor", id="cursor not base64"),
        pytest.param("limit=0", "limit", id="limit zero"),
        pytest.param("limit=101", "limit", id="limit too big"),
        pytest.param("limit=ten", "limit", id="limit not a number"),
    ],
)
def test_a_bad_cursor_or_limit_is_invalid(exam_day: ExamDay, query: str, field: str) -> None:
    response = exam_day.api.staff("GET", f"/api/admin/periods/{exam_day.period.id}/registrations?{query}")
    assert code(response) == (422, "invalid")
    assert body(response)["error"]["field"] == field


def test_a_cursor_of_another_period_is_invalid(exam_day: ExamDay) -> None:
    for n in range(1, 4):
        exam_day.register(n)
    later = exam_day.later_period()
    page = body(exam_day.api.staff("GET", f"/api/admin/periods/{exam_day.period.id}/registrations?limit=1"))
    response = exam_day.api.staff(
        "GET", f"/api/admin/periods/{later.id}/registrations?cursor={page['cursor']}"
    )
    assert code(response) == (422, "invalid")


def test_registrations_of_an_unknown_period_are_404_and_need_staff(api: Api, period: Any) -> None:
    assert api.staff("GET", "/api/admin/periods/20991231-nope/registrations").status_code == 404
    assert code(api.get(f"/api/admin/periods/{period.id}/registrations")) == (401, "unauthorized")
