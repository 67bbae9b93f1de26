"""Blueprints: checked against the bank (refusals name what is short), and each attempt's draw:
deterministic per seed, different between seeds, always 35 + 15 questions worth 100, scored as
the unshuffled drawn paper."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.attempt_order import attempt_paper
from chalicelib.domain.bank import parse_items
from chalicelib.domain.blueprint import DrawnPaper, drawn_paper, parse_source
from chalicelib.domain.errors import BlueprintInvalid
from chalicelib.domain.papers import Paper, score
from tests.support.bank_data import TOPICS, bank_items, blueprint, keys

ITEMS = parse_items(bank_items())
DRAWN = drawn_paper(blueprint(), ITEMS, default_title="第一期")
KEYS = keys()
seeds = st.text(min_size=1, max_size=40)


def refusal(raw: Any, items: Any = ITEMS) -> BlueprintInvalid:
    with pytest.raises(BlueprintInvalid) as refused:
        drawn_paper(raw, items, default_title="第一期")
    return refused.value


def test_the_default_blueprint_is_35_single_and_15_multiple() -> None:
    message = refusal({"rows": [{"type": "single", "topic": "劳动合同", "count": 10}]}).message
    assert "单选题共应抽 35 道" in message


def test_a_short_bank_is_refused_naming_every_row_it_cannot_fill() -> None:
    raw = blueprint()
    raw["rows"][0]["count"] = 12  # 劳动合同 has 10 singles
    raw["rows"][2]["count"] = 2
    raw["rows"][1]["count"] = 5  # 劳动合同 has 4 multiples
    raw["rows"][3]["count"] = 1
    refused = refusal(raw)
    assert refused.status == 422 and refused.code == "blueprint_invalid"
    assert "「劳动合同」单选题需要 12 道，题库中只有 10 道" in refused.message
    assert "「劳动合同」多选题需要 5 道，题库中只有 4 道" in refused.message
    assert refused.field == "rows[0].count"


def test_counts_per_difficulty_are_checked_per_difficulty() -> None:
    raw = blueprint()
    raw["rows"][0:1] = [
        {"type": "single", "topic": "劳动合同", "difficulty": "hard", "count": 4},  # 3 hard items
        {"type": "single", "topic": "劳动合同", "difficulty": "易", "count": 3},
    ]
    assert "「劳动合同」单选题（难）需要 4 道，题库中只有 3 道" in refusal(raw).message
    raw["rows"][0]["count"], raw["rows"][1]["count"] = 3, 4
    drawn = drawn_paper(raw, ITEMS, "第一期").drawn("seed")
    hard = [
        q
        for q in drawn.questions
        if q.topic == "劳动合同" and q.type == "single" and q.id in {"t0s2", "t0s5", "t0s8"}
    ]
    assert len(hard) == 3


def test_overlapping_rows_are_refused() -> None:
    raw = blueprint()
    raw["rows"].append({"type": "single", "topic": "劳动合同", "difficulty": "hard", "count": 1})
    assert "与前面的行重复" in refusal(raw).message


def test_points_must_sum_to_100_and_be_the_same_within_a_row() -> None:
    items = bank_items()
    for item in items:
        item["points"] = 3 if item["type"] == "single" else 2
    assert "总分为 135 分" in refusal(blueprint(), parse_items(items)).message
    items[0]["points"] = 5
    assert "分值不一致" in refusal(blueprint(), parse_items(items)).message


def test_the_stored_document_reads_back_as_the_same_drawn_paper() -> None:
    again = parse_source(DRAWN.document())
    assert isinstance(again, DrawnPaper)
    assert again.drawn("abc") == DRAWN.drawn("abc")
    assert isinstance(parse_source({"title": "x", "questions": []} | _fixed()), Paper)


def _fixed() -> dict[str, Any]:
    from tests.support.exam_data import paper_document

    return paper_document()


@given(seeds)
def test_every_draw_is_35_single_and_15_multiple_worth_100_with_7_and_3_per_topic(seed: str) -> None:
    paper = DRAWN.drawn(seed)
    assert [q.type for q in paper.questions].count("single") == 35
    assert [q.type for q in paper.questions].count("multiple") == 15
    assert paper.total_points == 100 and len({q.id for q in paper.questions}) == 50
    for topic in TOPICS:
        assert sum(1 for q in paper.questions if q.topic == topic and q.type == "single") == 7
        assert sum(1 for q in paper.questions if q.topic == topic and q.type == "multiple") == 3


@given(seeds)
def test_the_same_seed_draws_the_same_paper_in_the_same_order(seed: str) -> None:
    assert attempt_paper(DRAWN.drawn(seed), seed) == attempt_paper(DRAWN.drawn(seed), seed)


def test_different_seeds_draw_different_questions() -> None:
    draws = {frozenset(q.id for q in DRAWN.drawn(f"seed-{n}").questions) for n in range(20)}
    assert len(draws) == 20


def answers_to(ids: list[str]) -> st.SearchStrategy[dict[str, list[str]]]:
    chosen = st.lists(st.sampled_from("ABCD"), unique=True, max_size=4).map(sorted)
    return st.dictionaries(st.sampled_from(ids), chosen)


@settings(max_examples=60)
@given(seeds, st.data())
def test_keyed_answers_score_100_and_any_answers_score_as_unshuffled(seed: str, data: st.DataObject) -> None:
    drawn = DRAWN.drawn(seed)
    shown = attempt_paper(drawn, seed)
    ids = [q.id for q in drawn.questions]
    assert score(shown, {qid: KEYS[qid] for qid in ids})[0] == 100
    answers = data.draw(answers_to(ids))
    points, right = score(shown, answers)
    assert (points, sorted(right)) == (score(drawn, answers)[0], sorted(score(drawn, answers)[1]))
    assert sorted(score(shown, answers)[1]) == sorted(qid for qid in answers if answers[qid] == KEYS[qid])
