"""The console's staff tokens screen in Chromium: an admin creates a token for a Chinese name and a
role, sees it once, finds the holder in the list, revokes it; axe-core finds nothing at each step."""

from __future__ import annotations

import urllib.error
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.test_admin_console import send, sign_in
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]


def test_an_admin_creates_lists_and_revokes_a_staff_token(stack: Stack, desk: Any) -> None:
    sign_in(desk, stack)
    desk.click('#admin-nav a[data-nav="staff"]')
    expect(desk.locator("#view-staff")).to_be_visible()
    expect(desk.locator("#staff-status")).to_contain_text("共")
    assert_accessible(desk, "staff tokens, the list")

    desk.fill("#staff-name", "周老师")
    desk.select_option("#staff-role", "viewer")
    desk.click("#staff-form button[type=submit]")
    created = desk.locator("#staff-created")
    expect(created).to_contain_text("已为 周老师（只读）创建凭证")
    expect(created).to_be_focused()
    token = desk.locator("#staff-new-token").inner_text().strip()
    assert token.startswith("hrx_")
    row = desk.locator("#staff-table tbody tr", has_text="周老师")
    expect(row).to_contain_text("只读（viewer）")
    assert token not in desk.locator("#staff-table").inner_text()
    assert_accessible(desk, "staff tokens, a token created")
    assert send(stack, "GET", "api/admin/periods", None, token=token)["periods"] is not None

    desk.fill("#staff-name", "周老师")
    desk.click("#staff-form button[type=submit]")
    expect(desk.locator('#staff-form [data-error-for="name"]')).to_contain_text("已有工作人员凭证")
    expect(desk.locator("#staff-created")).to_be_hidden()
    assert_accessible(desk, "staff tokens, a name that holds one")

    row.get_by_role("button", name="撤销 周老师 的凭证").click()
    sure = row.get_by_role("button", name="确认撤销 周老师 的凭证")
    expect(sure).to_be_focused()
    assert_accessible(desk, "staff tokens, confirming a revocation")
    sure.click()
    expect(desk.locator("#staff-status")).to_contain_text("共")
    expect(desk.locator("#staff-table tbody tr", has_text="周老师")).to_have_count(0)
    with pytest.raises(urllib.error.HTTPError) as refused:
        send(stack, "GET", "api/admin/periods", None, token=token)
    assert refused.value.code == 401

    own = desk.locator("#staff-table tbody tr", has_text="tests")
    own.get_by_role("button", name="撤销 tests 的凭证").click()
    own.get_by_role("button", name="确认撤销 tests 的凭证").click()
    expect(desk.locator("#staff-error")).to_contain_text("不能在控制台撤销自己")
    assert_accessible(desk, "staff tokens, refusing one's own")
