"""Item statistics against an example computed by hand."""

from __future__ import annotations

import math

import pytest

from chalicelib.domain.item_analysis import Response, analyse, item_stats, point_biserial, upper_lower

# Ten attempts, scores 90, 80, ..., 0; right on the item: yes yes no yes no yes no no yes no.
PATTERN = [True, True, False, True, False, True, False, False, True, False]
CHOSEN = ["A", "A", "B", "A", "C", "A", "B", "", "A", "B"]
RESPONSES = [
    Response("q1", 1, frozenset(c for c in chosen if c), right, 90 - 10 * n)
    for n, (right, chosen) in enumerate(zip(PATTERN, CHOSEN, strict=True))
]


def test_facility_upper_lower_point_biserial_and_option_shares_by_hand() -> None:
    stats = item_stats(RESPONSES, ["A", "B", "C", "D"])
    assert stats.n == 10 and stats.facility == 0.5
    # 27 % of 10 is 2.7 → groups of 3: top 90/80/70 → 2 right, bottom 20/10/0 → 1 right.
    assert stats.upper_lower == pytest.approx(2 / 3 - 1 / 3)
    # Right: mean 56 (90 80 60 40 10); wrong: mean 34 (70 50 30 20 0); s = sqrt(825); p = q = 0.5.
    assert stats.point_biserial == pytest.approx(22 / math.sqrt(825) * 0.5)
    assert stats.point_biserial == pytest.approx(0.38297, abs=1e-5)
    assert stats.options == {"A": 0.5, "B": 0.3, "C": 0.1, "D": 0.0}
    assert stats.blank == 0.1
    assert stats.flags == ()
    assert stats.public()["point_biserial"] == 0.383


def test_an_item_the_strong_get_wrong_is_flagged_negative() -> None:
    flipped = [Response(r.item, r.version, r.chosen, not r.correct, r.total) for r in RESPONSES]
    stats = item_stats(flipped, ["A", "B"])
    assert stats.upper_lower == pytest.approx(-1 / 3) and stats.point_biserial is not None
    assert stats.point_biserial < 0 and "negative_discrimination" in stats.flags


@pytest.mark.parametrize(("right", "flag"), [(10, "too_easy"), (1, "too_hard"), (0, "too_hard")])
def test_extreme_facility_is_flagged(right: int, flag: str) -> None:
    responses = [Response("q", 1, frozenset("A"), n < right, 50 + n) for n in range(10)]
    assert flag in item_stats(responses, ["A"]).flags


def test_undefined_discrimination_is_none() -> None:
    assert upper_lower(RESPONSES[:1]) is None
    assert point_biserial([Response("q", 1, frozenset(), True, 50)] * 3) is None
    assert point_biserial([Response("q", 1, frozenset(), n % 2 == 0, 50) for n in range(4)]) is None


def test_versions_are_analysed_apart() -> None:
    second = [Response("q1", 2, r.chosen, r.correct, r.total) for r in RESPONSES[:4]]
    result = analyse([*RESPONSES, *second], {("q1", 1): ["A"], ("q1", 2): ["A"]})
    assert [(s.item, s.version, s.n) for s in result] == [("q1", 1, 10), ("q1", 2, 4)]
