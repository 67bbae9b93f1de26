"""Each attempt's own order of questions and options (contract v2, "Per-attempt order").

Fixed for the attempt (a reload, a second device, a re-score), different
between attempts; answers and scoring use the paper's own option keys; and
no candidate response ever carries a key, wherever in the document it hides.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib import runtime
from chalicelib.domain.papers import parse_paper, score
from chalicelib.storage import aws
from tests.api.conftest import body
from tests.api.exam.conftest import ExamDay
from tests.support.exam_data import key_of, paper_document, question_ids, wrong_of

KEY_NAMES = {"answer", "answers_key", "key", "correct", "correct_answer", "solution"}


def shown(paper: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(question["id"], question["order"]) for question in paper["questions"]]


def read(exam_day: ExamDay, token: str) -> dict[str, Any]:
    response = exam_day.api.get("/api/exam/paper", token=token)
    assert response.status_code == 200, response.body
    paper: dict[str, Any] = body(response)
    return paper


def test_a_reload_and_a_second_device_show_the_same_order(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    first = read(exam_day, exam_day.enter(alice))
    exam_day.at(9, 45)
    assert shown(read(exam_day, exam_day.enter(alice))) == shown(first)  # another phone
    assert shown(read(exam_day, exam_day.enter(alice))) == shown(first)  # a reload


def test_the_order_survives_a_new_container(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    before = shown(read(exam_day, token))
    runtime.current().forget_collaborators()
    runtime.current().periods.invalidate()
    assert shown(read(exam_day, token)) == before


def test_attempts_see_different_orders_of_the_same_questions(exam_day: ExamDay) -> None:
    exam_day.at(9, 30)
    orders = [shown(read(exam_day, exam_day.enter(exam_day.register(n)))) for n in range(1, 5)]
    assert len({tuple(qid for qid, _ in order) for order in orders}) == 4
    assert len({tuple(tuple(keys) for _, keys in order) for order in orders}) == 4
    for order in orders:
        assert sorted(qid for qid, _ in order) == sorted(question_ids())
        assert [qid for qid, _ in order] != question_ids()


def test_answers_use_the_papers_own_keys_whatever_the_order(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    paper = read(exam_day, token)
    first = paper["questions"][0]
    answers = {first["id"]: key_of(first["id"])}
    saved = exam_day.api.put("/api/exam/answers", {"answers": answers}, token=token)
    assert saved.status_code == 204
    assert read(exam_day, token)["answers"] == {first["id"]: key_of(first["id"])}
    keyed = {qid: key_of(qid) for qid in question_ids()}
    result = body(exam_day.submit(token, alice, keyed))["result"]
    assert result["score"] == 100 and result["passed"] is True


def test_a_shuffled_attempt_scores_as_the_unshuffled_paper(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    token = exam_day.enter(alice)
    order = [qid for qid, _ in shown(read(exam_day, token))]
    # Right on the first 20 questions as this attempt shows them, wrong on the rest.
    answers = {qid: key_of(qid) if n < 20 else wrong_of(qid) for n, qid in enumerate(order)}
    result = body(exam_day.submit(token, alice, answers))["result"]
    assert result["score"] == score(parse_paper(paper_document()), answers)[0] == 40


def test_the_paper_route_stays_one_aws_call_warm(exam_day: ExamDay) -> None:
    alice, bob = exam_day.register(1), exam_day.register(2)
    exam_day.at(9, 30)
    read(exam_day, exam_day.enter(bob))  # warms the caches and the clients
    token = exam_day.enter(alice)
    for _ in range(3):
        with aws.counting() as calls:
            read(exam_day, token)
        assert calls[0] == 1


# --- the key never leaves the server --------------------------------------------


def leaves(node: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    """Every (path, value) of a JSON document, containers included, keys as path steps."""
    yield path, node
    if isinstance(node, dict):
        for name, value in node.items():
            yield from leaves(value, f"{path}.{name}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, f"{path}[{index}]")


def assert_no_key(document: Any, sent: dict[str, list[str]]) -> None:
    """No field named like a key; every list of strings (what a key looks like) is a
    display order naming every option of its question, or an answer the candidate
    sent themselves."""
    for path, value in leaves(document):
        step = path.rsplit(".", 1)[-1].split("[", 1)[0]
        assert step not in KEY_NAMES, path
        if isinstance(value, list) and any(isinstance(item, str) for item in value):
            if path.endswith(".order"):
                question = leaves_at(document, path.rsplit(".", 1)[0])
                assert sorted(value) == sorted(question["options"]), path
                continue
            assert path.startswith("$.answers.") and value == sent.get(path.removeprefix("$.answers.")), path


def leaves_at(document: Any, path: str) -> Any:
    return dict(leaves(document))[path]


def test_no_candidate_response_carries_a_key(exam_day: ExamDay) -> None:
    alice = exam_day.register(1)
    exam_day.at(9, 30)
    api = exam_day.api
    sent = {"s1": ["B"], "m1": ["A", "C"], "s2": ["D"]}
    responses = [api.get("/api/today")]
    entry = api.post("/api/exam/sessions", {"id_number": alice.id_number, "name": alice.name})
    token = body(entry)["token"]
    responses.append(entry)
    responses.append(api.get("/api/exam/paper", token=token))
    assert api.put("/api/exam/answers", {"answers": sent}, token=token).status_code == 204
    responses.append(api.get("/api/exam/paper", token=token))
    responses.append(exam_day.submit(token, alice, {}))
    responses.append(exam_day.submit(token, alice, {}))  # already submitted, with the result
    responses.append(api.get("/api/exam/paper", token=token))
    responses.append(api.post("/api/exam/sessions", {"id_number": alice.id_number, "name": alice.name}))
    lookup = {"id_number": alice.id_number, "phone": alice.phone}
    responses.append(api.post("/api/registrations/lookup", lookup))
    statuses = [response.status_code for response in responses]
    assert statuses == [200, 201, 200, 200, 200, 409, 409, 409, 200]
    for response in responses:
        assert_no_key(body(response), sent)
        assert '"answer"' not in response.body.decode()
