"""The demo paper `make run` seeds is a valid paper a candidate could sit."""

from __future__ import annotations

from collections import Counter

from chalicelib.domain.identity import normalise_id_number
from chalicelib.domain.papers import parse_paper
from ops.demo import DEMO_CANDIDATE, demo_paper
from tests.conftest import beijing


def test_the_demo_paper_is_valid_with_the_default_composition() -> None:
    paper = parse_paper(demo_paper())
    types = Counter(question.type for question in paper.questions)
    assert (types["single"], types["multiple"], paper.total_points, paper.pass_mark) == (35, 15, 100, 60)


def test_the_demo_paper_is_written_in_chinese_with_distinct_options() -> None:
    for question in parse_paper(demo_paper()).questions:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in question.text), question.id
        texts = [text for _, text in question.options]
        assert len(set(texts)) == len(texts), question.id


def test_the_demo_keys_are_spread_over_the_letters() -> None:
    singles = [q for q in parse_paper(demo_paper()).questions if q.type == "single"]
    letters = Counter(next(iter(q.answer)) for q in singles)
    assert set(letters) == {"A", "B", "C", "D"}
    assert max(letters.values()) <= 12


def test_the_demo_candidate_has_a_valid_id_number() -> None:
    assert (
        normalise_id_number(DEMO_CANDIDATE.id_number, beijing(2026, 12, 1).date()) == DEMO_CANDIDATE.id_number
    )
