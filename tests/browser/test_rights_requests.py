"""Rights requests in Chromium: a candidate asks from the lookup page, staff answer from the queue,
the outcome (here a copy of the candidate's data) arrives by e-mail, never on a screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib import runtime
from tests.browser.axe import assert_accessible
from tests.browser.test_admin_console import next_week_period, send, sign_in
from tests.support import mailbox
from tests.support.people import person
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]


def desk_beside(phone: Any) -> Any:
    """A desktop-sized page in the phone's browser: one Playwright per test, two people."""
    context = phone.context.browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    return context.new_page()


def test_a_copy_requested_on_the_lookup_page_is_answered_from_the_queue_by_email(
    stack: Stack, phone: Any
) -> None:
    next_week_period(stack, "权利申请测试期次")
    someone = person(4400)
    send(stack, "POST", "api/registrations", someone.registration())

    phone.goto(stack.url + "lookup")
    expect(phone.locator("#rights-form")).to_be_hidden()  # only after the ID number + phone check
    phone.fill("#lookup-id", someone.id_number)
    phone.fill("#lookup-phone", someone.phone)
    phone.click("#lookup-form button[type=submit]")
    expect(phone.locator("#lookup-results")).to_contain_text("权利申请测试期次")
    form = phone.locator("#rights-form")
    expect(form).to_be_visible()
    assert_accessible(phone, "rights request form")

    form.locator("button[type=submit]").click()
    expect(form.locator('[data-error-for="kind"]')).to_contain_text("请选择")
    assert_accessible(phone, "rights request form with an error")

    phone.check('#rights-form input[name="kind"][value="copy"]')
    form.locator("button[type=submit]").click()
    receipt = phone.locator("#rights-receipt")
    expect(receipt).to_be_visible()
    expect(receipt).to_contain_text("复制个人信息")
    expect(receipt).to_contain_text("c***@example.com")
    expect(receipt.locator('[data-receipt="answer_by"]')).to_contain_text("年")
    assert_accessible(phone, "rights request received")
    page_text = phone.locator("body").inner_text()
    assert someone.id_number not in page_text and someone.email not in page_text

    desk = desk_beside(phone)
    sign_in(desk, stack)
    desk.click('#admin-nav a[data-nav="rights"]')
    table = desk.locator("#rights-table")
    expect(table).to_contain_text(someone.name)
    expect(table).to_contain_text("复制个人信息")
    expect(table).to_contain_text("待办理")
    assert someone.id_number not in table.inner_text()
    assert_accessible(desk, "rights queue")

    table.locator("button", has_text="答复").click()
    answer = desk.locator("#rights-answer")
    expect(answer).to_be_visible()
    expect(desk.locator("#rights-delete")).to_be_hidden()  # a copy deletes nothing
    answer.locator("button[type=submit]").click()
    expect(answer.locator('[data-error-for="outcome"]')).to_be_visible()
    assert_accessible(desk, "rights answer form with an error")

    desk.check('#rights-answer input[name="outcome"][value="done"]')
    desk.fill("#rights-note", "您的个人信息副本见本邮件。")
    answer.locator("button[type=submit]").click()
    expect(desk.locator("#rights-flash")).to_contain_text("已答复")
    expect(table).to_contain_text("已办理")
    expect(table.locator("button", has_text="答复")).to_have_count(0)

    sent = mailbox.text_emails(runtime.current().settings.ses_region)
    [outcome] = [mail for mail in sent if "权利申请答复" in mail.subject]
    assert outcome.to == [someone.email]
    assert "您的个人信息副本见本邮件。" in outcome.body
    assert someone.id_number in outcome.body and someone.phone in outcome.body


def test_a_deletion_request_is_carried_out_and_answered_from_the_queue(stack: Stack, phone: Any) -> None:
    next_week_period(stack, "删除申请测试期次")
    someone = person(4401)
    send(stack, "POST", "api/registrations", someone.registration())
    send(stack, "POST", "api/rights-requests", {**someone.lookup(), "kind": "deletion"})

    desk = desk_beside(phone)
    sign_in(desk, stack)
    desk.click('#admin-nav a[data-nav="rights"]')
    desk.locator("#rights-table button", has_text="答复").click()
    delete = desk.locator("#rights-delete")
    expect(delete).to_be_visible()
    delete.locator("button[type=submit]").click()
    expect(delete.locator('[data-error-for="reason"]')).to_be_visible()
    assert_accessible(desk, "rights deletion form with an error")

    desk.fill("#rights-delete-reason", "本人在查询页面申请删除")
    delete.locator("button[type=submit]").click()
    expect(desk.locator("#rights-flash")).to_contain_text("已删除")
    desk.check('#rights-answer input[name="outcome"][value="done"]')
    desk.fill("#rights-note", "您的个人信息已全部删除。")
    desk.locator("#rights-answer button[type=submit]").click()
    expect(desk.locator("#rights-table")).to_contain_text("已办理")

    sent = mailbox.text_emails(runtime.current().settings.ses_region)
    [outcome] = [mail for mail in sent if "权利申请答复" in mail.subject]
    assert outcome.to == [someone.email] and "您的个人信息已全部删除。" in outcome.body

    phone.goto(stack.url + "lookup")
    phone.fill("#lookup-id", someone.id_number)
    phone.fill("#lookup-phone", someone.phone)
    phone.click("#lookup-form button[type=submit]")
    expect(phone.locator('#lookup-form [data-error-for="_form"]')).to_contain_text("没有找到")
