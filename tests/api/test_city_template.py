"""The city's import template on moto: staff upload it, map its columns, and the export e-mail
carries the passers in exactly that layout, split at `CITY_TEMPLATE_MAX_ROWS` rows a file."""

from __future__ import annotations

import datetime as dt
import io
import re
from copy import copy
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from stdnum.cn import ric

from chalicelib import runtime
from chalicelib.domain.export import COLUMNS
from chalicelib.domain.staff import Role
from chalicelib.runtime import Runtime
from chalicelib.services import export, mail
from chalicelib.storage import aws
from chalicelib.storage.mail import Mailer
from tests.api.conftest import body
from tests.conftest import beijing
from tests.support import mailbox
from tests.support.export_data import (
    add_passers,
    add_result,
    bulk_passers,
    contact,
    id_number_ending_in_x,
    make_period,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROUTE = "/api/admin/city-template"
EXAM_DAY = dt.date(2026, 12, 18)
EVENING = beijing(2026, 12, 18, 19)
SHEET = "培训合格人员"
TITLE = "北京市人力资源市场从业人员培训合格人员信息导入表"
# The city's header: our fields in another order, derived ones, and columns of its own.
HEADER = ["序号", "身份证号码", "姓名", "性别", "出生日期", "联系电话", "培训机构", "考试成绩", "备注"]
AGENCY = "北京市人力资源服务行业协会"
MAPPING = [
    {"column": "A", "field": "row_number"},
    {"column": "B", "field": "id_number"},
    {"column": "C", "field": "name"},
    {"column": "D", "field": "sex"},
    {"column": "E", "field": "birth_date"},
    {"column": "F", "field": "phone"},
    {"column": "G", "field": "fixed", "text": AGENCY},
    {"column": "H", "field": "score"},
    {"column": "I", "field": "empty"},
]


def city_template() -> bytes:
    """A blank template as the city gives it: a merged title row, a styled header, a hidden
    sheet of values behind a list validation, and column widths of its own."""
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = SHEET
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(HEADER)
    for cell in sheet[2]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="305496")
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["G"].width = 30
    values: Any = workbook.create_sheet("字典")
    values.append(["男"])
    values.append(["女"])
    values.sheet_state = "hidden"
    choose = DataValidation(type="list", formula1="字典!$A$1:$A$2")
    sheet.add_data_validation(choose)
    choose.add("D3:D1000")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(api: Any, data: bytes, **kwargs: Any) -> Any:
    return api.staff("PUT", ROUTE, raw=data, headers={"Content-Type": XLSX}, **kwargs)


@pytest.fixture
def city_rt(api: Any, monkeypatch: pytest.MonkeyPatch, travel: Any) -> Runtime:
    """The runtime with at most 2 rows a template file, its SES sender verified."""
    monkeypatch.setenv("CITY_TEMPLATE_MAX_ROWS", "2")
    travel(beijing(2026, 12, 18, 12))
    current = runtime.current()
    aws.client("ses", current.settings.ses_region).verify_email_identity(
        EmailAddress=current.settings.ses_sender
    )
    return current


def city_files(message: Any) -> list[tuple[str, Any]]:
    """The e-mail's template files, in order, opened."""
    found = sorted(
        (name, data)
        for name, data in mailbox.attachments(message).items()
        if re.search(r"-city(-\d+of\d+)?\.xlsx$", name)
    )
    return [(name, load_workbook(io.BytesIO(data))) for name, data in found]


def assert_same_header(produced: Any, template: Any, header_rows: int) -> None:
    """The golden comparison: the header rows cell by cell (value, font, fill, number format),
    merged ranges, column widths, the sheets and their order."""
    assert produced.sheetnames == template.sheetnames
    ours, theirs = produced[SHEET], template[SHEET]
    for row in range(1, header_rows + 1):
        for column in range(1, theirs.max_column + 1):
            mine, given = ours.cell(row, column), theirs.cell(row, column)
            assert mine.value == given.value, (row, column)
            # Cells hand out style proxies; their copies compare by value.
            for style in ("font", "fill", "alignment", "border", "protection"):
                assert copy(getattr(mine, style)) == copy(getattr(given, style)), (row, column, style)
            assert mine.number_format == given.number_format
    assert {str(r) for r in ours.merged_cells.ranges} == {str(r) for r in theirs.merged_cells.ranges}
    for letter in "ABCDEFGHI":
        assert ours.column_dimensions[letter].width == theirs.column_dimensions[letter].width
    assert [v.sqref for v in ours.data_validations.dataValidation] == [
        v.sqref for v in theirs.data_validations.dataValidation
    ]
    assert produced["字典"].sheet_state == "hidden"


def test_staff_upload_and_map_a_template_and_the_export_carries_exactly_its_layout_split_at_n(
    api, city_rt, travel
):
    rt = city_rt
    period = make_period(rt, EXAM_DAY)
    x_seq, x_number = id_number_ending_in_x(100)
    people = add_passers(rt, period, range(4))
    # Stored upper-case as every ID number is; the file must show the X upper-case too.
    tricky = contact(x_seq, name="=SUM(1)")
    add_result(rt, period, tricky, score=61, offset_seconds=10)
    add_result(rt, period, contact(60), score=59, offset_seconds=11)  # failed: not exported
    passers = [*people, tricky]
    template = city_template()

    # Before any upload: no template, the fields to choose from.
    before = body(api.staff("GET", ROUTE))
    assert before["template"] is None and before["max_rows"] == 2
    assert {"field": "sex", "label": "性别（由身份证号得出）"} in before["fields"]

    response = upload(api, template)
    assert response.status_code == 200, response.body
    shown = body(response)["template"]
    assert shown["sheet"] == SHEET and shown["header_row"] == 2 and shown["default_header_row"] == 2
    assert shown["rows"] == [[TITLE] * len(HEADER), HEADER]
    assert [c["label"] for c in shown["columns"]] == HEADER
    assert [c["suggested"] for c in shown["columns"]] == [
        "row_number",
        "id_number",
        "name",
        "sex",
        "birth_date",
        "phone",
        None,
        "score",
        None,
    ]
    assert shown["mapping"] is None and shown["ready"] is False

    # An unknown field is refused in the contract's shape, in Chinese, naming the entry.
    wrong = [*MAPPING[:2], {"column": "C", "field": "nickname"}, *MAPPING[3:]]
    refused = api.staff("PUT", ROUTE + "/mapping", {"columns": wrong})
    assert refused.status_code == 422
    error = body(refused)["error"]
    assert error["code"] == "city_template_invalid" and error["field"] == "columns[2].field"
    assert "「C」列（姓名）" in error["message"] and "nickname" in error["message"]
    missing = api.staff("PUT", ROUTE + "/mapping", {"columns": MAPPING[:-1]})
    assert (
        body(missing)["error"]["field"] == "columns"
        and "「I」列（备注）" in body(missing)["error"]["message"]
    )

    saved = api.staff("PUT", ROUTE + "/mapping", {"template_key": shown["key"], "columns": MAPPING})
    assert saved.status_code == 200
    assert body(saved)["template"]["ready"] is True
    assert body(api.staff("GET", ROUTE))["template"]["mapping"]["columns"] == MAPPING

    travel(EVENING)
    summary = export.export_passers(rt)

    assert summary.exported[0].count == 5
    [message] = mailbox.raw_emails(rt.settings.ses_region)
    names = list(mailbox.attachments(message))
    # Today's CSV and Excel, unchanged, then the template files.
    assert mailbox.csv_rows(mailbox.attachment(message, "csv")[1])[0] == list(COLUMNS)
    assert len(names) == 2 + 3
    files = city_files(message)
    assert [name.rsplit("-", 1)[1] for name, _ in files] == ["1of3.xlsx", "2of3.xlsx", "3of3.xlsx"]
    assert "市系统导入文件" in mailbox.body_text(message) and files[0][0] in mailbox.body_text(message)

    original = load_workbook(io.BytesIO(template))
    rows: list[list[Any]] = []
    for _, workbook in files:
        assert_same_header(workbook, original, header_rows=2)
        sheet = workbook[SHEET]
        data = [list(row) for row in sheet.iter_rows(min_row=3, max_col=len(HEADER))]
        assert 1 <= len(data) <= 2
        assert [row[0].value for row in data] == list(range(1, len(data) + 1))  # 序号 per file
        for row in data:
            for text_cell in (row[1], row[5]):
                assert text_cell.data_type == "s" and text_cell.number_format == "@"
            assert all(cell.data_type != "f" for cell in row)
        rows += [[cell.value for cell in row] for row in data]
    expected = []
    for person in passers:
        birth = ric.get_birth_date(person.id_number).isoformat()
        sex = "男" if int(person.id_number[16]) % 2 else "女"
        name = "'" + person.name if person.name.startswith("=") else person.name
        score = 61 if person is tricky else 80
        expected.append([person.id_number, name, sex, birth, person.phone, AGENCY, score, None])
    assert [row[1:] for row in rows] == expected
    assert rows[-1][1] == x_number and x_number.endswith("X")

    # Both staff writes are in the audit trail, with the template and the mapping by column.
    events = body(api.staff("GET", "/api/admin/audit?since=2026-12-18"))["events"]
    actions = {event["action"]: event for event in events}
    assert actions[f"PUT {ROUTE}"]["record"]["template"] == shown["key"]
    assert actions[f"PUT {ROUTE}/mapping"]["record"]["mapping"].startswith("A=row_number,B=id_number,C=name")


def test_each_part_of_a_split_export_carries_its_own_rows_in_the_template(api, swap, monkeypatch, travel):
    monkeypatch.setenv("CITY_TEMPLATE_MAX_ROWS", "50")
    travel(beijing(2026, 12, 18, 12))
    rt = runtime.current()
    aws.client("ses", rt.settings.ses_region).verify_email_identity(EmailAddress=rt.settings.ses_sender)
    period = make_period(rt, EXAM_DAY)
    bulk_passers(rt, period, 300)
    upload(api, city_template())
    api.staff("PUT", ROUTE + "/mapping", {"columns": MAPPING})
    travel(EVENING)
    limit = 70_000  # the whole e-mail, template files included, is about twice that
    rt = swap(
        mailer=Mailer(rt.settings.ses_sender, rt.settings.ses_region, smtp=mail.smtp(rt), raw_limit=limit)
    )

    summary = export.export_passers(rt)

    assert summary.exported[0].count == 300
    messages = mailbox.raw_emails(rt.settings.ses_region)
    assert len(messages) >= 2
    ids: list[str] = []
    csv_ids: list[str] = []
    for message in messages:
        assert len(message.as_bytes()) <= limit
        _, *rows = mailbox.csv_rows(mailbox.attachment(message, "csv")[1])
        csv_ids += [row[2] for row in rows]
        files = city_files(message)
        assert len(files) == -(-len(rows) // 50)
        for _, workbook in files:
            data = [row[1].value for row in workbook[SHEET].iter_rows(min_row=3, max_col=len(HEADER))]
            assert len(data) <= 50
            ids += data
    # Every passer once, in the order of the CSVs, across the parts' template files.
    assert ids == csv_ids and len(ids) == 300


def test_without_a_template_or_after_removing_it_the_export_attaches_only_csv_and_excel(api, rt, travel):
    period = make_period(rt, EXAM_DAY)
    add_passers(rt, period, range(2))
    upload(api, city_template())  # uploaded but never mapped: not used
    travel(EVENING)
    export.export_passers(rt)
    [message] = mailbox.raw_emails(rt.settings.ses_region)
    assert sorted(name.rsplit(".", 1)[1] for name in mailbox.attachments(message)) == ["csv", "xlsx"]
    assert "市系统" not in mailbox.body_text(message).replace("北京市人力资源市场管理信息系统", "")

    api.staff("PUT", ROUTE + "/mapping", {"columns": MAPPING})
    assert api.staff("DELETE", ROUTE).status_code == 204
    assert body(api.staff("GET", ROUTE))["template"] is None
    assert api.staff("DELETE", ROUTE).status_code == 404
    refused = api.staff("PUT", ROUTE + "/mapping", {"columns": MAPPING})
    assert refused.status_code == 404 and body(refused)["error"]["code"] == "city_template_not_found"
    add_passers(rt, period, range(2, 3))
    export.export_period(rt, period.id)
    last = mailbox.raw_emails(rt.settings.ses_region)[-1]
    assert len(mailbox.attachments(last)) == 2


def test_a_new_upload_clears_the_mapping_and_a_mapping_for_the_old_template_is_refused(api, rt):
    first = body(upload(api, city_template()))["template"]
    api.staff("PUT", ROUTE + "/mapping", {"columns": MAPPING})
    workbook = load_workbook(io.BytesIO(city_template()))
    workbook[SHEET]["I2"] = "备注（选填）"
    out = io.BytesIO()
    workbook.save(out)
    second = body(upload(api, out.getvalue()))["template"]
    assert second["key"] != first["key"] and second["mapping"] is None
    stale = api.staff("PUT", ROUTE + "/mapping", {"template_key": first["key"], "columns": MAPPING})
    assert stale.status_code == 409 and body(stale)["error"]["code"] == "city_template_changed"


def test_another_header_row_is_a_setting_and_rows_below_it_are_cleared(api, rt, travel):
    workbook = load_workbook(io.BytesIO(city_template()))
    workbook[SHEET].append(
        ["1", "110101199003076634", "示例", "男", "1990-03-07", "13900000000", "示例机构", 90, ""]
    )
    out = io.BytesIO()
    workbook.save(out)
    shown = body(upload(api, out.getvalue()))["template"]
    assert shown["default_header_row"] == 3  # the example row is the last with text
    at_two = body(api.staff("GET", ROUTE + "?header_row=2"))["template"]
    assert [c["label"] for c in at_two["columns"]] == HEADER
    bad = api.staff("GET", ROUTE + "?header_row=9")
    assert bad.status_code == 422 and body(bad)["error"]["field"] == "header_row"
    assert api.staff("PUT", ROUTE + "/mapping", {"header_row": 2, "columns": MAPPING}).status_code == 200

    period = make_period(rt, EXAM_DAY)
    [person] = add_passers(rt, period, range(1))
    travel(EVENING)
    export.export_passers(rt)
    [message] = mailbox.raw_emails(rt.settings.ses_region)
    [(_, produced)] = city_files(message)
    values = [
        [cell.value for cell in row] for row in produced[SHEET].iter_rows(min_row=3, max_col=len(HEADER))
    ]
    assert len(values) == 1 and values[0][1] == person.id_number and "示例" not in values[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "请选择"),
        (b"\xd0\xcf\x11\xe0old xls", "另存为 .xlsx"),
        (b"PK\x03\x04 not really", "不是有效的 Excel"),
    ],
)
def test_what_is_no_xlsx_workbook_is_refused_in_chinese(api, data, message):
    response = upload(api, data)
    assert response.status_code == 422
    error = body(response)["error"]
    assert error["code"] == "city_template_invalid" and message in error["message"]


def test_viewers_see_the_template_but_only_operators_change_it(api):
    viewer = runtime.current().secrets.add_staff_token("看板", role=Role.VIEWER)
    assert api.get(ROUTE, token=viewer).status_code == 200
    refused = api.request("PUT", ROUTE, raw=city_template(), token=viewer, headers={"Content-Type": XLSX})
    assert refused.status_code == 403
    assert api.request("PUT", ROUTE + "/mapping", {"columns": MAPPING}, token=viewer).status_code == 403
