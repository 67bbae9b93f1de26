"""Correcting and deleting periods in the console, in Chromium (desktop and phone).

Real Beijing dates: `chalice local` runs on the real clock, so periods lie ahead of today."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib import clock
from tests.browser.test_admin_console import fits, late_answers, send, sign_in
from tests.support.people import person
from tests.support.periods import calendar_known_through
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]


def period_body(name: str, exam: dt.date) -> dict[str, str]:
    return {
        "name": name,
        "exam_date": exam.isoformat(),
        "exam_start": "09:00",
        "exam_end": "11:00",
        "notes": "",
    }


def prepared(stack: Stack) -> tuple[dict[str, Any], dict[str, Any]]:
    """A period someone registered for (exam in 14 days) and an empty one after it."""
    first = clock.today() + dt.timedelta(days=14)
    later = first + dt.timedelta(days=35)
    calendar_known_through(stack, later)
    taken = send(stack, "POST", "api/admin/periods", period_body("已有报名的期次", first), stack.staff_token)
    send(stack, "POST", "api/registrations", person(4300).registration())
    empty = send(stack, "POST", "api/admin/periods", period_body("误建的期次", later), stack.staff_token)
    return taken["period"], empty["period"]


def row(page: Any, period: dict[str, Any]) -> Any:
    return page.locator(f'#periods-table tbody tr[data-period="{period["id"]}"]')


def test_staff_correct_a_periods_exam_time_and_are_told_candidates_were_emailed(
    stack: Stack, desk: Any
) -> None:
    taken, empty = prepared(stack)
    sign_in(desk, stack)
    row(desk, taken).locator("a", has_text="修改").click()
    expect(desk.locator("#period-form-title")).to_contain_text("修改期次")
    expect(desk.locator("#period-name")).to_have_value("已有报名的期次")
    expect(desk.locator("#period-exam-date")).to_have_value(taken["exam_date"])
    expect(desk.locator("#period-exam-start")).to_have_value("09:00")

    # The exam date cannot move once someone registered: said at the date, in Chinese.
    moved = dt.date.fromisoformat(taken["exam_date"]) - dt.timedelta(days=1)
    desk.fill("#period-exam-date", moved.isoformat())
    desk.click("#period-submit")
    refusal = desk.locator('#period-form [data-error-for="exam_date"]')
    expect(refusal).to_contain_text("已有考生报名")
    assert desk.locator("#period-exam-date").get_attribute("aria-invalid") == "true"

    # The time may: saved, and the screen says candidates are e-mailed the new time.
    desk.fill("#period-exam-date", taken["exam_date"])
    desk.fill("#period-exam-start", "10:00")
    desk.fill("#period-exam-end", "12:00")
    desk.fill("#period-notes", "请提前十分钟进入考试。")
    desk.click("#period-submit")
    flash = desk.locator("#periods-flash")
    expect(flash).to_contain_text("已保存“已有报名的期次”的修改")
    expect(flash).to_contain_text("10:00–12:00")
    expect(flash).to_contain_text("已报名的 1 位考生会收到邮件")
    expect(desk.locator("#period-form")).to_be_hidden()
    expect(row(desk, taken)).to_contain_text("10:00–12:00")

    # Same fields as creation: a wrong time is shown at its field.
    desk.goto(stack.url + "admin#period/" + taken["id"])
    desk.click("#period-edit")
    expect(desk.locator("#period-exam-start")).to_have_value("10:00")
    desk.fill("#period-exam-end", "09:00")
    desk.click("#period-submit")
    expect(desk.locator('#period-form [data-error-for="exam_end"]')).to_contain_text("晚于开始时间")
    # A name change alone is no new exam time: no e-mail is announced.
    desk.fill("#period-exam-end", "12:00")
    desk.fill("#period-name", "2026年培训考试（更正）")
    desk.click("#period-submit")
    expect(flash).to_contain_text("已保存“2026年培训考试（更正）”的修改。")
    expect(flash).not_to_contain_text("邮件")

    # A new time for a period nobody registered for promises no e-mail to anyone.
    desk.goto(stack.url + "admin#period/" + empty["id"])
    desk.click("#period-edit")
    desk.fill("#period-exam-start", "13:00")
    desk.fill("#period-exam-end", "15:00")
    desk.click("#period-submit")
    expect(flash).to_contain_text("13:00–15:00")
    expect(flash).to_contain_text("尚无待考的已报名考生，无需通知")
    expect(flash).not_to_contain_text("会收到邮件")


def test_on_a_phone_staff_delete_an_empty_period_and_not_one_with_registrations(
    stack: Stack, phone: Any
) -> None:
    taken, empty = prepared(stack)
    sign_in(phone, stack)
    expect(phone.locator("#periods-table tbody tr")).to_have_count(2)

    row(phone, taken).locator("a", has_text="删除").click()
    dialog = phone.locator("#period-delete")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("确定删除“已有报名的期次”")
    phone.click("#period-delete-confirm")
    expect(phone.locator("#period-delete-error")).to_contain_text("该期次已有考生报名，不能删除")
    phone.click("#period-delete-cancel")
    expect(dialog).to_be_hidden()

    row(phone, empty).locator("a", has_text="删除").click()
    expect(dialog).to_contain_text("确定删除“误建的期次”")
    expect(phone.locator("#period-delete-confirm")).to_be_focused()
    fits(phone, 360)
    phone.click("#period-delete-confirm")
    expect(phone.locator("#periods-flash")).to_contain_text("已删除“误建的期次”")
    expect(phone.locator("#periods-table tbody tr")).to_have_count(1)
    expect(dialog).to_be_hidden()
    periods = send(stack, "GET", "api/admin/periods", None, stack.staff_token)["periods"]
    assert [p["id"] for p in periods] == [taken["id"]]


# The console's warnings answered late, and a record of when each screen first drew: the
# warnings list sits above the screen, so a screen drawn before it moves down when it comes.
LATE_WARNINGS = (
    late_answers(
        'url.indexOf("api/admin/warnings") >= 0', then="window.__drawn.warnings = performance.now();"
    )
    + """
window.__drawn = {};
new MutationObserver(function () {
  var drawn = window.__drawn;
  var rows = document.querySelector("#periods-table tbody tr");
  if (!drawn.periods && rows) drawn.periods = performance.now();
  var body = document.getElementById("calendar-body");
  if (!drawn.calendar && body && !body.hidden) drawn.calendar = performance.now();
}).observe(document, { subtree: true, childList: true, attributes: true });
"""
)


def test_on_a_phone_the_periods_and_the_calendar_do_not_move_when_the_warnings_arrive(
    stack: Stack, phone: Any
) -> None:
    # In CI on 3 December: next year's calendar was unknown, its warning came 70 ms after the
    # periods were drawn and pushed them down, and the tap on 删除 landed beside the link.
    prepared(stack)
    phone.add_init_script(LATE_WARNINGS)
    sign_in(phone, stack)
    expect(phone.locator("#periods-table tbody tr")).to_have_count(2)
    drawn = phone.evaluate("window.__drawn")
    assert drawn["periods"] >= drawn["warnings"], drawn

    phone.evaluate("window.__drawn = {}")
    phone.goto(stack.url + "admin#calendar")
    expect(phone.locator("#calendar-body")).to_be_visible()
    drawn = phone.evaluate("window.__drawn")
    assert drawn["calendar"] >= drawn["warnings"], drawn
