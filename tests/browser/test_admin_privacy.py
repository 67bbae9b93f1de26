"""The console's deletion screen in Chromium: an admin deletes one person with a reason, sees the counts."""

from __future__ import annotations

import urllib.error
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin_console import next_week_period, send, sign_in
from tests.support.people import person
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]


def test_an_admin_deletes_a_person_with_a_reason_and_the_lookup_then_finds_nothing(
    stack: Stack, desk: Any
) -> None:
    next_week_period(stack, "删除测试期次")
    someone = person(4300)
    send(stack, "POST", "api/registrations", someone.registration())
    sign_in(desk, stack)
    desk.click('#admin-nav a[data-nav="privacy"]')
    expect(desk.locator("#view-privacy")).to_be_visible()

    desk.fill("#privacy-id-number", someone.id_number)
    desk.click("#privacy-form button[type=submit]")
    expect(desk.locator('[data-error-for="confirm"]')).to_contain_text("请勾选确认")
    desk.check("#privacy-confirm")
    desk.click("#privacy-form button[type=submit]")
    expect(desk.locator('#privacy-form [data-error-for="reason"]')).to_be_visible()

    desk.fill("#privacy-reason", "本人来电申请删除个人信息")
    desk.click("#privacy-form button[type=submit]")
    result = desk.locator("#privacy-result")
    expect(result).to_contain_text("已删除身份证号")
    expect(result).to_contain_text("报名及考试记录1 项")
    assert someone.id_number not in result.inner_text()
    expect(desk.locator("#privacy-id-number")).to_have_value("")

    with pytest.raises(urllib.error.HTTPError) as refused:
        send(stack, "POST", "api/registrations/lookup", someone.lookup())
    assert refused.value.code == 404
