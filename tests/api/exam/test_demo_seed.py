"""`make run`'s seed: today's demo exam has the demo paper and a candidate who can enter it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import runtime
from chalicelib.services import exam
from ops import demo
from tests.conftest import beijing
from tests.support.stack import emulated_stage


@pytest.fixture
def emulator() -> Iterator[None]:
    """A moto server, as `make run` uses (the seed refuses to run anywhere else)."""
    with emulated_stage():
        yield


def test_the_seed_opens_todays_exam_to_the_demo_candidate(emulator: None, travel: Any) -> None:
    travel(beijing(2026, 12, 1, 10))
    lines = list(demo.seed())
    assert any(demo.DEMO_CANDIDATE.id_number in line for line in lines)
    rt = runtime.current()
    by_date = {period.exam_date: period for period in rt.repo.list_periods()}
    assert len(by_date) == 2 and all(period.paper_key for period in by_date.values())
    candidate = demo.DEMO_CANDIDATE
    session = exam.start_session(rt, {"id_number": candidate.id_number, "name": candidate.name}, "192.0.2.1")
    paper = exam.candidate_paper(rt, exam.authenticate(rt, session.token))
    assert len(paper["questions"]) == 50
    assert paper["title"] == demo.demo_paper()["title"]


def test_seeding_twice_changes_nothing(emulator: None, travel: Any) -> None:
    travel(beijing(2026, 12, 1, 10))
    list(demo.seed())
    again = list(demo.seed())
    assert [line for line in again if line.startswith("seeded")] == []


def test_the_seed_shows_a_year_entered_by_staff_one_from_the_library_and_a_paper_from_the_workbook(
    emulator: None, travel: Any
) -> None:
    from chalicelib.domain.calendar import WorkCalendar
    from chalicelib.services import calendar, papers

    travel(beijing(2026, 12, 1, 10))
    lines = list(demo.seed())
    rt = runtime.current()
    assert calendar.calendar_year(rt, "2026")["source"] == "staff"
    assert calendar.calendar_year(rt, "2025")["source"] == "library"
    # The notice as staff paste it gives the year exactly as the library had it.
    assert calendar.work_calendar(rt).year(2026)[1] == WorkCalendar().year(2026)[1]
    assert any("(Excel workbook): 50 questions" in line for line in lines)
    assert any("(JSON): 50 questions" in line for line in lines)
    upcoming = max(rt.repo.list_periods(), key=lambda period: period.exam_date)
    preview = papers.preview(rt, upcoming.id)
    assert preview["paper"]["title"] == demo.demo_paper()["title"]
    assert preview["answers"] == {q["id"]: sorted(q["answer"]) for q in demo.demo_paper()["questions"]}
