"""The paper lock under simultaneous uploads, against a real moto server behind `chalice local`.

During the exam a period without a paper may still get its first one, and
only one: two staff members uploading at the same moment must not both
succeed, or candidates would be scored against a paper that is not the one
they answered. The write's condition decides (storage/repository.py).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.concurrency.test_submit_once import call
from tests.support.exam_data import exam_today, paper_document
from tests.support.stack import Stack

pytestmark = [pytest.mark.server]

UPLOADERS = 8


def test_simultaneous_first_papers_during_the_exam_make_one_paper(stack: Stack) -> None:
    rt = stack.runtime()
    period = exam_today(rt)  # under way all day, and without a paper
    url = f"{stack.url}api/admin/periods/{period.id}/paper"

    start = threading.Barrier(UPLOADERS)
    replies: list[tuple[int, Any]] = [(0, None)] * UPLOADERS

    def upload(n: int) -> None:
        document = paper_document(title=f"试卷{n}")
        start.wait()
        replies[n] = call(url, "PUT", document, stack.staff_token)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(UPLOADERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

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
