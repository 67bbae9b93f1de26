"""Papers from Excel in the console, in Chromium: the template downloads, a broken row is named
by its row and column, fifty questions upload, and the preview shows them with the answer key.

Real Beijing dates: `chalice local` runs on the real clock, so the exam lies ahead of today."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from chalicelib import clock
from ops.demo import demo_paper
from tests.browser.test_admin_console import fits, send, sign_in
from tests.support.stack import Stack
from tests.unit.test_paper_sheet import fifty

pytestmark = [pytest.mark.browser]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def a_period(stack: Stack) -> dict[str, Any]:
    exam = clock.today() + dt.timedelta(days=14)
    body = {
        "name": "Excel 试卷期次",
        "exam_date": exam.isoformat(),
        "exam_start": "09:00",
        "exam_end": "11:00",
    }
    return dict(send(stack, "POST", "api/admin/periods", {**body, "notes": ""}, stack.staff_token)["period"])


def filled(template: bytes, rows: list[list[Any]]) -> bytes:
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["试卷"]
    sheet.delete_rows(2)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def choose(page: Any, name: str, data: bytes, mime: str = XLSX) -> None:
    page.set_input_files("#paper-file", files=[{"name": name, "mimeType": mime, "buffer": data}])


def test_staff_fill_the_downloaded_template_see_a_broken_row_named_then_preview_fifty_questions(
    stack: Stack, desk: Any
) -> None:
    period = a_period(stack)
    sign_in(desk, stack)
    desk.goto(stack.url + f"admin#period/{period['id']}/paper")
    expect(desk.locator("#paper-state")).to_contain_text("尚未上传")
    expect(desk.locator("#paper-preview-box")).to_be_hidden()

    with desk.expect_download() as downloading:
        desk.click("#paper-template-xlsx")
    template = Path(downloading.value.path()).read_bytes()
    assert [cell.value for cell in load_workbook(io.BytesIO(template))["试卷"][1]][:3] == [
        "题号",
        "题型",
        "题干",
    ]

    # Question 12 sits on the sheet's row 13 (row 1 is the header): its answer names no option.
    rows = fifty()
    rows[11][11] = "Z"
    choose(desk, "试卷.xlsx", filled(template, rows))
    desk.click("#paper-submit")
    error = desk.locator('#paper-form [data-error-for="paper"]')
    expect(error).to_contain_text("第 13 行「答案」")
    expect(error).to_contain_text("「试卷」")
    assert error.get_attribute("role") == "alert"
    assert desk.locator("#paper-file").get_attribute("aria-invalid") == "true"

    choose(desk, "paper.xls", b"\xd0\xcf\x11\xe0", "application/vnd.ms-excel")
    desk.click("#paper-submit")
    expect(error).to_contain_text("另存为 .xlsx")

    choose(desk, "试卷.xlsx", filled(template, fifty()))
    desk.click("#paper-submit")
    expect(desk.locator("#paper-result")).to_contain_text("共 50 题，总分 100 分，60 分及格")
    expect(error).to_be_hidden()
    expect(desk.locator("#period-facts")).to_contain_text("已上传")

    # The preview: every question as candidates see it, and the answer key.
    preview = desk.locator("#paper-preview")
    expect(preview).to_contain_text("Excel 试卷期次")
    questions = preview.locator(".preview-question")
    expect(questions).to_have_count(50)
    first = preview.locator('[data-question="s1"]')
    expect(first).to_contain_text("题干 s1")
    expect(first).to_contain_text("单选题")
    expect(first.locator("label.option")).to_have_count(4)
    expect(first).to_contain_text("A. 选项0")
    expect(first.locator(".preview-answer")).to_have_text("答案：B")
    expect(preview.locator('[data-question="m1"] .preview-answer')).to_have_text("答案：ACD")
    expect(preview.locator('[data-question="m1"]')).to_contain_text("多选题")
    expect(preview.locator(".answer-key li").nth(0)).to_have_text("1. B")
    expect(preview.locator(".answer-key li")).to_have_count(50)

    # The JSON upload keeps working beside the workbook, and the preview follows the new paper.
    paper = demo_paper()
    choose(desk, "paper.json", json.dumps(paper, ensure_ascii=False).encode(), "application/json")
    desk.click("#paper-submit")
    expect(desk.locator("#paper-result")).to_contain_text("共 50 题")
    expect(preview.locator("h3").first).to_have_text(paper["title"])


def test_on_a_phone_the_preview_fits_the_screen(stack: Stack, phone: Any) -> None:
    period = a_period(stack)
    sign_in(phone, stack)
    phone.goto(stack.url + f"admin#period/{period['id']}/paper")
    with phone.expect_download() as downloading:
        phone.click("#paper-template-xlsx")
    template = Path(downloading.value.path()).read_bytes()
    choose(phone, "试卷.xlsx", filled(template, fifty()))
    phone.click("#paper-submit")
    expect(phone.locator("#paper-preview .preview-question")).to_have_count(50)
    fits(phone, 360)
