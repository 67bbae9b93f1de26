"""Staff views of a period: its registrations page by page, its exam statistics and item analysis.

All read the period's registrations through the `by_period` index (a
Query, never a Scan of the whole table), so their cost follows the size of
the period, not of the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from chalicelib import clock
from chalicelib.domain.bank import BankItem
from chalicelib.domain.blueprint import DrawnPaper
from chalicelib.domain.errors import Invalid
from chalicelib.domain.item_analysis import ItemStats, Response, analyse
from chalicelib.domain.papers import Question
from chalicelib.domain.periods import Period
from chalicelib.domain.stats import PeriodStats, QuestionLabel, period_stats
from chalicelib.runtime import Runtime
from chalicelib.services.papers import draws_per_attempt, period_paper, period_source

PAGE_MAX = 100


def _page_size(raw: str | None) -> int:
    if raw is None or raw == "":
        return PAGE_MAX
    # isdigit() alone lets "²" and other non-ASCII digits through to int(), which refuses them.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not 1 <= int(raw) <= PAGE_MAX:
        raise Invalid("limit", f"每页条数 limit 应为 1 到 {PAGE_MAX} 的整数。")
    return int(raw)


def registrations_page(
    rt: Runtime, period_id: str, cursor: str | None, limit: str | None = None, full: bool = True
) -> dict[str, Any]:
    """One page of a period's registrations, with full details or masked (staff only)."""
    period = rt.periods.get(period_id)
    page = rt.repo.period_registrations(period.id, cursor or None, limit=_page_size(limit))
    now = clock.now()
    return {
        "registrations": [registration.staff_view(period, now, full=full) for registration in page.items],
        "cursor": page.cursor,
    }


def stats(rt: Runtime, period_id: str) -> PeriodStats:
    """Counts, pass rate and each question's correct rate over the submitted attempts."""
    period = rt.periods.get(period_id)
    questions = period_paper(rt, period).questions if period.paper_key else ()
    counted = period_stats(rt.repo.iter_period_registrations(period.id), [q.id for q in questions])
    # Staff read a rate beside its question: "s17: 23%" alone would send them to the file.
    return replace(counted, labels={q.id: QuestionLabel(q.type, q.text) for q in questions})


@dataclass(frozen=True)
class Answered:
    """One scored attempt's answer to one question it was given."""

    period_id: str
    question: Question
    # The bank item (and its version) the question is, when the period draws from the bank.
    item: BankItem | None
    response: Response


def answered(rt: Runtime, period: Period) -> Iterator[Answered]:
    """Every scored attempt's answer to each of its own questions: a fixed paper's fifty, or
    those the attempt's seed draws from the period's pool (one Query of the period)."""
    from chalicelib.services.exam import attempt_seed

    if not period.paper_key:
        return
    source = period_source(rt, period)
    for registration in rt.repo.iter_period_registrations(period.id):
        result = registration.result
        if result is None:
            continue
        right = set(result.correct)
        for question in source.drawn(attempt_seed(rt, period, registration)).questions:
            item: BankItem | None = None
            if isinstance(source, DrawnPaper):
                item = source.item(question.id)
                assert item is not None, "a drawn question is one of the pool's items"
            chosen = frozenset(registration.answers.get(question.id, ()))
            version = item.version if item is not None else 0  # a fixed paper's question has one
            response = Response(question.id, version, chosen, question.id in right, result.score)
            yield Answered(period.id, question, item, response)


def analysis(rt: Runtime, period_id: str) -> dict[str, Any]:
    """Item analysis of one period, fixed paper or drawn: per question (per bank item version
    when drawn), over the period's scored attempts, in the paper's (the pool's) order."""
    period = rt.periods.get(period_id)
    responses: list[Response] = []
    given: dict[str, Answered] = {}
    for one in answered(rt, period):
        responses.append(one.response)
        given.setdefault(one.question.id, one)
    order = {q.id: index for index, q in enumerate(period_paper(rt, period).questions)} if given else {}
    option_keys = {
        (one.response.item, one.response.version): [k for k, _ in one.question.options]
        for one in given.values()
    }
    stats = sorted(analyse(responses, option_keys), key=lambda s: order[s.item])
    return {
        "period_id": period.id,
        "drawn": draws_per_attempt(period),
        "questions": [_question_stats(given[s.item], s) for s in stats],
    }


def _question_stats(one: Answered, stats: ItemStats) -> dict[str, Any]:
    shown = stats.public()
    del shown["item"], shown["version"]
    label: dict[str, Any] = {
        "id": one.question.id,
        "type": one.question.type,
        "text": one.question.text,
        "option_keys": [k for k, _ in one.question.options],
    }
    if one.item is not None:
        label.update(version=one.item.version, topic=one.item.topic)
    return {**label, **shown}
