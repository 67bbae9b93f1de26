"""Item analysis of the question bank: how each item (each version) did across periods.

The correct rate alone cannot tell a hard question from a broken one. For
each item version this computes, over every scored attempt that was given it:

- facility: the share answering it right;
- discrimination, two ways: upper-lower (the facility among the 27 % of those
  attempts with the highest scores minus that among the 27 % with the lowest)
  and the point-biserial correlation between answering it right and the
  attempt's score (the score includes the item itself);
- the share choosing each option (for a multiple-choice item an attempt may
  choose several), and the share leaving it blank: a distractor nobody picks,
  or one the strong candidates pick, shows here.

Items are flagged when discrimination is negative (strong candidates get it
wrong more often than weak ones: often a wrong key) or facility is extreme.
Pure: the service gathers the responses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GROUP_SHARE = 0.27
TOO_EASY = 0.9
TOO_HARD = 0.2


@dataclass(frozen=True)
class Response:
    """One attempt's answer to one item version."""

    item: str
    version: int
    chosen: frozenset[str]
    correct: bool
    total: int


@dataclass(frozen=True)
class ItemStats:
    item: str
    version: int
    n: int
    facility: float
    upper_lower: float | None
    point_biserial: float | None
    options: dict[str, float]
    blank: float
    flags: tuple[str, ...]

    def public(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return {
            "item": self.item,
            "version": self.version,
            "n": self.n,
            "facility": rounded(self.facility),
            "upper_lower": rounded(self.upper_lower),
            "point_biserial": rounded(self.point_biserial),
            "options": {key: round(share, 3) for key, share in self.options.items()},
            "blank": round(self.blank, 3),
            "flags": list(self.flags),
        }


def upper_lower(responses: Sequence[Response]) -> float | None:
    """Facility of the top 27 % by score minus that of the bottom 27 % (at least one each);
    None with fewer than two attempts. Ties keep the responses' order."""
    n = len(responses)
    if n < 2:
        return None
    group = max(1, round(GROUP_SHARE * n))
    ranked = sorted(responses, key=lambda r: r.total, reverse=True)
    upper, lower = ranked[:group], ranked[-group:]
    return sum(r.correct for r in upper) / group - sum(r.correct for r in lower) / group


def point_biserial(responses: Sequence[Response]) -> float | None:
    """(M1 - M0) / s * sqrt(p q) with s the population standard deviation of the scores;
    None when everyone answered alike or every score is the same."""
    n = len(responses)
    right = [r.total for r in responses if r.correct]
    wrong = [r.total for r in responses if not r.correct]
    if not right or not wrong:
        return None
    mean = sum(r.total for r in responses) / n
    spread = math.sqrt(sum((r.total - mean) ** 2 for r in responses) / n)
    if spread == 0:
        return None
    p = len(right) / n
    return (sum(right) / len(right) - sum(wrong) / len(wrong)) / spread * math.sqrt(p * (1 - p))


def item_stats(responses: Sequence[Response], option_keys: Sequence[str]) -> ItemStats:
    """The statistics of one item version from its responses (at least one)."""
    n = len(responses)
    facility = sum(r.correct for r in responses) / n
    ul = upper_lower(responses)
    rpb = point_biserial(responses)
    flags = []
    if (ul is not None and ul < 0) or (rpb is not None and rpb < 0):
        flags.append("negative_discrimination")
    if facility > TOO_EASY:
        flags.append("too_easy")
    if facility < TOO_HARD:
        flags.append("too_hard")
    return ItemStats(
        item=responses[0].item,
        version=responses[0].version,
        n=n,
        facility=facility,
        upper_lower=ul,
        point_biserial=rpb,
        options={key: sum(key in r.chosen for r in responses) / n for key in option_keys},
        blank=sum(not r.chosen for r in responses) / n,
        flags=tuple(flags),
    )


def analyse(
    responses: Iterable[Response], option_keys: Mapping[tuple[str, int], Sequence[str]]
) -> list[ItemStats]:
    """Statistics per item version, in the order versions first appear in `responses`."""
    groups: dict[tuple[str, int], list[Response]] = {}
    for response in responses:
        groups.setdefault((response.item, response.version), []).append(response)
    return [item_stats(group, option_keys.get(key, ())) for key, group in groups.items()]
