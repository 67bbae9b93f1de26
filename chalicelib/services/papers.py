"""Papers: staff upload a period's paper; the exam reads it through the container's cache.

A paper may be uploaded, and replaced, until shortly before the period's
exam starts. From then on the paper the period records is the one candidates
are answering and being scored against, so replacing it is refused (`409
paper_locked`): a replacement could drop or renumber questions already
answered. "Shortly before" is the periods cache's lifetime: every container
re-reads the periods at least that often, so by the start of the exam all of
them agree on which paper it is. The one exception is a period that reaches
its exam without any paper: staff may still upload the first one late, or
nobody could sit the exam at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib import clock
from chalicelib.domain.attempt_order import attempt_paper
from chalicelib.domain.blueprint import DrawnPaper, PaperSource, drawn_paper
from chalicelib.domain.errors import Conflict, NotFound, PaperLocked, PaperNotReady
from chalicelib.domain.paper_sheet import paper_from_sheets
from chalicelib.domain.papers import Paper, parse_paper
from chalicelib.domain.periods import Period
from chalicelib.runtime import Runtime
from chalicelib.storage.keys import is_drawn_paper_key
from chalicelib.storage.papers import PaperStore, StoredPaper

if TYPE_CHECKING:
    from chalicelib.storage.bank import BankStore

# The valid paper staff download to start from (the demo seed uses it too).
# The seed of the one draw staff see in the preview of a period drawing from the bank.
PREVIEW_SEED = "preview"
PAPER_TEMPLATE = Path(__file__).with_name("paper_template.json")


def paper_store(rt: Runtime) -> PaperStore:
    """The container's paper store (and cache), built on first use."""
    if rt.papers is None:
        rt.papers = PaperStore(rt.settings)
    return rt.papers


def period_source(rt: Runtime, period: Period) -> PaperSource:
    """The period's paper, fixed or drawn per attempt from the bank; cached per container,
    so 0 S3 calls when warm."""
    if not period.paper_key:
        raise PaperNotReady()
    return paper_store(rt).load(period.paper_key)


def draws_per_attempt(period: Period) -> bool:
    """Whether the period's paper is drawn per attempt from the bank (told by its key, no read)."""
    return bool(period.paper_key) and is_drawn_paper_key(period.paper_key or "")


def period_paper(rt: Runtime, period: Period) -> Paper:
    """Every question the period's candidates may be asked (a fixed paper: the paper)."""
    return period_source(rt, period).pool


def bank_store(rt: Runtime) -> BankStore:
    """The container's question bank store (and cache of its versions), built on first use."""
    from chalicelib.storage.bank import BankStore

    if rt.bank is None:
        rt.bank = BankStore(rt.settings)
    return rt.bank


def _fresh_period(rt: Runtime, period_id: str) -> Period:
    # Read, not cached: another container may have stored a paper moments ago,
    # and whether one exists decides whether it may be replaced.
    for period in rt.repo.list_periods():
        if period.id == period_id:
            return period
    raise NotFound("没有找到该期次。", code="period_not_found")


def upload_workbook(rt: Runtime, period_id: str, data: bytes) -> StoredPaper:
    """The paper from the Excel template: read to a paper document, then as a JSON upload."""
    from chalicelib.services.paper_workbook import read_sheets

    period = _fresh_period(rt, period_id)
    document = paper_from_sheets(read_sheets(data), default_title=period.name)
    return upload_paper(rt, period_id, document)


def preview(rt: Runtime, period_id: str) -> dict[str, Any]:
    """The paper as candidates will see it, and its answer key, for staff to check."""
    period = _fresh_period(rt, period_id)
    if not period.paper_key:
        raise NotFound("本期还没有上传试卷。", code="paper_not_found")
    source = paper_store(rt).load(period.paper_key)
    paper = source.pool
    shown = {
        "paper": paper.public(),
        "answers": {q.id: sorted(q.answer) for q in paper.questions},
        "questions": len(paper.questions),
        "total_points": source.total_points,
    }
    if isinstance(source, DrawnPaper):
        # Each attempt draws its own questions from these: staff check one such draw too.
        sample = attempt_paper(source.drawn(PREVIEW_SEED), PREVIEW_SEED)
        shown.update(blueprint=source.blueprint.document(), sample=sample.public())
    return shown


def upload_paper(rt: Runtime, period_id: str, document: Mapping[str, Any]) -> StoredPaper:
    """Validate a paper, store it in S3 under a new key and make it the period's paper."""
    period = _fresh_period(rt, period_id)
    return _store(rt, period, document, parse_paper(document))


def set_blueprint(rt: Runtime, period_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """Make the period draw each attempt's paper from the bank by `body`'s blueprint.

    Checked against the bank's current items; the period's paper is then a
    copy of the items the blueprint may draw (their current versions) with the
    blueprint, locked like an uploaded paper once the exam is near.
    """
    period = _fresh_period(rt, period_id)
    _, bank = bank_store(rt).current()
    drawn = drawn_paper(body, bank.items, default_title=period.name)
    stored = _store(rt, period, drawn.document(), drawn)
    return {**drawn.summary(), "key": stored.key}


def stored_blueprint(rt: Runtime, period_id: str) -> dict[str, Any]:
    """The blueprint the period draws by, as `set_blueprint` answered when it was stored;
    `404 blueprint_not_found` when the period has a fixed paper or none."""
    period = _fresh_period(rt, period_id)
    source: PaperSource | None = None
    if period.paper_key and draws_per_attempt(period):
        source = paper_store(rt).load(period.paper_key)
    if not isinstance(source, DrawnPaper):
        raise NotFound(
            "本期没有设置按知识点抽题的规则（使用固定试卷或还没有试卷）。可在「题库」页面设置。",
            code="blueprint_not_found",
        )
    return {**source.summary(), "key": period.paper_key}


def _store(rt: Runtime, period: Period, document: Mapping[str, Any], paper: PaperSource) -> StoredPaper:
    """Store the paper in S3, then make it the period's, judging the lock twice.

    Once before the S3 put (refuse early), and again just before the write: the put takes
    a while and the lock may begin meanwhile. The write itself holds only if the period
    is still as judged (same exam time, same paper or still none): a first paper given
    after the lock by someone else is never replaced by an upload judged before it."""
    if period.paper_key and _locked(rt, period, clock.now()):
        raise PaperLocked()
    stored = paper_store(rt).put(period.id, document, paper, clock.now())
    for _ in range(3):
        if period.paper_key and _locked(rt, period, clock.now()):
            raise PaperLocked()
        if rt.repo.set_period_paper(period, stored.key):
            rt.periods.invalidate()
            return stored
        period = _fresh_period(rt, period.id)  # changed meanwhile: judge it as it is now
    raise Conflict("试卷正被同时更新，请刷新页面确认当前试卷后再上传。", code="changed_meanwhile")


def _locked(rt: Runtime, period: Period, now: dt.datetime) -> bool:
    """From `period_cache_seconds` before the exam, the period's paper stays as it is."""
    settle = dt.timedelta(seconds=rt.settings.period_cache_seconds)
    return now >= period.exam_starts_at(clock.BEIJING) - settle


def template() -> str:
    """The paper template staff download, replace the questions of, and upload."""
    return PAPER_TEMPLATE.read_text(encoding="utf-8")
