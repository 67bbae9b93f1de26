"""The container's cache of attempts' papers: computed once per (paper version, seed), bounded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.attempt_order import AttemptPapers, Ranker, attempt_paper, rank
from chalicelib.domain.papers import Paper, parse_paper
from tests.support.exam_data import paper_document

PAPER = parse_paper(paper_document())
parts = st.lists(st.text(max_size=20), min_size=1, max_size=4)


@given(st.text(max_size=40), parts)
def test_a_seeds_ranker_gives_the_very_digests_of_rank(seed: str, rest: list[str]) -> None:
    assert Ranker(seed)(*rest) == rank(seed, *rest)


def test_an_attempts_paper_is_drawn_and_ordered_once_and_then_answered_from_the_cache() -> None:
    drawn: list[str] = []

    def draw(seed: str) -> Paper:
        drawn.append(seed)
        return PAPER

    cache = AttemptPapers()
    first = cache.view("papers/p1/v1", "seed-1", draw)
    again = cache.view("papers/p1/v1", "seed-1", draw)
    assert again is first and drawn == ["seed-1"]
    assert first.questions is PAPER
    assert first.shown == attempt_paper(PAPER, "seed-1").public()
    # Another seed, or another version of the paper, is its own entry.
    cache.view("papers/p1/v1", "seed-2", draw)
    cache.view("papers/p1/v2", "seed-1", draw)
    assert drawn == ["seed-1", "seed-2", "seed-1"]


def test_the_cache_keeps_only_the_most_recently_used_attempts() -> None:
    cache = AttemptPapers(size=2)
    drawn: list[str] = []

    def draw(seed: str) -> Paper:
        drawn.append(seed)
        return PAPER

    cache.view("v", "a", draw)
    cache.view("v", "b", draw)
    cache.view("v", "a", draw)  # a is now the most recent
    cache.view("v", "c", draw)  # b goes
    assert len(cache) == 2
    cache.view("v", "a", draw)
    cache.view("v", "b", draw)
    assert drawn == ["a", "b", "c", "b"]
