"""The paper lock under simultaneous uploads, against a real moto server behind `chalice local`.

During the exam a period without a paper may still get its first one, and
only one: two staff members uploading at the same moment must not both
succeed, or candidates would be scored against a paper that is not the one
they answered. The write's condition decides (storage/repository.py).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib import clock, runtime
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import Period
from chalicelib.services import papers
from tests.concurrency.test_submit_once import call
from tests.support.at_once import at_once
from tests.support.exam_data import exam_period, exam_today, paper_document
from tests.support.stack import Stack

pytestmark = [pytest.mark.server]

UPLOADERS = 8


def test_simultaneous_first_papers_during_the_exam_make_one_paper(stack: Stack) -> None:
    rt = stack.runtime()
    period = exam_today(rt)  # under way all day, and without a paper
    url = f"{stack.url}api/admin/periods/{period.id}/paper"

    def upload(n: int) -> Callable[[], tuple[int, Any]]:
        document = paper_document(title=f"试卷{n}")
        return lambda: call(url, "PUT", document, stack.staff_token)

    replies = at_once(UPLOADERS, upload)

    statuses = sorted(status for status, _ in replies)
    assert statuses == [200] + [409] * (UPLOADERS - 1), replies
    assert {reply["error"]["code"] for status, reply in replies if status == 409} == {"paper_locked"}

    # The period's paper is the one upload that was told it succeeded, and it stays.
    status, preview = call(f"{url}/preview", "GET", None, stack.staff_token)
    assert status == 200
    [winner] = [n for n, (status, _) in enumerate(replies) if status == 200]
    assert preview["paper"]["title"] == f"试卷{winner}"
    status, again = call(url, "PUT", paper_document(title="又一份"), stack.staff_token)
    assert status == 409 and again["error"]["code"] == "paper_locked"


# --- the moment the lock begins ------------------------------------------------------
#
# The lock begins `period_cache_seconds` before the exam, so that by its start every
# container has re-read the periods and agrees on the paper. An upload is judged when it
# starts, then spends a while storing the paper in S3; the lock may begin meanwhile. Here
# the S3 put is held until another container has filled its cache after the lock began:
# a candidate there answers the paper that container saw, so it must stay the period's.

EXAM_DAY = dt.date(2026, 12, 18)
EXAM_START = dt.time(10, 0)


def upload_straddling_the_lock(
    stack: Stack, travel: Any, monkeypatch: pytest.MonkeyPatch, first_paper: str | None
) -> tuple[list[str], str | None, str | None, Period]:
    """Upload 新试卷 judged one second before the lock, written one second after it, while
    another container fills its cache; `first_paper` (when given) is uploaded in between,
    as the exam's first paper. Returns (the slow upload's outcome, the key that container
    saw, the period's key in the end, the period)."""
    rt = stack.runtime()
    travel(clock.beijing(EXAM_DAY, dt.time(9, 0)))
    period = exam_period(rt, EXAM_DAY, start=EXAM_START, end=dt.time(11, 0), suffix="lock")
    if first_paper is None:
        papers.upload_paper(rt, period.id, paper_document(title="原试卷"))
    lock = clock.beijing(EXAM_DAY, EXAM_START) - dt.timedelta(seconds=rt.settings.period_cache_seconds)
    travel(lock - dt.timedelta(seconds=1))

    stored_in_s3, others_done = threading.Event(), threading.Event()
    store = papers.paper_store(rt)
    put = store.put

    def slow_put(*args: Any, **kwargs: Any) -> Any:
        stored = put(*args, **kwargs)
        stored_in_s3.set()
        others_done.wait(30)
        return stored

    monkeypatch.setattr(store, "put", slow_put)
    outcome: list[str] = []

    def replace() -> None:
        try:
            papers.upload_paper(rt, period.id, paper_document(title="新试卷"))
            outcome.append("stored")
        except DomainError as error:
            outcome.append(error.code)

    slow = threading.Thread(target=replace)
    slow.start()
    assert stored_in_s3.wait(30)
    travel(lock + dt.timedelta(seconds=1))
    other = runtime.build(rt.settings)  # another container, its caches empty
    if first_paper is not None:
        papers.upload_paper(other, period.id, paper_document(title=first_paper))
    seen = other.periods.get(period.id).paper_key
    others_done.set()
    slow.join(60)
    monkeypatch.undo()
    final = runtime.build(rt.settings).repo.list_periods()
    [stored] = [p for p in final if p.id == period.id]
    return outcome, seen, stored.paper_key, stored


def test_a_replacement_judged_before_the_lock_but_written_after_it_is_refused(
    stack: Stack, travel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome, seen, final, period = upload_straddling_the_lock(stack, travel, monkeypatch, None)
    assert outcome == ["paper_locked"]
    assert final == seen
    # At the exam's start, a container that read the periods after the lock shows the paper
    # every container shows: the one that was the period's when the lock began.
    travel(clock.beijing(EXAM_DAY, EXAM_START))
    fresh = runtime.build(stack.runtime().settings)
    assert papers.period_paper(fresh, fresh.periods.get(period.id)).title == "原试卷"


def test_an_upload_judged_before_the_lock_never_replaces_the_first_paper_given_after_it(
    stack: Stack, travel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No paper until the lock: the slow upload (judged when a replacement was still
    allowed) and a late first paper race; the late one, seen by the other container, stays."""
    outcome, seen, final, period = upload_straddling_the_lock(stack, travel, monkeypatch, "迟到的第一份")
    assert outcome == ["paper_locked"]
    assert seen is not None and final == seen
    fresh = runtime.build(stack.runtime().settings)
    assert papers.period_paper(fresh, fresh.periods.get(period.id)).title == "迟到的第一份"
