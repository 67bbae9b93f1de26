"""Builders for exam tests: valid people, a valid paper, exam periods, answers worth a chosen score.

Registrations are written straight through the repository, so these tests
need no registration route and can register for a period whatever today is.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

from stdnum.cn import ric

from chalicelib import clock
from chalicelib.domain.identity import Contact
from chalicelib.domain.periods import Period
from chalicelib.domain.registrations import CONSENT_VERSION, Registration
from chalicelib.runtime import Runtime

SINGLE_KEY = ["B"]
MULTIPLE_KEY = ["A", "C"]


def id_number(n: int, birth: dt.date = dt.date(1990, 3, 7)) -> str:
    """A valid 18-character ID number, distinct for each n below 1000 (Beijing, Dongcheng)."""
    body = f"110101{birth:%Y%m%d}{n % 1000:03d}"
    # calc_check_digit wants the whole number and ignores its last character.
    return body + ric.calc_check_digit(body + "0")


def person(n: int) -> Contact:
    return Contact(
        name=f"测试考生{n}",
        id_number=id_number(n),
        phone=f"139{n:08d}",
        email=f"kaosheng{n}@example.com",
    )


def paper_document(title: str = "测试试卷", pass_mark: int = 60) -> dict[str, Any]:
    """A valid paper: s1..s35 (key B) and m1..m15 (key A+C), 2 points each."""
    options = {"A": "选项甲", "B": "选项乙", "C": "选项丙", "D": "选项丁"}
    questions: list[dict[str, Any]] = [
        {
            "id": f"s{i}",
            "type": "single",
            "text": f"单选题 {i}",
            "options": dict(options),
            "answer": list(SINGLE_KEY),
            "points": 2,
        }
        for i in range(1, 36)
    ]
    questions += [
        {
            "id": f"m{i}",
            "type": "multiple",
            "text": f"多选题 {i}",
            "options": dict(options),
            "answer": list(MULTIPLE_KEY),
            "points": 2,
        }
        for i in range(1, 16)
    ]
    return {"title": title, "pass_mark": pass_mark, "questions": questions}


def question_ids() -> list[str]:
    return [f"s{i}" for i in range(1, 36)] + [f"m{i}" for i in range(1, 16)]


def key_of(qid: str) -> list[str]:
    return list(SINGLE_KEY) if qid.startswith("s") else list(MULTIPLE_KEY)


def wrong_of(qid: str) -> list[str]:
    return ["D"] if qid.startswith("s") else ["A", "B"]


def answers_scoring(points: int) -> dict[str, list[str]]:
    """A full answer sheet of `paper_document()` worth exactly `points` (even, 0-100)."""
    assert points % 2 == 0 and 0 <= points <= 100
    right = points // 2
    return {qid: key_of(qid) if n < right else wrong_of(qid) for n, qid in enumerate(question_ids())}


def exam_period(
    rt: Runtime,
    day: dt.date,
    start: dt.time = dt.time(9, 0),
    end: dt.time = dt.time(11, 0),
    suffix: str = "t",
) -> Period:
    """A period examining on `day`, stored directly (registration closed the day before)."""
    period = Period(
        id=f"{day:%Y%m%d}-{suffix}",
        name=f"{day.year}年{day.month}月测试期次",
        exam_date=day,
        exam_start=start,
        exam_end=end,
        registration_opens=day - dt.timedelta(days=20),
        registration_closes=day - dt.timedelta(days=1),
        notes="开卷考试",
    )
    rt.repo.create_period(period, clock.now())
    rt.periods.invalidate()
    return period


def register(rt: Runtime, period: Period, contact: Contact) -> Registration:
    return rt.repo.register(period, contact, clock.now(), CONSENT_VERSION)


def wait_out_midnight() -> None:
    """Tests against `chalice local` use the real clock (a subprocess cannot share a
    moved one); in the last minutes of a day they wait for the next rather than
    start an exam that ends before the test does."""
    now = clock.now()
    if now.time() >= dt.time(23, 50):
        tomorrow = dt.datetime.combine(
            now.date() + dt.timedelta(days=1), dt.time(0, 0, 5), tzinfo=clock.BEIJING
        )
        time.sleep((tomorrow - now).total_seconds())


def exam_today(rt: Runtime, suffix: str = "today") -> Period:
    """A period examining today (real Beijing time) all day long."""
    wait_out_midnight()
    return exam_period(rt, clock.today(), start=dt.time(0, 0), end=dt.time(23, 59), suffix=suffix)


def exam_today_body(name: str) -> dict[str, Any]:
    """The staff's `POST /api/admin/periods` body for a period examining today (real
    Beijing time) all day, its registration closed since yesterday: what a test
    against `chalice local` creates through the API."""
    wait_out_midnight()
    today = clock.today()
    return {
        "name": name,
        "exam_date": today.isoformat(),
        "exam_start": "00:00",
        "exam_end": "23:59",
        "notes": "开卷考试",
        "registration_opens": (today - dt.timedelta(days=20)).isoformat(),
        "registration_closes": (today - dt.timedelta(days=1)).isoformat(),
    }


def walk(node: Any) -> Iterator[Any]:
    """Every dict key and every value of a JSON document, recursively."""
    yield node
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)
