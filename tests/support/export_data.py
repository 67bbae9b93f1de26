"""Builders for the export's tests: valid people, periods and passers, written through the repository.

Passers are created the way the exam creates them (`register` then
`record_submission`), so the export reads exactly what production writes.
`bulk_passers` is the fast path for thousands of passers (benchmarks and
the call-count test): it writes the same registration items with
BatchWriteItem instead of two transactions each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from stdnum.cn import ric

from chalicelib import clock
from chalicelib.domain.identity import Contact
from chalicelib.domain.periods import Period
from chalicelib.domain.registrations import CONSENT_VERSION, ExamResult, Registration
from chalicelib.runtime import Runtime
from chalicelib.storage import keys
from chalicelib.storage.items import registration_item
from chalicelib.storage.models import RegistrationItem

PAPER_KEY = "papers/test/paper.json"
FIRST_BIRTH = dt.date(1970, 1, 1)


def id_number(seq: int, region: str = "110101") -> str:
    """A valid 18-character ID number, distinct for every `seq` (up to 1000 per birth date)."""
    birth = FIRST_BIRTH + dt.timedelta(days=seq // 1000)
    body = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    # calc_check_digit expects the whole number and ignores its last character.
    return body + ric.calc_check_digit(body + "0")


def id_number_ending_in_x(start: int = 0) -> tuple[int, str]:
    """The first `seq` from `start` whose ID number has the check character X."""
    seq = start
    while not id_number(seq).endswith("X"):
        seq += 1
    return seq, id_number(seq)


def contact(seq: int, name: str | None = None, email: str | None = None, phone: str | None = None) -> Contact:
    return Contact(
        name=name or f"测试{seq}",
        id_number=id_number(seq),
        phone=phone or f"139{seq:08d}",
        email=email or f"passer{seq}@example.com",
    )


def make_period(
    rt: Runtime,
    exam_date: dt.date,
    name: str = "2026年12月考试",
    start: str = "09:00",
    end: str = "11:00",
    period_id: str | None = None,
    notes: str = "开卷考试，请带好课程资料。",
) -> Period:
    """A period stored directly (past exam dates allowed, unlike the staff route)."""
    period = Period(
        id=period_id or f"{exam_date:%Y%m%d}-t{exam_date.toordinal() % 1000:03d}",
        name=name,
        exam_date=exam_date,
        exam_start=dt.time.fromisoformat(start),
        exam_end=dt.time.fromisoformat(end),
        registration_opens=exam_date - dt.timedelta(days=20),
        registration_closes=exam_date - dt.timedelta(days=1),
        notes=notes,
        paper_key=PAPER_KEY,
    )
    rt.repo.create_period(period, clock.beijing(exam_date - dt.timedelta(days=30), dt.time(9)))
    rt.periods.invalidate()
    return period


def register(rt: Runtime, period: Period, person: Contact) -> Registration:
    registered_at = clock.beijing(period.registration_opens, dt.time(10))
    return rt.repo.register(period, person, registered_at, CONSENT_VERSION)


def submitted_at(period: Period, offset_seconds: int) -> dt.datetime:
    return period.exam_starts_at(clock.BEIJING) + dt.timedelta(minutes=30, seconds=offset_seconds)


def add_result(
    rt: Runtime, period: Period, person: Contact, score: int = 80, offset_seconds: int = 0
) -> Registration:
    """Register `person` and record their submission with `score` (60 passes)."""
    registration = register(rt, period, person)
    result = ExamResult(
        score=score, pass_mark=60, passed=score >= 60, submitted_at=submitted_at(period, offset_seconds)
    )
    rt.repo.record_submission(period, registration, person, {}, result, paper_key=PAPER_KEY)
    return registration


def add_passers(rt: Runtime, period: Period, seqs: range | list[int], score: int = 80) -> list[Contact]:
    people = [contact(seq) for seq in seqs]
    for offset, person in enumerate(people):
        add_result(rt, period, person, score=score, offset_seconds=offset)
    return people


def bulk_passers(
    rt: Runtime, period: Period, count: int, first_seq: int = 0, answer_sheets: bool = False
) -> None:
    """`count` passers written as record_submission writes them, 25 per BatchWriteItem.

    With `answer_sheets` each carries 50 answers, as a real one does, so items
    have their real size on DynamoDB. moto serialises and projects nested maps
    very slowly, so tests that only need many passers leave them out: the
    export never reads the answers (its Query projects the columns it needs)."""
    answers: dict[str, list[str]] = {}
    if answer_sheets:
        answers = {f"s{n}": ["A"] for n in range(1, 36)} | {f"m{n}": ["A", "C"] for n in range(1, 16)}
    correct = [*answers]
    with RegistrationItem.batch_write() as batch:
        for item in _bulk_items(rt, period, count, first_seq, answers, correct):
            batch.save(item)


def _bulk_items(
    rt: Runtime,
    period: Period,
    count: int,
    first_seq: int,
    answers: dict[str, list[str]],
    correct: list[str],
) -> Iterator[RegistrationItem]:
    registered_at = clock.beijing(period.registration_opens, dt.time(10))
    for n in range(count):
        person = contact(first_seq + n)
        id_hash = rt.repo.id_hash(person.id_number)
        item = registration_item(period, person, id_hash, registered_at, CONSENT_VERSION)
        stamp = clock.iso(submitted_at(period, n % 5400))
        item.started_at = clock.iso(period.exam_starts_at(clock.BEIJING))
        item.answers = answers  # type: ignore[assignment]
        item.submitted_at = stamp
        item.score = 60 + n % 41
        item.pass_mark = 60
        item.passed = True
        item.correct = correct
        item.paper_key = PAPER_KEY
        item.gsi2pk = keys.passers_pk(period.id)
        item.gsi2sk = keys.passers_sk(keys.PASSER_PENDING, stamp, id_hash)
        yield item
