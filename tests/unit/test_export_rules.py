"""The export's pure rules: rows, neutralisation, files, deadline."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.clock import BEIJING
from chalicelib.domain import export as rules
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.periods import Period
from tests.support.export_data import id_number

PERIOD = Period(
    id="20261218-abc",
    name="2026年12月考试",
    exam_date=dt.date(2026, 12, 18),
    exam_start=dt.time(9),
    exam_end=dt.time(11),
    registration_opens=dt.date(2026, 11, 20),
    registration_closes=dt.date(2026, 12, 17),
)


def passer(**changes: object) -> rules.Passer:
    values: dict[str, object] = {
        "name": "张三",
        "id_number": id_number(1),
        "phone": "13900000001",
        "email": "zhang@example.com",
        "score": 86,
        "submitted_at": dt.datetime(2026, 12, 18, 9, 41, 7, tzinfo=BEIJING),
    }
    values.update(changes)
    return rules.Passer(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+8613900000000", "'+8613900000000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("张=三", "张=三"),
        ("a-b@example.com", "a-b@example.com"),
        (" =1", "' =1"),
        ("\x01=HYPERLINK(C2)", "'=HYPERLINK(C2)"),
        ("＝1+1", "'＝1+1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠A1", "'＠A1"),
        ("\u200b=1", "'\u200b=1"),
        ("\u200f\u202e@x", "'\u200f\u202e@x"),
        ("\ufeff+1", "'\ufeff+1"),
        ("\u3000=1", "'\u3000=1"),
        ("\n=1", "'\n=1"),
        ("\x0b\x1f-1", "'-1"),
        ("张\x00三", "张三"),
        ("第一行\n第二行", "第一行\n第二行"),
        ("", ""),
    ],
)
def test_cells_that_start_a_formula_are_neutralised(text: str, expected: str) -> None:
    assert rules.neutralise(text) == expected


@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_keeps_its_content(text: str) -> None:
    result = rules.neutralise(text)
    cleaned = rules.clean_cell(text)
    assert result in (cleaned, "'" + cleaned)
    assert not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in result)
    visible = [ch for ch in result if not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"))]
    assert result.startswith("'") or not visible or visible[0] not in "=+-@＝＋－＠"


def test_row_has_the_contract_columns_in_order() -> None:
    submitted_utc = dt.datetime(2026, 12, 18, 1, 41, 7, tzinfo=dt.UTC)
    row = rules.row(PERIOD, passer(submitted_at=submitted_utc))
    assert rules.COLUMNS == ("期次", "姓名", "身份证号", "手机号", "邮箱", "成绩", "考试日期", "提交时间")
    assert row == (
        "2026年12月考试",
        "张三",
        id_number(1),
        "13900000001",
        "zhang@example.com",
        86,
        "2026-12-18",
        "2026-12-18 09:41:07",  # Beijing time, whatever zone the instant came in
    )


def test_row_neutralises_every_text_cell() -> None:
    period = Period(**{**PERIOD.__dict__, "name": "=期次"})
    row = rules.row(period, passer(name="=cmd|' /C calc'!A0", email="-x@example.com"))
    assert row[0] == "'=期次"
    assert row[1] == "'=cmd|' /C calc'!A0"
    assert row[4] == "'-x@example.com"


def test_exam_has_ended_only_after_the_grace_and_the_settling_time() -> None:
    end = PERIOD.exam_ends_at(BEIJING)
    last_moment = end + dt.timedelta(minutes=10) + rules.EXPORT_SETTLE
    assert not rules.exam_has_ended(PERIOD, end)
    assert not rules.exam_has_ended(PERIOD, last_moment)
    assert rules.exam_has_ended(PERIOD, last_moment + dt.timedelta(seconds=1))


def test_deadline_is_the_fifth_working_day_after_the_exam() -> None:
    calendar = WorkCalendar()
    assert rules.deadline(calendar, PERIOD) == dt.date(2026, 12, 25)  # Fri 18 -> Mon 21 .. Fri 25
    assert not rules.warning_due(calendar, PERIOD, dt.date(2026, 12, 23))
    assert rules.warning_due(calendar, PERIOD, dt.date(2026, 12, 24))


def test_deadline_skips_the_national_day_holiday() -> None:
    period = Period(**{**PERIOD.__dict__, "exam_date": dt.date(2026, 9, 29)})
    calendar = WorkCalendar()
    deadline = rules.deadline(calendar, period)
    assert deadline > dt.date(2026, 10, 7)
    assert calendar.working_days_between(period.exam_date, deadline) == 5


def test_deadline_follows_the_stage_overrides_for_a_year_the_library_lacks() -> None:
    calendar = WorkCalendar.from_overrides('{"2031": {"holidays": ["2031-01-02"], "workdays": []}}')
    period = Period(**{**PERIOD.__dict__, "exam_date": dt.date(2030, 12, 31)})
    # Wed 1 Jan .. : 2 is a holiday, 4-5 a weekend.
    assert rules.deadline(calendar, period) == dt.date(2031, 1, 8)


def test_display_width_counts_chinese_twice() -> None:
    assert rules.display_width("abc") == 3
    assert rules.display_width("张三") == 4


@pytest.mark.parametrize(
    ("size", "limit", "parts"),
    [
        (23_000_000, 10_485_760, 3),
        (10_485_761, 10_485_760, 2),
        (9_437_185, 10_485_760, 2),
        (47_185_921, 10_485_760, 6),
    ],
)
def test_parts_for_keeps_a_tenth_of_the_limit_spare(size: int, limit: int, parts: int) -> None:
    assert rules.parts_for(size, limit) == parts
    assert size / parts <= limit * 0.9


def test_domain_modules_import_no_aws_and_load_openpyxl_lazily() -> None:
    code = (
        "import sys, chalicelib.domain.export, chalicelib.domain.mails;"
        "bad = [m for m in ('boto3', 'botocore', 'pynamodb', 'chalice', 'openpyxl') if m in sys.modules];"
        "print(','.join(bad))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == ""


def test_the_warning_is_never_due_before_it_is_possible() -> None:
    calendar = WorkCalendar()
    for offset in range(12):
        today = PERIOD.exam_date + dt.timedelta(days=offset)
        if rules.warning_due(calendar, PERIOD, today):
            assert rules.warning_possible(PERIOD, today)
    assert not rules.warning_possible(PERIOD, PERIOD.exam_date + dt.timedelta(days=3))
