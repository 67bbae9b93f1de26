"""The helpdesk screen in Chromium: search a person, correct their name with a reason, and find
the correction in the audit trail screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib import clock
from tests.browser.axe import assert_accessible
from tests.browser.test_admin_console import next_week_period, send, sign_in
from tests.support.people import person
from tests.support.periods import calendar_known_through
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]


def test_search_correct_and_the_audit_entry_shows(stack: Stack, desk: Any) -> None:
    period = next_week_period(stack, "咨询测试期次")
    someone = person(4300)
    send(stack, "POST", "api/registrations", someone.registration())
    sign_in(desk, stack)
    desk.click("#admin-nav a[data-nav=helpdesk]")
    expect(desk.locator("#view-helpdesk")).to_be_visible()
    desk.select_option("#helpdesk-kind", "phone")
    desk.fill("#helpdesk-value", someone.phone)
    desk.click("#helpdesk-form button[type=submit]")
    card = desk.locator(".person-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(someone.name)
    expect(card).to_contain_text("咨询测试期次")
    # Masked by default: the full phone number is not on the screen.
    assert someone.phone not in card.inner_text()

    card.locator(f"[data-period='{period['id']}'] button", has_text="更正信息").click()
    desk.fill("#helpdesk-action-name", "李 四")
    desk.click("#helpdesk-action button[type=submit]")
    expect(desk.locator("#helpdesk-action [data-error-for=reason]")).to_be_visible()
    desk.fill("#helpdesk-reason", "考生来电：身份证上的姓名为李四")
    desk.click("#helpdesk-action button[type=submit]")
    expect(desk.locator("#helpdesk-flash")).to_contain_text("已完成")
    expect(card).to_contain_text("李 四")
    expect(card.locator("dd", has_text="→ 李 四")).to_have_count(1)

    desk.click("#admin-nav a[data-nav=audit]")
    expect(desk.locator("#view-audit")).to_be_visible()
    rows = desk.locator("#audit-table tbody tr", has_text="考生来电：身份证上的姓名为李四")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("PATCH /api/admin/people/{person}/registrations/{period_id}")
    assert someone.id_number not in desk.locator("#audit-table").inner_text()


def test_moving_a_registration_picks_the_period_from_a_list(stack: Stack, desk: Any) -> None:
    exam_date = clock.today() + dt.timedelta(days=35)
    calendar_known_through(stack, exam_date)
    period = next_week_period(stack, "调出期次")
    later = {
        "name": "调入期次",
        "exam_date": exam_date.isoformat(),
        "exam_start": "09:00",
        "exam_end": "11:00",
        "notes": "",
    }
    target = send(stack, "POST", "api/admin/periods", later, stack.staff_token)["period"]
    someone = person(4301)
    send(stack, "POST", "api/registrations", someone.registration())
    sign_in(desk, stack)
    desk.click("#admin-nav a[data-nav=helpdesk]")
    desk.select_option("#helpdesk-kind", "phone")
    desk.fill("#helpdesk-value", someone.phone)
    desk.click("#helpdesk-form button[type=submit]")
    card = desk.locator(".person-card")
    card.locator(f"[data-period='{period['id']}'] button", has_text="调到其他期次").click()
    choice = desk.locator("#helpdesk-action-period_id")
    expect(choice).to_be_visible()
    # Every other period still to come, by name and date; not the one it is in.
    [offered] = choice.locator("option").all_inner_texts()
    assert offered.startswith(f"调入期次（{later['exam_date']}（周") and offered.endswith("） 考试）")
    assert_accessible(desk, "helpdesk, moving to a period picked from a list")
    choice.select_option(target["id"])
    desk.fill("#helpdesk-reason", "考生来电：本期无法参加，改到下一期")
    desk.click("#helpdesk-action button[type=submit]")
    expect(desk.locator("#helpdesk-flash")).to_contain_text("已完成")
    expect(card.locator(f"[data-period='{target['id']}']")).to_have_count(1)
    expect(card.locator(f"[data-period='{period['id']}']")).to_have_count(0)
