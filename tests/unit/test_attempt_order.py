"""Each attempt's own order: deterministic per seed, different between seeds, scoring unchanged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.attempt_order import attempt_paper, fallback_seed, option_order
from chalicelib.domain.papers import TOTAL_POINTS, parse_paper, score
from tests.support.exam_data import key_of, paper_document, question_ids

PAPER = parse_paper(paper_document())
seeds = st.text(min_size=1, max_size=40)


def answer_sets() -> st.SearchStrategy[dict[str, list[str]]]:
    """Any answers to any of the paper's questions, empty lists included."""
    option = st.sampled_from(["A", "B", "C", "D"])
    chosen = st.lists(option, unique=True, max_size=4).map(sorted)
    return st.dictionaries(st.sampled_from(question_ids()), chosen)


def shown(paper_seed: str) -> list[tuple[str, list[str]]]:
    return [(q.id, [key for key, _ in q.options]) for q in attempt_paper(PAPER, paper_seed).questions]


@given(seeds)
def test_the_same_seed_always_gives_the_same_paper(seed: str) -> None:
    assert attempt_paper(PAPER, seed) == attempt_paper(PAPER, seed)
    assert attempt_paper(PAPER, seed).public() == attempt_paper(PAPER, seed).public()


@given(seeds)
def test_an_attempt_sees_every_question_and_option_of_the_paper_unchanged(seed: str) -> None:
    drawn = attempt_paper(PAPER, seed)
    assert drawn.title == PAPER.title and drawn.pass_mark == PAPER.pass_mark
    assert sorted(q.id for q in drawn.questions) == sorted(q.id for q in PAPER.questions)
    for question in drawn.questions:
        original = PAPER.question(question.id)
        assert original is not None
        assert dict(question.options) == dict(original.options)
        assert (question.answer, question.points, question.type, question.text) == (
            original.answer,
            original.points,
            original.type,
            original.text,
        )


@given(seeds)
def test_for_any_seed_the_keyed_answers_score_full_marks(seed: str) -> None:
    drawn = attempt_paper(PAPER, seed)
    keyed = {q.id: sorted(q.answer) for q in drawn.questions}
    assert score(drawn, keyed)[0] == TOTAL_POINTS


@given(seeds, answer_sets())
def test_for_any_seed_any_answers_score_as_on_the_unshuffled_paper(
    seed: str, answers: dict[str, list[str]]
) -> None:
    drawn_points, drawn_right = score(attempt_paper(PAPER, seed), answers)
    points, right = score(PAPER, answers)
    assert drawn_points == points
    assert sorted(drawn_right) == sorted(right)


@given(seeds)
def test_the_public_order_lists_the_options_as_shown_and_no_key(seed: str) -> None:
    for question in attempt_paper(PAPER, seed).public()["questions"]:
        assert sorted(question["order"]) == sorted(question["options"])
        assert "answer" not in question


def test_different_attempts_see_different_orders() -> None:
    orders = {tuple(qid for qid, _ in shown(f"seed-{n}")) for n in range(20)}
    assert len(orders) == 20


def test_different_attempts_see_different_option_orders() -> None:
    question = PAPER.questions[0]
    orders = {option_order(question, f"seed-{n}") for n in range(40)}
    # 4 options: 24 orders possible; 40 seeds reach well over half of them.
    assert len(orders) > 12


def test_the_order_is_not_the_papers_own_order() -> None:
    assert [qid for qid, _ in shown("seed-1")] != question_ids()


def test_the_order_is_pinned() -> None:
    """A change of hash or rule would reorder every attempt in progress: pinned on purpose."""
    order = shown("seed-1")
    assert [qid for qid, _ in order[:5]] == ["s10", "m8", "s18", "s15", "m14"]
    assert order[0][1] == ["A", "C", "B", "D"]


def test_every_key_still_belongs_to_its_question() -> None:
    for question in attempt_paper(PAPER, "seed-7").questions:
        assert sorted(question.answer) == key_of(question.id)


def test_an_attempt_without_a_stored_seed_gets_a_fixed_one_of_its_own() -> None:
    assert fallback_seed("p1", "h1") == fallback_seed("p1", "h1")
    assert fallback_seed("p1", "h1") != fallback_seed("p1", "h2")
    assert fallback_seed("p1", "h1") != fallback_seed("p2", "h1")
