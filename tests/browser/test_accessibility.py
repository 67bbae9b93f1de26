"""axe-core on every candidate page state and the staff console's screens: 0 violations of any
impact. One stack per mode (closed, registration, exam) keeps the runs few."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.test_exam_page import answer, enroll, exam_today
from tests.browser.test_registration_pages import fill_form, register_directly
from tests.support.exam_data import person as candidate
from tests.support.people import person, with_wrong_check_character
from tests.support.periods import open_registration_today
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]


def test_closed_lookup_faq_and_the_console_have_no_axe_violation(stack: Stack, phone: Any) -> None:
    phone.goto(stack.url)
    assert phone.locator("#today").get_attribute("data-mode") == "closed"
    assert_accessible(phone, "closed")

    phone.goto(stack.url + "faq")
    assert_accessible(phone, "faq")

    phone.goto(stack.url + "lookup")
    assert_accessible(phone, "lookup")
    phone.fill("#lookup-id", person(3000).id_number)
    phone.fill("#lookup-phone", person(3000).phone)
    phone.click("#lookup-form button[type=submit]")
    expect(phone.locator('#lookup-form [data-error-for="_form"]')).to_contain_text("没有找到")
    assert_accessible(phone, "lookup, nothing found")

    phone.goto(stack.url + "admin")
    expect(phone.locator("#view-signin")).to_be_visible()
    assert_accessible(phone, "console sign-in")
    phone.fill("#signin-token", "hrx_not-a-token")
    phone.click("#signin-form button[type=submit]")
    expect(phone.locator('#signin-form [data-error-for="token"]')).to_be_visible()
    assert_accessible(phone, "console sign-in, refused")
    phone.fill("#signin-token", stack.staff_token)
    phone.click("#signin-form button[type=submit]")
    expect(phone.locator("#periods-status")).to_contain_text("还没有期次")
    assert_accessible(phone, "console periods, empty")
    phone.click("#period-new")
    expect(phone.locator("#period-form")).to_be_visible()
    assert_accessible(phone, "console new period form")

    # A period: its row, its own screen.
    open_registration_today(stack)
    phone.reload()
    expect(phone.locator("#periods-table tbody tr")).to_have_count(1)
    assert_accessible(phone, "console periods")
    phone.click("#periods-table tbody tr >> text=管理")
    expect(phone.locator("#view-period")).to_be_visible()
    assert_accessible(phone, "console period")


def test_every_registration_step_has_no_axe_violation(stack: Stack, phone: Any) -> None:
    open_registration_today(stack)
    first = person(3001)
    register_directly(stack, first)
    phone.goto(stack.url)
    assert phone.locator("#today").get_attribute("data-mode") == "register"
    assert_accessible(phone, "registration form")

    someone = person(3002)
    fill_form(phone, someone, consent=False, id_number=with_wrong_check_character(someone.id_number))
    expect(phone.locator('[data-error-for="consent"]')).to_be_visible()
    assert_accessible(phone, "registration form with mistakes")

    # The same phone as someone registered already: refused at confirm, shown at the field.
    fill_form(phone, someone, phone=first.phone)
    expect(phone.locator("#register-preview")).to_be_visible()
    assert_accessible(phone, "preview")
    phone.click("#preview-confirm")
    expect(phone.locator('#register-form [data-error-for="phone"]')).to_be_visible()
    assert_accessible(phone, "duplicate phone")

    fill_form(phone, someone)
    phone.click("#preview-confirm")
    expect(phone.locator("#register-result")).to_be_visible()
    assert_accessible(phone, "registration result")

    phone.goto(stack.url + "lookup")
    phone.fill("#lookup-id", someone.id_number)
    phone.fill("#lookup-phone", someone.phone)
    phone.click("#lookup-form button[type=submit]")
    expect(phone.locator("#lookup-results .lookup-entry")).to_have_count(1)
    assert_accessible(phone, "lookup results")


def test_every_exam_step_has_no_axe_violation(stack: Stack, phone: Any) -> None:
    period_id = exam_today(stack)
    alice = candidate(31)
    enroll(stack, period_id, alice)
    phone.goto(stack.url)
    assert phone.locator("#today").get_attribute("data-mode") == "exam"
    assert_accessible(phone, "exam entry")

    phone.fill("#exam-id", alice.id_number)
    phone.fill("#exam-entry [name=name]", "不是本人")
    phone.click("#exam-entry button[type=submit]")
    phone.locator("#exam-entry [data-error-for=_form]", has_text="没有找到").wait_for()
    assert_accessible(phone, "exam entry refused")

    phone.fill("#exam-entry [name=name]", alice.name)
    phone.click("#exam-entry button[type=submit]")
    phone.locator("#exam-details").wait_for()
    assert_accessible(phone, "exam details")

    phone.fill("#exam-phone", alice.phone)
    phone.fill("#exam-email", alice.email)
    phone.click("#exam-details button[type=submit]")
    phone.locator("#exam-q-meta", has_text="第 1 题").wait_for()
    assert_accessible(phone, "exam question")
    answer(phone)
    phone.locator("#exam-save-state", has_text="已保存").wait_for()
    assert_accessible(phone, "exam question answered")

    phone.click('#exam-paper [data-action="review"]')
    phone.locator("#exam-review").wait_for()
    assert_accessible(phone, "exam review")
    phone.fill("#review-phone", "123")
    phone.click("#exam-submit")
    expect(phone.locator('#exam-review [data-error-for="phone"]')).to_be_visible()
    assert_accessible(phone, "exam review with a mistake")

    phone.fill("#review-phone", alice.phone)
    phone.click("#exam-submit")
    phone.locator("#exam-result").wait_for()
    assert_accessible(phone, "exam result")
