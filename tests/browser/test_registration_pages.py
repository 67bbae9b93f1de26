"""The registration, lookup and FAQ pages in a phone's Chromium, against `make run`'s stack.

Real Beijing dates: `chalice local` runs on the real clock.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.screenshots import keep
from tests.support.people import Person, person, with_wrong_check_character
from tests.support.periods import open_registration_today
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]

WEEKDAYS = "一二三四五六日"


def cn_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def register_directly(stack: Stack, someone: Person) -> None:
    request = urllib.request.Request(
        stack.url + "api/registrations",
        data=json.dumps(someone.registration()).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201


def fill_form(page: Any, someone: Person, consent: bool = True, **typed: str) -> None:
    page.fill("#reg-name", typed.get("name", someone.name))
    page.fill("#reg-id", typed.get("id_number", someone.id_number))
    page.fill("#reg-phone", typed.get("phone", someone.phone))
    page.fill("#reg-email", typed.get("email", someone.email))
    if consent:
        page.check("#reg-consent")
    page.click("#register-form button[type=submit]")


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= 360)


def test_register_preview_confirm_and_see_the_exam_date(stack, phone):
    period = open_registration_today(stack)
    someone = person(2000)
    phone.goto(stack.url)
    assert phone.locator("#today").get_attribute("data-mode") == "register"
    expect(phone.locator(".notice")).to_contain_text("个人信息保护说明")
    expect(phone.locator(".notice")).to_contain_text("保存期限")
    keep(phone, "01-register-form")

    n = someone.phone
    fill_form(
        phone,
        someone,
        name=f"  {someone.name} ",
        id_number=f"{someone.id_number[:6]} {someone.id_number[6:]}",
        phone=f"+86 {n[:3]}-{n[3:7]}-{n[7:]}",
        email="  Candidate2000@EXAMPLE.COM",
    )

    preview = phone.locator("#register-preview")
    expect(preview).to_be_visible()
    expect(phone.locator("#register-form")).to_be_hidden()
    # Exactly what will be stored: normalised, in full (it is the candidate's own screen).
    assert preview.locator('[data-preview="name"]').inner_text() == someone.name
    assert preview.locator('[data-preview="id_number"]').inner_text() == someone.id_number
    assert preview.locator('[data-preview="phone"]').inner_text() == someone.phone
    assert preview.locator('[data-preview="email"]').inner_text() == "Candidate2000@example.com"
    assert no_horizontal_scroll(phone)
    keep(phone, "02-register-preview", "#register-preview")

    phone.click("#preview-confirm")
    result = phone.locator("#register-result")
    expect(result).to_be_visible()
    expect(result).to_contain_text("报名成功")
    expect(result.locator('[data-result="exam_date"]')).to_have_text(cn_date(period["exam_date"]))
    expect(result.locator('[data-result="exam_time"]')).to_have_text(
        f"{period['exam_start']}–{period['exam_end']}"
    )
    # The notes stay in the period's card above, not repeated on the result.
    expect(result).not_to_contain_text(period["notes"])
    expect(phone.locator("main")).to_contain_text(period["notes"])
    expect(result).to_contain_text("日历")
    expect(result).to_contain_text("截屏")
    # Masked on the result card, and the full number is gone from the page.
    expect(result.locator('[data-result="id_number_masked"]')).to_have_text(
        someone.id_number[:3] + "*" * 11 + someone.id_number[-4:]
    )
    assert someone.id_number not in phone.content()
    assert no_horizontal_scroll(phone)
    keep(phone, "03-registered", "#register-result")


def test_a_duplicate_phone_shows_its_message_at_the_phone_field(stack, phone):
    open_registration_today(stack)
    first = person(2001)
    register_directly(stack, first)
    phone.goto(stack.url)
    fill_form(phone, person(2002, phone=first.phone))
    phone.click("#preview-confirm")

    error = phone.locator('#register-form [data-error-for="phone"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text("该手机号已被其他身份证号使用")
    expect(phone.locator("#register-preview")).to_be_hidden()
    assert phone.locator("#reg-phone").get_attribute("aria-invalid") == "true"
    keep(phone, "04-duplicate-phone", "#reg-phone")
    # The other fields carry no error.
    for field in ("name", "id_number", "email", "consent"):
        expect(phone.locator(f'#register-form [data-error-for="{field}"]')).to_be_hidden()


def test_an_id_number_registered_already_is_told_at_its_field_with_the_exam_time(stack, phone):
    period = open_registration_today(stack)
    someone = person(2003)
    register_directly(stack, someone)
    phone.goto(stack.url)
    fill_form(phone, someone, phone=person(2004).phone, email=person(2004).email)
    phone.click("#preview-confirm")
    error = phone.locator('#register-form [data-error-for="id_number"]')
    expect(error).to_contain_text("已报名本期考试")
    exam = dt.date.fromisoformat(period["exam_date"])
    expect(error).to_contain_text(f"{exam.year}年{exam.month}月{exam.day}日")


def test_mistakes_are_shown_at_their_fields_before_the_preview(stack, phone):
    open_registration_today(stack)
    someone = person(2005)
    phone.goto(stack.url)
    fill_form(phone, someone, consent=False, id_number=with_wrong_check_character(someone.id_number))
    expect(phone.locator('[data-error-for="id_number"]')).to_contain_text("校验位")
    expect(phone.locator('[data-error-for="consent"]')).to_contain_text("勾选")
    expect(phone.locator("#register-preview")).to_be_hidden()
    # The first problem in the form's order has the focus.
    assert phone.evaluate("document.activeElement.id") == "reg-id"


def test_lookup_finds_the_registration_and_a_wrong_phone_finds_nothing(stack, phone):
    period = open_registration_today(stack)
    someone = person(2006)
    register_directly(stack, someone)

    phone.goto(stack.url + "lookup")
    phone.fill("#lookup-id", someone.id_number)
    phone.fill("#lookup-phone", person(2007).phone)
    phone.click("#lookup-form button[type=submit]")
    expect(phone.locator('#lookup-form [data-error-for="_form"]')).to_contain_text("没有找到")
    expect(phone.locator("#lookup-results")).to_be_hidden()

    phone.fill("#lookup-phone", someone.phone)
    phone.click("#lookup-form button[type=submit]")
    entry = phone.locator("#lookup-results .lookup-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(period["name"])
    expect(entry).to_contain_text(cn_date(period["exam_date"]))
    expect(entry).to_contain_text("已报名，待考试")
    expect(phone.locator('#lookup-form [data-error-for="_form"]')).to_be_hidden()
    assert no_horizontal_scroll(phone)
    keep(phone, "05-lookup", "#lookup-results")


def test_faq_answers_and_contacts_render_at_phone_width(stack, phone):
    phone.goto(stack.url + "faq")
    page = phone.locator("main")
    for text in (
        "考试当天不办理报名",
        "下一个工作日",
        "预览页",
        "同事替您",
        "本人的手机号",
        "35 道单选题和 15 道多选题",
        "80%",
        "60 分及格",
        "5 个工作日",
        "下一期考试",
        "010-64400680",
        "苑老师",
        "010-69554485",
        "王老师",
        "9:00–11:00",
        "13:00–16:00",
    ):
        expect(page).to_contain_text(text)
    assert no_horizontal_scroll(phone)
    phone.click("footer >> text=查询报名与成绩")
    expect(phone.locator("#lookup-form")).to_be_visible()


def test_an_unreachable_server_keeps_the_preview_and_says_so(stack, phone):
    open_registration_today(stack)
    phone.goto(stack.url)
    fill_form(phone, person(2008))
    phone.route("**/api/registrations", lambda route: route.abort())
    phone.click("#preview-confirm")
    expect(phone.locator('#register-preview [data-error-for="_form"]')).to_contain_text("网络")
    expect(phone.locator("#register-preview")).to_be_visible()
    phone.unroute("**/api/registrations")
    phone.click("#preview-confirm")
    expect(phone.locator("#register-result")).to_be_visible()


def test_lookup_says_so_when_the_network_fails(stack, phone):
    phone.goto(stack.url + "lookup")
    phone.route("**/api/registrations/lookup", lambda route: route.abort())
    phone.fill("#lookup-id", person(2009).id_number)
    phone.fill("#lookup-phone", person(2009).phone)
    phone.click("#lookup-form button[type=submit]")
    expect(phone.locator('#lookup-form [data-error-for="_form"]')).to_contain_text("网络")
