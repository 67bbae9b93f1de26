"""Demo data for `make run`: a period examining today and one open for registration next.

Registration is refused on every exam date (the contract), so on the day of
the demo the QR page opens the exam; the second period opens for registration
on the next working day. Both get the paper template staff download
(`chalicelib/services/paper_template.json`, 50
questions on the rules of Beijing's human-resources market): today's as the
JSON upload, the next one's through the Excel workbook staff fill in (the
template with the same questions), so both upload paths are seeded. One demo
candidate is registered for today's exam so the exam can be tried at once.

The calendar shows both of its sources: 2026 is entered as staff enter a year,
from the State Council's notice pasted as published, while 2025 and earlier stay
the library's (and 2027, not yet published, stays unknown, so the console's
warning and the calendar page can be tried).
Only ever run against the local emulator.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from stdnum.cn import ric

from chalicelib import clock, runtime
from chalicelib.domain.errors import CalendarUnknown, Conflict
from chalicelib.domain.identity import Contact
from chalicelib.domain.registrations import CONSENT_VERSION
from chalicelib.services import calendar, papers, periods
from chalicelib.services.calendar import work_calendar

_DEMO_ID_BODY = "11010519880615012"
# A made-up person with a valid ID number (check character computed, not guessed).
DEMO_CANDIDATE = Contact(
    name="张明",
    id_number=_DEMO_ID_BODY + ric.calc_check_digit(_DEMO_ID_BODY + "0"),
    phone="13800138000",
    email="zhang.ming@example.com",
)


# 《国务院办公厅关于2026年部分节假日安排的通知》 as published (国办发明电〔2025〕7号).
DEMO_NOTICE_YEAR = 2026
DEMO_NOTICE = """国务院办公厅关于2026年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
"""


def demo_paper() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(papers.template())
    return document


def demo_workbook() -> bytes:
    """The demo paper as staff would type it into the downloaded Excel template."""
    import io

    from openpyxl import load_workbook

    from chalicelib.services.paper_workbook import template

    document = demo_paper()
    workbook = load_workbook(io.BytesIO(template()))
    sheet: Any = workbook["试卷"]
    sheet.delete_rows(2, sheet.max_row)
    for question in document["questions"]:
        options = [question["options"].get(letter) for letter in "ABCDEFGH"]
        kind = "多选" if question["type"] == "multiple" else "单选"
        answer = "".join(question["answer"])
        sheet.append([question["id"], kind, question["text"], *options, answer, question["points"]])
    settings: Any = workbook["设置"]
    settings["B1"] = document["title"]
    settings["B2"] = document.get("pass_mark", 60)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def seed() -> Iterator[str]:
    rt = runtime.current()
    if not rt.settings.is_emulated:
        raise SystemExit("seed-demo only runs against an emulator (AWS_ENDPOINT_URL)")
    today = clock.today()
    if calendar.calendar_year(rt, str(DEMO_NOTICE_YEAR))["source"] != "staff":
        entered = calendar.save_calendar_year(rt, str(DEMO_NOTICE_YEAR), {"notice": DEMO_NOTICE})
        yield (
            f"seeded   calendar {DEMO_NOTICE_YEAR} from the State Council's notice, as staff enter it"
            f" ({len(entered['holidays'])} holidays, {len(entered['workdays'])} workdays);"
            f" {DEMO_NOTICE_YEAR - 1} stays the library's"
        )
    existing = {p.exam_date for p in rt.repo.list_periods()}
    if today not in existing:
        exam = periods.create_period(
            rt,
            {
                "name": f"{today.year}年{today.month}月演示期次（今日考试）",
                "exam_date": today.isoformat(),
                "exam_start": "00:00",
                "exam_end": "23:59",
                "registration_opens": (today - dt.timedelta(days=20)).isoformat(),
                "registration_closes": (today - dt.timedelta(days=1)).isoformat(),
                "notes": "演示：开卷考试，请提前准备好课程资料；考试期间保持网络畅通。",
            },
        )
        yield f"seeded   period {exam.id}: exam today {exam.exam_date}"
    try:
        next_exam = work_calendar(rt).nth_working_day_after(today, 10)
        window: dict[str, str] = {}
    except CalendarUnknown:
        # The calendar does not know next year yet: give the window explicitly.
        next_exam = today + dt.timedelta(days=14)
        window = {
            "registration_opens": (today + dt.timedelta(days=1)).isoformat(),
            "registration_closes": (next_exam - dt.timedelta(days=1)).isoformat(),
        }
    if next_exam not in existing:
        upcoming = periods.create_period(
            rt,
            {
                "name": f"{next_exam.year}年{next_exam.month}月演示期次",
                "exam_date": next_exam.isoformat(),
                "exam_start": "09:00",
                "exam_end": "11:00",
                "notes": "开卷考试，共 50 题，60 分及格。请于考试当天扫描同一二维码进入考试。",
                **window,
            },
        )
        yield (
            f"seeded   period {upcoming.id}: registration {upcoming.registration_opens}"
            f" to {upcoming.registration_closes}, exam {upcoming.exam_date}"
        )
    for period in rt.repo.list_periods():
        if period.exam_date == today and not period.paper_key:
            stored = papers.upload_paper(rt, period.id, demo_paper())
            yield f"seeded   paper for {period.id} (JSON): {len(stored.paper.pool.questions)} questions"
        if period.exam_date == next_exam and not period.paper_key:
            stored = papers.upload_workbook(rt, period.id, demo_workbook())
            count = len(stored.paper.pool.questions)
            yield f"seeded   paper for {period.id} (Excel workbook): {count} questions"
        if period.exam_date == today:
            try:
                rt.repo.register(period, DEMO_CANDIDATE, clock.now(), CONSENT_VERSION)
                yield (
                    f"seeded   candidate {DEMO_CANDIDATE.name} for today's exam,"
                    f" ID number {DEMO_CANDIDATE.id_number}"
                )
            except Conflict:
                yield f"found    candidate {DEMO_CANDIDATE.name} for today's exam"
