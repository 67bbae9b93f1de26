"""The console's working-day calendar in Chromium: a year nobody knows sends staff there,
the pasted notice shows as the month grid, days can be ticked by hand.

Real Beijing dates (`chalice local` runs on the real clock); the years used are fixed,
2026 (the library's) and 2027 (nobody's until staff enter it)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib import clock
from chalicelib.domain.calendar import WorkCalendar, calendar_warnings
from tests.browser.test_admin_console import fits, send, sign_in
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]

NOTICES = Path(__file__).parents[1] / "unit" / "notices"
# A made-up 2027 arrangement in the notice's words (the real one is not published yet).
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（周五）至12日（周五）放假调休，共8天。2月6日（周六）放假。2月20日（周六）上班。
"""
LAST_OF_2026 = {
    "name": "2026年12月培训考试",
    "exam_date": "2026-12-31",
    "exam_start": "09:00",
    "exam_end": "11:00",
    "notes": "",
}


LAST_DAY_TO_ARRANGE = dt.date(2026, 12, 31)


def day(page: Any, iso: str) -> Any:
    return page.locator(f'#calendar-months td[data-day="{iso}"]')


def test_an_unknown_year_sends_staff_to_the_calendar_where_the_pasted_notice_shows_as_the_grid(
    stack: Stack, desk: Any
) -> None:
    # The last period of 2026 examines on 31 December: the next one's registration would open on
    # the first working day of 2027, which nobody knows yet.
    if clock.today() >= LAST_DAY_TO_ARRANGE:
        # On the real clock, from 31 December 2026 no period can still be created for that day
        # (its registration window would be empty). tests/api/test_calendar.py and
        # test_periods.py keep the unknown year's refusal on a frozen clock.
        pytest.skip("2026's last exam can no longer be arranged on the real clock")
    send(stack, "POST", "api/admin/periods", LAST_OF_2026, stack.staff_token)
    sign_in(desk, stack)
    # From 1 November the console warns while next year is unknown (the real clock decides).
    expected = [w.year for w in calendar_warnings(clock.today(), WorkCalendar())]
    warnings = desk.locator("#admin-warnings")
    if 2027 in expected:
        expect(warnings).to_contain_text("（2027 年）的法定节假日安排尚未录入")
    else:
        expect(warnings).to_be_hidden()
    desk.click("#period-new")
    desk.fill("#period-exam-date", "2027-02-26")
    desk.fill("#period-name", "2027年2月培训考试")
    desk.click("#period-form button[type=submit]")
    refusal = desk.locator("#period-form .field-error:not([hidden])")
    expect(refusal).to_contain_text("2027 年的法定节假日安排尚未录入")
    desk.click("#period-form a.calendar-link")

    expect(desk.locator("#view-calendar")).to_be_visible()
    expect(desk.locator("#calendar-year")).to_have_value("2027")
    expect(desk.locator("#calendar-source")).to_contain_text("尚未录入")

    # A notice that is not one is refused at the field, announced.
    desk.fill("#calendar-notice", "一、元旦：13月1日放假。")
    desk.click("#notice-form button[type=submit]")
    error = desk.locator('#notice-form [data-error-for="notice"]')
    expect(error).to_be_visible()
    assert error.get_attribute("role") == "alert"
    assert desk.locator("#calendar-notice").get_attribute("aria-invalid") == "true"

    desk.fill("#calendar-notice", NOTICE_2027)
    desk.click("#notice-form button[type=submit]")
    expect(desk.locator("#calendar-flash")).to_contain_text("已根据通知录入 2027 年")
    expect(desk.locator("#calendar-source")).to_contain_text("工作人员录入")
    expect(error).to_be_hidden()
    expect(warnings).not_to_contain_text("2027")
    for off in ("2027-01-01", "2027-02-05", "2027-02-12"):
        expect(day(desk, off)).to_have_class("holiday")
        expect(day(desk, off).locator("button")).to_have_attribute("aria-label", re.compile("放假$"))
    expect(day(desk, "2027-02-20")).to_have_class("workday")
    expect(day(desk, "2027-02-22")).to_have_class("")

    # Ticking a day by hand: the grid shows it at once, the lists keep it, saving makes it count.
    day(desk, "2027-04-05").locator("button").click()
    expect(day(desk, "2027-04-05")).to_have_class("holiday")
    expect(desk.locator("#calendar-holidays")).to_have_value(re.compile("2027-04-05"))
    expect(desk.locator("#calendar-status")).to_contain_text("尚未保存")
    desk.click("#days-form button[type=submit]")
    expect(desk.locator("#calendar-flash")).to_contain_text("已保存 2027 年的日期")
    desk.fill("#calendar-workdays", "2027-04-06")
    desk.click("#days-form button[type=submit]")
    expect(desk.locator('#days-form [data-error-for="workdays"]')).to_contain_text("本来就是工作日")

    # Back at the periods, the form waits as it was left; with the year known it is accepted.
    desk.click("#admin-nav a[data-nav=periods]")
    expect(desk.locator("#period-exam-date")).to_have_value("2027-02-26")
    desk.click("#period-form button[type=submit]")
    expect(desk.locator("#periods-flash")).to_contain_text("已创建“2027年2月培训考试”")


def test_on_a_phone_the_2026_notice_pasted_shows_the_year_from_staff(stack: Stack, phone: Any) -> None:
    sign_in(phone, stack)
    phone.goto(stack.url + "admin#calendar/2026")
    expect(phone.locator("#calendar-source")).to_contain_text("程序自带")
    expect(day(phone, "2026-10-01")).to_have_class("holiday")
    phone.fill("#calendar-notice", (NOTICES / "2026.txt").read_text(encoding="utf-8"))
    phone.click("#notice-form button[type=submit]")
    expect(phone.locator("#calendar-flash")).to_contain_text("已根据通知录入 2026 年")
    expect(phone.locator("#calendar-source")).to_contain_text("工作人员录入")
    for off in ("2026-01-02", "2026-02-16", "2026-10-07"):
        expect(day(phone, off)).to_have_class("holiday")
    for on in ("2026-01-04", "2026-02-28", "2026-09-20"):
        expect(day(phone, on)).to_have_class("workday")
    fits(phone, 360)
