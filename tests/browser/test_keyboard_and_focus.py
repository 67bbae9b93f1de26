"""Registration and the exam by keyboard alone, the focus at each step's heading or first
error, errors announced, dates written one way, and the countdown read out at 10 and 2 minutes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib.domain import contacts
from tests.browser.test_exam_page import OPTION_TEXT, enroll, exam_today
from tests.browser.test_registration_pages import cn_date
from tests.support.exam_data import key_of
from tests.support.exam_data import person as candidate
from tests.support.people import person
from tests.support.periods import open_registration_today
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]


def focused(page: Any) -> str:
    """The focused element: its id, or its tag and text."""
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.id || (e.tagName.toLowerCase() + ':' + e.textContent.trim()); }"
        )
    )


def tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until `selector` has the focus (fails after `limit` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}; focus on {focused(page)}")


def test_registration_by_keyboard_alone_with_the_focus_at_each_step(stack: Stack, phone: Any) -> None:
    period = open_registration_today(stack)
    someone = person(3100)
    phone.goto(stack.url)

    # A mistake first: the focus goes to it and it is announced.
    tab_to(phone, "#reg-name")
    phone.keyboard.type(someone.name)
    phone.keyboard.press("Enter")
    expect(phone.locator('[data-error-for="id_number"]')).to_be_visible()
    assert focused(phone) == "reg-id"
    assert phone.locator('[data-error-for="id_number"]').get_attribute("role") == "alert"

    phone.keyboard.type(someone.id_number)
    tab_to(phone, "#reg-phone")
    phone.keyboard.type(someone.phone)
    tab_to(phone, "#reg-email")
    phone.keyboard.type(someone.email)
    tab_to(phone, "#reg-consent")
    phone.keyboard.press("Space")
    tab_to(phone, "#register-form button[type=submit]")
    phone.keyboard.press("Enter")

    expect(phone.locator("#register-preview")).to_be_visible()
    assert focused(phone) == "h2:请核对报名信息"
    tab_to(phone, "#preview-confirm")
    phone.keyboard.press("Enter")
    expect(phone.locator("#register-result")).to_be_visible()
    assert focused(phone) == "h2:报名成功"
    # The notes once on the page, not again on the result card.
    assert phone.locator("main").inner_text().count(period["notes"]) == 1
    expect(phone.locator("#register-result")).not_to_contain_text(period["notes"])
    expect(phone.locator('[data-result="exam_date"]')).to_have_text(cn_date(period["exam_date"]))


def test_the_exam_by_keyboard_alone_with_the_focus_at_each_step(stack: Stack, phone: Any) -> None:
    period_id = exam_today(stack)
    alice = candidate(41)
    enroll(stack, period_id, alice)
    phone.goto(stack.url)
    today = phone.evaluate("JSON.parse(document.getElementById('today-data').textContent).date")
    # The exam page writes dates as every other page does.
    expect(phone.locator("#exam-intro")).to_contain_text(cn_date(today))
    expect(phone.locator("#exam-intro")).to_contain_text("无需重新报名")

    tab_to(phone, "#exam-id")
    phone.keyboard.type(alice.id_number)
    tab_to(phone, "#exam-entry-name")
    phone.keyboard.type("不是本人")
    phone.keyboard.press("Enter")
    error = phone.locator("#exam-entry [data-error-for=_form]")
    expect(error).to_contain_text("没有找到")
    assert error.get_attribute("role") == "alert"
    assert focused(phone) == error.evaluate("e => e.id || 'p:' + e.textContent.trim()")

    phone.fill("#exam-entry-name", "")
    phone.focus("#exam-entry-name")
    phone.keyboard.type(alice.name)
    phone.keyboard.press("Enter")
    expect(phone.locator("#exam-details")).to_be_visible()
    assert focused(phone) == "h2:第 2 步：确认个人信息"
    tab_to(phone, "#exam-phone")
    phone.keyboard.type(alice.phone)
    tab_to(phone, "#exam-email")
    phone.keyboard.type(alice.email)
    phone.keyboard.press("Enter")

    meta = phone.locator("#exam-q-meta")
    expect(meta).to_contain_text("第 1 题 / 共 50 题")
    assert focused(phone) == "exam-q-meta"
    assert phone.locator("h1:visible").count() == 1
    # Answer the first question with the keyboard: Tab into its options; arrows move between
    # a single choice's radios, Space ticks a multiple choice's boxes.
    inputs = phone.locator("#exam-q-options input")
    qid = inputs.first.get_attribute("name").removeprefix("q-")
    values = inputs.evaluate_all("all => all.map(i => i.value)")
    tab_to(phone, "#exam-q-options input")
    if inputs.first.get_attribute("type") == "radio":
        (key,) = key_of(qid)
        phone.keyboard.press("Space")
        for _ in range(values.index(key)):
            phone.keyboard.press("ArrowDown")
    else:
        for position, value in enumerate(values):
            if position:
                phone.keyboard.press("Tab")
            if value in key_of(qid):
                phone.keyboard.press("Space")
    for value in values:
        label = phone.locator("#exam-q-options label", has_text=OPTION_TEXT[value])
        assert label.locator("input").is_checked() == (value in key_of(qid))
    expect(phone.locator("#exam-progress")).to_have_text("1/50")

    tab_to(phone, '#exam-paper [data-action="review"]', limit=80)
    phone.keyboard.press("Enter")
    expect(phone.locator("#exam-review")).to_be_visible()
    assert focused(phone) == "h1:确认交卷"
    assert phone.locator("h1:visible").count() == 1
    tab_to(phone, "#exam-submit", limit=80)
    phone.keyboard.press("Enter")
    expect(phone.locator("#exam-result")).to_be_visible()
    assert focused(phone) == "h2:考试成绩"
    submitted = phone.locator("#exam-submitted-at").inner_text()
    assert re.fullmatch(re.escape(cn_date(today)) + r" \d\d:\d\d", submitted), submitted


def test_a_refusal_that_says_contact_staff_gives_the_numbers_and_hours(stack: Stack, phone: Any) -> None:
    period_id = exam_today(stack)
    alice = candidate(42)
    enroll(stack, period_id, alice)
    phone.goto(stack.url)
    # Too many wrong names: the refusal names whom to call and when.
    for _ in range(6):
        phone.fill("#exam-id", alice.id_number)
        phone.fill("#exam-entry-name", "不是本人")
        phone.click("#exam-entry button[type=submit]")
        expect(phone.locator("#exam-entry [data-error-for=_form]")).to_be_visible()
    error = phone.locator("#exam-entry [data-error-for=_form]")
    expect(error).to_contain_text("请联系工作人员")
    for number, _person in contacts.LINES:
        expect(error).to_contain_text(number)
    expect(error).to_contain_text(contacts.HOURS)


def test_the_countdown_is_read_out_at_ten_and_two_minutes(stack: Stack, phone: Any) -> None:
    period_id = exam_today(stack)
    alice = candidate(43)
    enroll(stack, period_id, alice)
    phone.clock.install()
    phone.goto(stack.url)
    phone.fill("#exam-id", alice.id_number)
    phone.fill("#exam-entry-name", alice.name)
    phone.click("#exam-entry button[type=submit]")
    phone.fill("#exam-phone", alice.phone)
    phone.fill("#exam-email", alice.email)
    phone.click("#exam-details button[type=submit]")
    expect(phone.locator("#exam-q-meta")).to_contain_text("第 1 题")
    announce = phone.locator("#exam-time-announce")
    assert announce.get_attribute("aria-live") == "assertive"
    # The clock itself is not read out every second.
    assert phone.locator("#exam-bar").get_attribute("role") is None
    assert phone.locator("#exam-countdown").get_attribute("aria-live") == "off"
    expect(announce).to_have_text("")

    def seconds_left() -> int:
        parts = [int(p) for p in phone.locator("#exam-countdown").inner_text().split(":")]
        return parts[0] * 3600 + parts[1] * 60 + parts[2] if len(parts) == 3 else parts[0] * 60 + parts[1]

    phone.clock.fast_forward((seconds_left() - 630) * 1000)
    phone.clock.fast_forward(2000)
    expect(announce).to_have_text("")  # 10:30 left: nothing yet
    phone.clock.fast_forward(32_000)
    expect(announce).to_contain_text("10 分钟")
    phone.clock.fast_forward((seconds_left() - 125) * 1000)
    phone.clock.fast_forward(1000)
    expect(announce).to_contain_text("10 分钟")
    phone.clock.fast_forward(6000)
    expect(announce).to_contain_text("2 分钟")
    expect(phone.locator("#exam-time-warning")).to_be_visible()
