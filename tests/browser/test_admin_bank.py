"""The question bank screen in Chromium: a workbook imports, the counts per topic show, a
blueprint the bank cannot fill is refused naming what is short, a good one is set, and the
item analysis table shows (empty until attempts are scored); a period with a fixed paper shows
its own item analysis on its statistics tab."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib import clock
from chalicelib.domain.bank import merge, parse_items
from chalicelib.domain.bank_sheet import BANK_SHEET, bank_rows
from chalicelib.services.paper_workbook import write_rows
from tests.browser.test_admin_console import exam_today_with_results, late_answers, send, sign_in
from tests.support.bank_data import TOPICS, bank_items
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# The period's stored blueprint answered late, and the earlier of two reads of it last (as on a
# busy CI machine: the same period read twice, and the first answer wiped the lines typed after
# the second): the n-th read is held back by 2,400 - 700 n ms, at least 200.
EARLIER_BLUEPRINTS_LATER = late_answers("/\\/blueprint$/.test(url)", ms="Math.max(200, 2400 - 700 * n)")


def test_lines_typed_while_the_stored_blueprint_loads_are_not_wiped_by_it(stack: Stack, desk: Any) -> None:
    exam = clock.today() + dt.timedelta(days=21)
    body = {"name": "慢速读取期次", "exam_date": exam.isoformat(), "exam_start": "09:00", "exam_end": "11:00"}
    period = send(stack, "POST", "api/admin/periods", {**body, "notes": ""}, stack.staff_token)["period"]
    desk.add_init_script(EARLIER_BLUEPRINTS_LATER)
    sign_in(desk, stack)
    desk.goto(stack.url + "admin#bank")
    expect(desk.locator(f'#blueprint-period option[value="{period["id"]}"]')).to_be_attached()
    # Read 1 is the listed period's, reads 2 and 3 this one's: 3 answers first, 2 after it.
    desk.select_option("#blueprint-period", period["id"])
    desk.select_option("#blueprint-period", period["id"])
    # The box waits for the stored rows (read-only, busy); typing lands after them.
    desk.fill("#blueprint-rows", "劳动合同 单选 7")
    desk.wait_for_timeout(2500)
    expect(desk.locator("#blueprint-rows")).to_have_value("劳动合同 单选 7")
    assert desk.locator("#blueprint-rows").get_attribute("aria-busy") is None


def test_staff_import_the_bank_and_set_a_blueprint(stack: Stack, desk: Any) -> None:
    exam = clock.today() + dt.timedelta(days=21)
    body = {"name": "题库抽题期次", "exam_date": exam.isoformat(), "exam_start": "09:00", "exam_end": "11:00"}
    period = send(stack, "POST", "api/admin/periods", {**body, "notes": ""}, stack.staff_token)["period"]
    workbook = write_rows(BANK_SHEET, bank_rows(merge(_empty(), parse_items(bank_items())).bank))
    sign_in(desk, stack)
    desk.goto(stack.url + "admin#bank")
    expect(desk.locator("#bank-status")).to_contain_text("题库还是空的")
    desk.set_input_files("#bank-file", files=[{"name": "题库.xlsx", "mimeType": XLSX, "buffer": workbook}])
    desk.click("#bank-import button[type=submit]")
    expect(desk.locator("#bank-import-result")).to_contain_text("新增 70 道")
    expect(desk.locator("#bank-cells tbody tr")).to_have_count(
        20
    )  # 5 topics: singles easy, medium, hard; multiples medium
    short = "\n".join(f"{topic} 单选 7\n{topic} 多选 3" for topic in TOPICS).replace(
        "劳动合同 单选 7", "劳动合同 单选 11"
    )
    short = short.replace("社会保险 单选 7", "社会保险 单选 3")
    desk.select_option("#blueprint-period", period["id"])
    expect(desk.locator("#blueprint-rows")).to_have_value("")  # nothing stored yet
    desk.fill("#blueprint-rows", short)
    desk.click("#blueprint-form button[type=submit]")
    expect(desk.locator('[data-error-for="rows"]')).to_contain_text(
        "「劳动合同」单选题需要 11 道，题库中只有 10 道"
    )
    rows = "\n".join(f"{topic} 单选 7\n{topic} 多选 3" for topic in TOPICS).replace(
        "劳动合同 单选 7", "劳动合同 单选 难 3\n劳动合同 单选 易 4"
    )
    desk.fill("#blueprint-rows", rows)
    desk.click("#blueprint-form button[type=submit]")
    # 劳动合同's singles drawn only hard and easy: its 3 medium ones leave the pool (70 - 3).
    expect(desk.locator("#blueprint-result")).to_contain_text("从 67 道题中抽取 50 道")
    expect(desk.locator("#bank-analysis-status")).to_contain_text("暂无题目分析")
    # Back on the screen later, the form shows the period's stored blueprint.
    desk.reload()
    desk.select_option("#blueprint-period", period["id"])
    expect(desk.locator("#blueprint-rows")).to_have_value(rows)
    expect(desk.locator("#blueprint-result")).to_contain_text("本期已设置抽题规则")


def test_a_fixed_papers_period_shows_its_item_analysis(stack: Stack, desk: Any) -> None:
    period_id, _ = exam_today_with_results(stack)  # scores 98, 96, 38; m15 nobody, s2 only the 98
    sign_in(desk, stack)
    desk.goto(stack.url + f"admin#period/{period_id}/stats")
    rows = desk.locator("#stats-analysis tbody tr")
    expect(rows).to_have_count(50)
    m15 = desk.locator('#stats-analysis tr[data-question="m15"]')
    expect(m15).to_have_class("flagged")
    expect(m15.locator("td.flags")).to_have_text("过难")
    expect(m15.locator("td.point-biserial")).to_have_text("—")  # nobody right: undefined
    s2 = desk.locator('#stats-analysis tr[data-question="s2"]')
    expect(s2).to_contain_text("33%")
    expect(s2.locator("td.upper-lower")).to_have_text("1.00")  # the top attempt right, the bottom wrong
    expect(s2.locator("td.options")).to_contain_text("B 33%")
    expect(s2.locator("td.options")).to_contain_text("未答 0%")
    expect(desk.locator('#stats-analysis tr[data-question="s1"] td.flags')).to_have_text("过易")  # all right
    expect(desk.locator('#stats-analysis tr[data-question="s21"]')).not_to_have_class("flagged")


def _empty() -> Any:
    from chalicelib.domain.bank import Bank

    return Bank()
