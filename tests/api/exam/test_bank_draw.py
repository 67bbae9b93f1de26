"""Periods drawing each attempt's paper from the question bank (issue 16).

The bank is imported and exported by staff; a blueprint is checked against
it; each attempt's questions, their order and their options' order follow
from the seed stored at entry, so a reload, a second device, a new
container and a re-score all see the same paper; keyed answers score 100;
and no candidate response carries a key.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import runtime
from chalicelib.domain.staff import Role
from chalicelib.services.paper_workbook import XLSX_TYPE, read_sheets
from chalicelib.storage import aws
from tests.api.conftest import Api, body
from tests.api.exam.conftest import ExamDay
from tests.api.exam.test_attempt_order import assert_no_key
from tests.support.bank_data import bank_items, blueprint, keys

KEYS = keys()


def import_bank(api: Api, items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    response = api.staff("PUT", "/api/admin/bank", {"items": items or bank_items()})
    assert response.status_code == 200, response.body
    result: dict[str, Any] = body(response)["import"]
    return result


@pytest.fixture
def bank_day(exam_day: ExamDay) -> ExamDay:
    """The exam day's period, drawing from the bank by 7 single + 3 multiple per topic."""
    import_bank(exam_day.api)
    response = exam_day.api.staff("PUT", f"/api/admin/periods/{exam_day.period.id}/blueprint", blueprint())
    assert response.status_code == 200, response.body
    # The key tells a drawn paper (with feedback by topic) from a fixed one without a read.
    assert f"papers/{exam_day.period.id}/draw-" in body(response)["paper"]["key"]
    exam_day.period = runtime.current().periods.get(exam_day.period.id)
    return exam_day


def read(day: ExamDay, token: str) -> dict[str, Any]:
    response = day.api.get("/api/exam/paper", token=token)
    assert response.status_code == 200, response.body
    paper: dict[str, Any] = body(response)
    return paper


def shown(paper: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(q["id"], q["order"]) for q in paper["questions"]]


def test_an_import_reports_what_it_added_and_changed_and_the_bank_lists_versions(api: Api) -> None:
    assert import_bank(api) == {
        "added": [item["id"] for item in bank_items()],
        "changed": [],
        "unchanged": 0,
        "items": 70,
    }
    edited = [{**bank_items()[0], "text": "改过的题干"}, bank_items()[1]]
    assert import_bank(api, edited) == {"added": [], "changed": ["t0s0"], "unchanged": 1, "items": 70}
    shown = body(api.staff("GET", "/api/admin/bank"))
    versions = {item["id"]: item["version"] for item in shown["items"]}
    assert versions["t0s0"] == 2 and versions["t0s1"] == 1 and len(versions) == 70
    assert {"type": "single", "topic": "劳动合同", "difficulty": "hard", "count": 3} in shown["cells"]


def test_the_exported_workbook_imports_back_unchanged_and_an_edit_in_it_is_a_new_version(api: Api) -> None:
    import_bank(api)
    exported = api.staff("GET", "/api/admin/bank.xlsx", headers={"Accept": XLSX_TYPE})
    assert exported.status_code == 200 and exported.headers["Content-Type"] == XLSX_TYPE
    rows = read_sheets(exported.body, {"题库": 15})["题库"]
    assert rows[0][-2:] == ("知识点", "难度") and len(rows) == 71
    again = api.staff("PUT", "/api/admin/bank", raw=exported.body, headers={"Content-Type": XLSX_TYPE})
    assert body(again)["import"] == {"added": [], "changed": [], "unchanged": 70, "items": 70}


def test_a_bad_import_names_the_problem(api: Api) -> None:
    response = api.staff("PUT", "/api/admin/bank", {"items": [{**bank_items()[0], "topic": ""}]})
    assert response.status_code == 422
    assert body(response)["error"]["code"] == "bank_invalid"
    assert body(response)["error"]["field"] == "items[0].topic"


def test_a_blueprint_the_bank_cannot_fill_is_422_naming_what_is_short(exam_day: ExamDay) -> None:
    gone = {"t1s0", "t1s1", "t1s2", "t1s3", "t2m0", "t2m1"}
    import_bank(exam_day.api, [item for item in bank_items() if item["id"] not in gone])
    response = exam_day.api.staff("PUT", f"/api/admin/periods/{exam_day.period.id}/blueprint", blueprint())
    assert response.status_code == 422
    error = body(response)["error"]
    assert error["code"] == "blueprint_invalid" and error["field"] == "rows[2].count"
    assert "「社会保险」单选题需要 7 道，题库中只有 6 道" in error["message"]
    assert "「工资支付」多选题需要 3 道，题库中只有 2 道" in error["message"]
    assert "劳动合同" not in error["message"]


def test_viewers_may_not_manage_the_bank(api: Api) -> None:
    token = runtime.current().secrets.add_staff_token("观察员", role=Role.VIEWER)
    for method, path in (
        ("GET", "/api/admin/bank"),
        ("PUT", "/api/admin/bank"),
        ("GET", "/api/admin/bank.xlsx"),
    ):
        response = api.request(method, path, {"items": bank_items()}, token=token)
        assert response.status_code == 403, (method, path)


def test_an_attempt_sees_the_same_draw_and_order_on_reload_second_device_and_new_container(
    bank_day: ExamDay,
) -> None:
    alice = bank_day.register(1)
    bank_day.at(9, 30)
    token = bank_day.enter(alice)
    first = shown(read(bank_day, token))
    assert len(first) == 50
    assert shown(read(bank_day, token)) == first
    assert shown(read(bank_day, bank_day.enter(alice))) == first
    runtime.current().forget_collaborators()
    runtime.current().periods.invalidate()
    assert shown(read(bank_day, token)) == first


def test_attempts_draw_different_questions(bank_day: ExamDay) -> None:
    bank_day.at(9, 30)
    draws = [read(bank_day, bank_day.enter(bank_day.register(n))) for n in range(1, 5)]
    assert len({frozenset(q["id"] for q in paper["questions"]) for paper in draws}) == 4


def test_keyed_answers_score_100_and_a_rescore_uses_the_same_draw(bank_day: ExamDay) -> None:
    alice, bob = bank_day.register(1), bank_day.register(2)
    bank_day.at(9, 30)
    token = bank_day.enter(alice)
    ids = [qid for qid, _ in shown(read(bank_day, token))]
    result = body(bank_day.submit(token, alice, {qid: KEYS[qid] for qid in ids}))["result"]
    assert result["score"] == 100 and result["passed"] is True
    # Bob answers half his own questions right, and keys to questions he was not given.
    token = bank_day.enter(bob)
    mine = [qid for qid, _ in shown(read(bank_day, token))]
    others = [item["id"] for item in bank_items() if item["id"] not in mine]
    answers = {qid: KEYS[qid] for qid in mine[:25]} | {qid: KEYS[qid] for qid in others}
    result = body(bank_day.submit(token, bob, answers))["result"]
    assert result["score"] == 50


def test_saved_answers_are_scored_by_the_close_on_the_same_draw(bank_day: ExamDay) -> None:
    from chalicelib.services import exam

    alice = bank_day.register(1)
    bank_day.at(9, 30)
    token = bank_day.enter(alice)
    ids = [qid for qid, _ in shown(read(bank_day, token))]
    saved = bank_day.api.put(
        "/api/exam/answers", {"answers": {qid: KEYS[qid] for qid in ids[:30]}}, token=token
    )
    assert saved.status_code == 204
    bank_day.at(11, 30)
    assert exam.close_exams(runtime.current()) == 1
    registration = runtime.current().repo.attempt(
        bank_day.period.id, runtime.current().repo.id_hash(alice.id_number)
    )
    assert registration.result is not None and registration.result.score == 60


def test_an_item_edited_after_the_blueprint_leaves_the_periods_paper_as_it_was(bank_day: ExamDay) -> None:
    alice = bank_day.register(1)
    changed = [
        {**item, "text": "新版本", "answer": ["D"] if item["type"] == "single" else ["A", "D"]}
        for item in bank_items()
    ]
    import_bank(bank_day.api, changed)
    bank_day.at(9, 30)
    token = bank_day.enter(alice)
    paper = read(bank_day, token)
    assert all(q["text"] != "新版本" for q in paper["questions"])
    result = body(bank_day.submit(token, alice, {q["id"]: KEYS[q["id"]] for q in paper["questions"]}))[
        "result"
    ]
    assert result["score"] == 100


def test_the_paper_route_stays_one_aws_call_warm(bank_day: ExamDay) -> None:
    alice, bob = bank_day.register(1), bank_day.register(2)
    bank_day.at(9, 30)
    read(bank_day, bank_day.enter(bob))
    token = bank_day.enter(alice)
    for _ in range(3):
        with aws.counting() as calls:
            read(bank_day, token)
        assert calls[0] == 1


def test_no_candidate_response_carries_a_key(bank_day: ExamDay) -> None:
    alice = bank_day.register(1)
    bank_day.at(9, 30)
    api = bank_day.api
    entry = api.post("/api/exam/sessions", {"id_number": alice.id_number, "name": alice.name})
    token = body(entry)["token"]
    paper = api.get("/api/exam/paper", token=token)
    first = body(paper)["questions"][0]["id"]
    sent = {first: ["A"]}
    assert api.put("/api/exam/answers", {"answers": sent}, token=token).status_code == 204
    responses = [entry, paper, api.get("/api/exam/paper", token=token)]
    responses.append(bank_day.submit(token, alice, {}))
    responses.append(bank_day.submit(token, alice, {}))
    responses.append(api.get("/api/exam/paper", token=token))
    responses.append(
        api.post("/api/registrations/lookup", {"id_number": alice.id_number, "phone": alice.phone})
    )
    assert [response.status_code for response in responses] == [201, 200, 200, 200, 409, 409, 200]
    for response in responses:
        assert_no_key(body(response), sent)
        assert '"answer"' not in response.body.decode()


def test_the_preview_shows_the_pool_its_key_the_blueprint_and_one_draw(bank_day: ExamDay) -> None:
    preview = body(bank_day.api.staff("GET", f"/api/admin/periods/{bank_day.period.id}/paper/preview"))
    assert preview["questions"] == 70 and preview["total_points"] == 100
    assert preview["answers"]["t0s0"] == KEYS["t0s0"]
    assert len(preview["sample"]["questions"]) == 50 and len(preview["blueprint"]["rows"]) == 10


# --- feedback by topic for a failed candidate -------------------------------------

TOPIC_OF = {item["id"]: item["topic"] for item in bank_items()}


def expected_topics(ids: list[str], right: set[str]) -> list[dict[str, Any]]:
    topics: dict[str, list[int]] = {}
    for qid in ids:
        counts = topics.setdefault(TOPIC_OF[qid], [0, 0])
        counts[0] += qid in right
        counts[1] += 1
    return [{"topic": topic, "right": c, "total": t} for topic, (c, t) in topics.items()]


def test_a_failed_candidate_sees_right_answers_per_topic_on_the_result_the_lookup_and_the_mail(
    bank_day: ExamDay,
) -> None:
    from chalicelib.services import mail
    from tests.support import mailbox

    later = bank_day.later_period()
    alice = bank_day.register(1)
    bank_day.at(9, 30)
    token = bank_day.enter(alice)
    ids = [qid for qid, _ in shown(read(bank_day, token))]
    right = set(ids[:12])
    answers = {qid: KEYS[qid] if qid in right else ["A", "B", "C", "D"][:1] for qid in ids}
    answers = {qid: chosen for qid, chosen in answers.items() if qid in right or chosen != KEYS[qid]}
    result = body(bank_day.submit(token, alice, answers))["result"]
    assert result["passed"] is False and result["score"] == 24
    by_topic = sorted(expected_topics(ids, right), key=lambda t: t["topic"])
    assert sorted(result["feedback"]["topics"], key=lambda t: t["topic"]) == by_topic
    assert sum(t["total"] for t in by_topic) == 50 and sum(t["right"] for t in by_topic) == 12
    assert result["feedback"]["next_registration_opens"] == later.registration_opens.isoformat()
    again = body(bank_day.submit(token, alice, {}))
    assert again["result"]["feedback"] == result["feedback"]  # 409 already_submitted, same feedback
    lookup = body(
        bank_day.api.post("/api/registrations/lookup", {"id_number": alice.id_number, "phone": alice.phone})
    )
    (entry,) = [e for e in lookup["registrations"] if e["period"]["id"] == bank_day.period.id]
    assert entry["feedback"] == result["feedback"]
    mail.send_outbox(runtime.current())
    (email,) = [
        m for m in mailbox.text_emails(runtime.current().settings.ses_region) if "考试成绩" in m.subject
    ]
    for topic in by_topic:
        assert f"{topic['topic']} {topic['right']}/{topic['total']}" in email.body
    assert f"{later.registration_opens:%Y年%m月%d日}" in email.body
    for qid in ids:  # counts only: no question, no key
        assert qid not in email.body and qid not in json.dumps(result["feedback"])


def test_entering_again_after_failing_shows_the_same_feedback_by_topic_at_no_extra_call(
    bank_day: ExamDay,
) -> None:
    later = bank_day.later_period()
    alice, bob = bank_day.register(1), bank_day.register(2)
    bank_day.at(9, 30)
    bank_day.enter(bob)  # warms the periods and the paper
    with aws.counting() as first:
        token = bank_day.enter(alice)
    ids = [qid for qid, _ in shown(read(bank_day, token))]
    result = body(bank_day.submit(token, alice, {qid: KEYS[qid] for qid in ids[:20]}))["result"]
    assert result["passed"] is False and result["score"] == 40
    entry = {"id_number": alice.id_number, "name": alice.name}
    bank_day.at(9, 45)  # a new burst window, as for the first entry
    with aws.counting() as calls:
        again = bank_day.api.post("/api/exam/sessions", entry)
    assert again.status_code == 409 and body(again)["error"]["code"] == "already_submitted"
    shown_again = body(again)["result"]
    assert shown_again == result  # score, pass mark, time and the same feedback by topic
    assert sum(t["right"] for t in shown_again["feedback"]["topics"]) == 20
    assert shown_again["feedback"]["next_registration_opens"] == later.registration_opens.isoformat()
    # The same calls as a first entry (the limits' counts, the attempt's write): the
    # feedback comes from the attempt that write returned and the cached paper.
    assert calls[0] == first[0]
    assert_no_key(body(again), {})
    for qid in ids:
        assert qid not in again.body.decode()


def test_entering_again_after_passing_shows_the_score_without_feedback(bank_day: ExamDay) -> None:
    alice = bank_day.register(1)
    bank_day.at(9, 30)
    token = bank_day.enter(alice)
    ids = [qid for qid, _ in shown(read(bank_day, token))]
    result = body(bank_day.submit(token, alice, {qid: KEYS[qid] for qid in ids}))["result"]
    again = bank_day.api.post("/api/exam/sessions", {"id_number": alice.id_number, "name": alice.name})
    assert again.status_code == 409 and body(again)["result"] == result
    assert "feedback" not in body(again)["result"]


def test_a_passer_and_a_fixed_paper_get_no_feedback(bank_day: ExamDay) -> None:
    alice = bank_day.register(1)
    bank_day.at(9, 30)
    token = bank_day.enter(alice)
    result = body(bank_day.submit(token, alice, {qid: KEYS[qid] for qid, _ in shown(read(bank_day, token))}))
    assert "feedback" not in result["result"]


def test_a_fixed_papers_failed_result_has_no_feedback(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    result = body(exam_day.submit(token, alice, {}))["result"]
    assert result["passed"] is False and "feedback" not in result


def test_item_analysis_counts_each_attempts_own_questions(bank_day: ExamDay) -> None:
    people = [bank_day.register(n) for n in range(1, 5)]
    bank_day.at(9, 30)
    given: dict[str, list[bool]] = {}
    for rank_, person in enumerate(people):
        token = bank_day.enter(person)
        ids = [qid for qid, _ in shown(read(bank_day, token))]
        right = set(ids[: 50 - 12 * rank_])  # the first person strongest
        answers = {qid: KEYS[qid] for qid in right}
        assert body(bank_day.submit(token, person, answers)).get("result") is not None
        for qid in ids:
            given.setdefault(qid, []).append(qid in right)
    analysis = body(bank_day.api.staff("GET", "/api/admin/bank/analysis"))["items"]
    assert sum(item["n"] for item in analysis) == 200
    by_id = {item["item"]: item for item in analysis}
    assert set(by_id) == set(given)
    for qid, rights in given.items():
        item = by_id[qid]
        assert item["n"] == len(rights) and item["facility"] == round(sum(rights) / len(rights), 3)
        assert item["periods"] == [bank_day.period.id] and item["version"] == 1
        assert item["blank"] == round(rights.count(False) / len(rights), 3)
        assert item["topic"] == TOPIC_OF[qid]


def test_the_stored_blueprint_reads_back_as_it_was_set(exam_day: ExamDay) -> None:
    path = f"/api/admin/periods/{exam_day.period.id}/blueprint"
    fixed = exam_day.api.staff("GET", path)  # the exam day's period has a fixed paper
    assert fixed.status_code == 404
    assert set(body(fixed)) == {"error"} and body(fixed)["error"]["code"] == "blueprint_not_found"
    assert body(fixed)["error"]["message"]
    import_bank(exam_day.api)
    rows = blueprint()["rows"]
    rows[0] = {**rows[0], "count": 3, "difficulty": "hard"}
    rows.insert(1, {"type": "single", "topic": rows[0]["topic"], "difficulty": "easy", "count": 4})
    set_ = exam_day.api.staff("PUT", path, {"rows": rows, "title": "抽题试卷", "pass_mark": 70})
    assert set_.status_code == 200, set_.body
    stored = exam_day.api.staff("GET", path)
    assert stored.status_code == 200
    assert body(stored) == body(set_)
    shown = body(stored)["paper"]
    assert shown["title"] == "抽题试卷" and shown["pass_mark"] == 70
    assert shown["blueprint"]["rows"] == [{"difficulty": None, **row} for row in rows]
    assert exam_day.api.staff("GET", "/api/admin/periods/nope/blueprint").status_code == 404
