"""A rehearsal before exam day: seed a period and synthetic candidates, then clean them away.

`make loadtest` seeds its own emulated stack with this; on a deployed stage
the operator runs `python -m chalicelib.cli rehearsal seed ...` against a
stage that no candidate uses that day (registration is refused on every
exam date, so an exam rehearsal on the live stage would close registration
for everyone). Synthetic candidates have valid ID numbers from one made-up
district and birth date, phones from 199 and mail at example.com (RFC 2606:
nobody receives it), and are listed in a CSV (id_number,name) that
the Locust scenario reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

from stdnum.cn import ric

from chalicelib import clock
from chalicelib.domain.errors import Conflict
from chalicelib.domain.identity import Contact
from chalicelib.domain.periods import Period
from chalicelib.domain.registrations import CONSENT_VERSION
from chalicelib.runtime import Runtime
from chalicelib.services import papers, periods

REHEARSAL_NAME = "考前演练（请勿报名）"
# A made-up district of Beijing and birth date; the sequence number makes each ID unique.
_ID_PREFIX = "110105199001"
LIVE_STAGES = frozenset({"prod", "cn-prod"})


def rehearsal_person(seq: int) -> Contact:
    """The seq-th synthetic candidate (0 <= seq < 27,000), always the same one."""
    day, number = divmod(seq, 900)
    body = f"{_ID_PREFIX}{day % 28 + 1:02d}{number + 100:03d}"
    return Contact(
        name=f"演练考生{seq:05d}",
        id_number=body + ric.calc_check_digit(body + "0"),
        phone=f"199{seq:08d}",
        email=f"rehearsal-{seq:05d}@example.com",
    )


def refuse_live(rt: Runtime, allow_live: bool) -> None:
    if rt.settings.stage in LIVE_STAGES and not allow_live:
        raise SystemExit(
            f"stage {rt.settings.stage} is live: a rehearsal period would change what candidates see today. "
            "Rehearse on dev (or pass --allow-live on a day without candidates)"
        )


def exam_period(rt: Runtime, minutes: int) -> tuple[Period, list[str]]:
    """Today's period, or a rehearsal period examining from now for `minutes`; with its paper."""
    now = clock.now()
    today = now.date()
    lines = []
    found = next((p for p in rt.repo.list_periods() if p.exam_date == today), None)
    if found is None:
        start = (now - dt.timedelta(minutes=5)).replace(second=0, microsecond=0)
        end = min(now + dt.timedelta(minutes=minutes), now.replace(hour=23, minute=59))
        found = periods.create_period(
            rt,
            {
                "name": REHEARSAL_NAME,
                "exam_date": today.isoformat(),
                "exam_start": max(start, now.replace(hour=0, minute=0)).strftime("%H:%M"),
                "exam_end": end.strftime("%H:%M"),
                "registration_opens": (today - dt.timedelta(days=20)).isoformat(),
                "registration_closes": (today - dt.timedelta(days=1)).isoformat(),
                "notes": "考前演练，仅用于测试系统容量。",
            },
        )
        lines.append(f"seeded   rehearsal period {found.id}: exam today {found.exam_start}–{found.exam_end}")
    else:
        lines.append(f"found    period {found.id} examining today ({found.name})")
    if not found.paper_key:
        papers.upload_paper(rt, found.id, json.loads(papers.template()))
        lines.append(f"seeded   paper for {found.id}")
    return found, lines


def seed_exam(rt: Runtime, candidates: int, people_file: Path, minutes: int = 60) -> Iterator[str]:
    """Register `candidates` synthetic people for today's exam and list them in `people_file`."""
    period, lines = exam_period(rt, minutes)
    yield from lines
    registered = 0
    at = clock.now()
    for seq in range(candidates):
        try:
            rt.repo.register(period, rehearsal_person(seq), at, CONSENT_VERSION)
            registered += 1
        except Conflict:
            pass  # seeded by an earlier run
    people_file.parent.mkdir(parents=True, exist_ok=True)
    with people_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id_number", "name", "phone", "email"])
        for seq in range(candidates):
            person = rehearsal_person(seq)
            writer.writerow([person.id_number, person.name, person.phone, person.email])
    yield f"seeded   {registered} new rehearsal candidates ({candidates} listed in {people_file})"


def registration_period(rt: Runtime) -> Iterator[str]:
    """A rehearsal period open for registration today (and no exam today, or registration is refused)."""
    today = clock.today()
    if any(p.exam_date == today for p in rt.repo.list_periods()):
        raise SystemExit(
            "today is an exam date on this stage: registration is refused all day, rehearse another day"
        )
    if any(p.registration_opens <= today <= p.registration_closes for p in rt.repo.list_periods()):
        yield "found    a period open for registration today"
        return
    exam_date = today + dt.timedelta(days=21)
    period = periods.create_period(
        rt,
        {
            "name": REHEARSAL_NAME,
            "exam_date": exam_date.isoformat(),
            "exam_start": "09:00",
            "exam_end": "11:00",
            "registration_opens": today.isoformat(),
            "registration_closes": (exam_date - dt.timedelta(days=1)).isoformat(),
            "notes": "考前演练，仅用于测试系统容量。",
        },
    )
    yield f"seeded   rehearsal period {period.id}: registration open today, exam {period.exam_date}"


def clean(rt: Runtime, candidates: int) -> Iterator[str]:
    """Delete the synthetic candidates (every item of theirs) and the rehearsal periods left empty."""
    removed = 0
    for seq in range(candidates):
        deleted = rt.retention_store().delete_person(rt.repo.id_hash(rehearsal_person(seq).id_number))
        removed += 1 if deleted.total else 0
    yield f"deleted  {removed} rehearsal candidates"
    for period in rt.repo.list_periods():
        if period.name == REHEARSAL_NAME:
            periods.delete_period(rt, period.id)
            yield f"deleted  rehearsal period {period.id}"
