"""Papers from a spreadsheet (contract v2): the template, the upload, the preview."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.api.conftest import body
from tests.conftest import beijing
from tests.unit.test_paper_sheet import fifty

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD = {
    "name": "2026年12月",
    "exam_date": "2026-12-18",
    "exam_start": "09:00",
    "exam_end": "11:00",
    "notes": "",
}


@pytest.fixture
def period_id(api: Any, travel: Any) -> str:
    travel(beijing(2026, 12, 1))
    return str(body(api.staff("POST", "/api/admin/periods", PERIOD))["period"]["id"])


def template(api: Any) -> bytes:
    response = api.staff("GET", "/api/admin/paper-template.xlsx", headers={"Accept": XLSX})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XLSX
    return bytes(response.body)


def filled(api: Any, rows: list[list[Any]]) -> bytes:
    workbook = load_workbook(io.BytesIO(template(api)))
    sheet = workbook["试卷"]
    sheet.delete_rows(2)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(api: Any, period_id: str, data: bytes) -> Any:
    return api.staff("PUT", f"/api/admin/periods/{period_id}/paper", raw=data, headers={"Content-Type": XLSX})


def test_the_template_has_the_contract_columns_an_example_and_a_list_for_the_type(api):
    workbook = load_workbook(io.BytesIO(template(api)))
    assert workbook.sheetnames[0] == "试卷"
    sheet = workbook["试卷"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["题号", "题型", "题干", *[f"选项{c}" for c in "ABCDEFGH"], "答案", "分值"]
    assert sheet["A2"].value == "s1" and sheet["L2"].value == "B"
    assert sheet["L1"].comment is not None and "ACD" in sheet["L1"].comment.text
    [validation] = sheet.data_validations.dataValidation
    assert validation.formula1 == '"单选,多选"'
    assert [row[0].value for row in workbook["设置"]][:2] == ["标题", "及格分"]


def test_fifty_questions_from_the_workbook_are_stored_and_previewed_with_the_key(api, period_id):
    response = upload(api, period_id, filled(api, fifty()))
    assert response.status_code == 200
    assert (body(response)["paper"]["questions"], body(response)["paper"]["total_points"]) == (50, 100)
    preview = body(api.staff("GET", f"/api/admin/periods/{period_id}/paper/preview"))
    assert preview["paper"]["title"] == "2026年12月"  # no 设置 title: the period's name
    assert len(preview["paper"]["questions"]) == 50
    assert all("answer" not in q for q in preview["paper"]["questions"])
    assert preview["answers"]["s1"] == ["B"] and preview["answers"]["m1"] == ["A", "C", "D"]


def test_a_broken_row_is_reported_by_its_row_number(api, period_id):
    rows = fifty()
    rows[10][11] = "Z"
    response = upload(api, period_id, filled(api, rows))
    assert response.status_code == 422
    error = body(response)["error"]
    assert error["code"] == "paper_invalid"
    assert "「试卷」第 12 行「答案」" in error["message"]


def test_a_file_that_is_not_a_workbook_is_paper_invalid(api, period_id):
    response = upload(api, period_id, b"not a zip at all")
    assert response.status_code == 422
    assert body(response)["error"]["code"] == "paper_invalid"


def test_a_formula_is_never_evaluated(api, period_id):
    rows = fifty()
    rows[0][2] = "=1+1"  # saved by openpyxl without a cached value: nothing to read, nothing run
    response = upload(api, period_id, filled(api, rows))
    assert response.status_code == 422
    assert "第 2 行「题干」" in body(response)["error"]["message"]


def test_preview_without_a_paper_is_404(api, period_id):
    assert api.staff("GET", f"/api/admin/periods/{period_id}/paper/preview").status_code == 404
