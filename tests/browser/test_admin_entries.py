"""The console's 录入市系统 screen in Chromium: per ended period exported / entered / outstanding and
the deadline, marking from a pasted list (one ID number reported, nothing else changed), axe 0
violations; and the candidate's lookup then shows 已录入市系统（日期）.

`chalice local` runs on the real clock: the period is prepared in-process, its exam some days ago."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib import clock
from chalicelib.services import export
from chalicelib.storage import aws
from tests.browser.axe import assert_accessible
from tests.browser.test_admin_console import sign_in
from tests.support.export_data import add_passers, contact, make_period
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]


def last_weekday(before: dt.date) -> dt.date:
    day = before
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def test_staff_see_the_counts_mark_a_pasted_list_and_the_candidate_sees_the_entry(
    stack: Stack, desk: Any
) -> None:
    rt = stack.runtime()
    aws.client("ses", rt.settings.ses_region).verify_email_identity(EmailAddress=rt.settings.ses_sender)
    today = clock.today()
    period = make_period(rt, last_weekday(today - dt.timedelta(days=20)), name="上月培训考试")
    first, second, third = add_passers(rt, period, range(3))
    assert export.export_period(rt, period.id).count == 3
    stranger = contact(77)

    sign_in(desk, stack)
    desk.click('#admin-nav a[data-nav="entries"]')
    expect(desk.locator("#view-entries")).to_be_visible()
    row = desk.locator("#entries-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator('[data-label="期次"]')).to_have_text("上月培训考试")
    expect(row.locator('[data-label="已导出"]')).to_have_text("3")
    expect(row.locator('[data-label="已录入"]')).to_have_text("0")
    expect(row.locator('[data-label="未录入"]')).to_have_text("3")
    expect(row.locator('[data-label="录入截止"]')).to_contain_text("已超期")
    assert_accessible(desk, "entries list")

    row.locator("a", has_text="标记已录入").click()
    expect(desk.locator("#entry-form")).to_be_visible()
    expect(desk.locator("#entry-date")).to_have_value(today.isoformat())
    # Nothing pasted: refused at the field, announced.
    desk.click("#entry-form button[type=submit]")
    error = desk.locator('#entry-form [data-error-for="text"]')
    expect(error).to_be_visible()
    assert error.get_attribute("role") == "alert"
    assert_accessible(desk, "entry form refused")

    desk.fill("#entry-text", f"身份证号\n{first.id_number}\n{second.id_number}\n{stranger.id_number}\n")
    desk.click("#entry-form button[type=submit]")
    result = desk.locator("#entry-result")
    expect(result).to_contain_text("本次标记已录入 2 人")
    expect(result).to_contain_text("1 个身份证号不是本期已导出的通过人员")
    expect(result.locator(".not-passers li")).to_have_text(
        f"第 4 行：{stranger.id_number[:3]}" + "*" * 11 + stranger.id_number[-4:]
    )
    expect(row.locator('[data-label="已录入"]')).to_have_text("2")
    expect(row.locator('[data-label="未录入"]')).to_have_text("1")
    assert_accessible(desk, "entry marked")

    # Every exported passer at once: the last one.
    desk.check('#entry-form input[value="all"]')
    expect(desk.locator("#entry-text-field")).to_be_hidden()
    desk.click("#entry-form button[type=submit]")
    expect(result).to_contain_text("本次标记已录入 1 人")
    expect(result).to_contain_text("2 人此前已标记")
    expect(row.locator('[data-label="未录入"]')).to_have_text("0")
    assert [r.entered_on for r in rt.repo.iter_period_registrations(period.id)] == [today] * 3

    # The candidate, in another tab (one Playwright per test).
    phone = desk.context.new_page()
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(stack.url + "lookup")
    phone.fill("#lookup-id", third.id_number)
    phone.fill("#lookup-phone", third.phone)
    phone.click("#lookup-form button[type=submit]")
    entered = phone.locator("#lookup-results .lookup-entry .entered")
    expect(entered).to_have_text(f"已录入市系统（{today.year}年{today.month}月{today.day}日）")
    assert_accessible(phone, "lookup, entered")


def test_the_banner_counts_the_passers_not_entered_and_leads_to_their_form(stack: Stack, desk: Any) -> None:
    rt = stack.runtime()
    today = clock.today()
    period = make_period(rt, last_weekday(today - dt.timedelta(days=20)), name="上月培训考试")
    first, *_ = add_passers(rt, period, range(3))
    assert export.export_period(rt, period.id).count == 3

    sign_in(desk, stack)
    banner = desk.locator("#admin-warnings li.entries-outstanding")
    expect(banner).to_have_count(1)
    expect(banner).to_contain_text("「上月培训考试」还有 3 名通过人员尚未录入市系统")
    expect(banner).to_contain_text("已超期")
    assert first.id_number not in desk.locator("#admin-warnings").inner_text()
    assert_accessible(desk, "entries banner")

    banner.locator("a", has_text="标记已录入").click()
    expect(desk.locator("#entry-form")).to_be_visible()
    expect(desk.locator("#entry-form-title")).to_have_text("标记已录入市系统：上月培训考试")
    desk.fill("#entry-text", first.id_number)
    desk.click("#entry-form button[type=submit]")
    expect(desk.locator("#entry-result")).to_contain_text("本次标记已录入 1 人")
    expect(banner).to_contain_text("还有 2 名")

    desk.check('#entry-form input[value="all"]')
    desk.click("#entry-form button[type=submit]")
    expect(desk.locator("#entry-result")).to_contain_text("本次标记已录入 2 人")
    expect(banner).to_have_count(0)
