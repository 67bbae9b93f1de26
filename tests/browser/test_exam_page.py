"""The exam on a phone: enter, answer, reload mid-way, submit, see the score."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib.domain.identity import Contact
from tests.browser.axe import assert_accessible
from tests.browser.screenshots import keep
from tests.support.exam_data import (
    exam_today_body,
    key_of,
    paper_document,
    person,
    question_ids,
    register,
)
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]

OPTION_TEXT = {key: text for key, text in paper_document()["questions"][0]["options"].items()}


def staff(stack: Stack, method: str, path: str, payload: Any) -> Any:
    request = urllib.request.Request(
        stack.url + path.lstrip("/"),
        data=json.dumps(payload).encode(),
        method=method,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {stack.staff_token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def saved_answers(stack: Stack, token: str) -> dict[str, list[str]]:
    request = urllib.request.Request(
        stack.url + "api/exam/paper", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answers: dict[str, list[str]] = json.loads(response.read())["answers"]
        return answers


def exam_today(stack: Stack) -> str:
    """Today's period, created through the staff API so the server's period cache
    learns of it at once, with its paper; registrations go straight to the table."""
    created = staff(
        stack,
        "POST",
        "api/admin/periods",
        exam_today_body("浏览器测试期次"),
    )
    period_id: str = created["period"]["id"]
    staff(stack, "PUT", f"api/admin/periods/{period_id}/paper", paper_document())
    return period_id


def enroll(stack: Stack, period_id: str, contact: Contact) -> None:
    rt = stack.runtime()
    register(rt, rt.periods.get(period_id), contact)


def enter_exam(stack: Stack, phone: Any, contact: Contact) -> None:
    """From the QR code's page to the paper: ID number and name, then the phone and e-mail to confirm."""
    phone.goto(stack.url)
    phone.fill("#exam-id", contact.id_number)
    phone.fill("#exam-entry [name=name]", contact.name)
    phone.click("#exam-entry button[type=submit]")
    phone.fill("#exam-phone", contact.phone)
    phone.fill("#exam-email", contact.email)
    phone.click("#exam-details button[type=submit]")


def current_question(phone: Any) -> str:
    """The paper's id of the question on screen (the page lists this attempt's own order)."""
    name: str = phone.locator("#exam-q-options input").first.get_attribute("name")
    return name.removeprefix("q-")


def answer(phone: Any) -> str:
    """Answer the question on screen with its key, clicking the options by their text
    (their letters are positions on this phone, not the paper's keys); its id."""
    qid = current_question(phone)
    for key in key_of(qid):
        phone.locator("#exam-q-options label", has_text=OPTION_TEXT[key]).click()
    return qid


def fits_the_screen(phone: Any) -> None:
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_candidate_sits_the_exam_and_a_reload_loses_nothing(stack: Stack, phone: Any) -> None:
    period_id = exam_today(stack)
    alice, bob = person(1), person(2)
    enroll(stack, period_id, alice)
    enroll(stack, period_id, bob)

    phone.goto(stack.url)
    assert phone.locator("#today").get_attribute("data-mode") == "exam"
    keep(phone, "06-exam-entry")
    phone.fill("#exam-id", alice.id_number.lower())
    # Bob's name with Alice's ID number: refused exactly as an unregistered ID number.
    phone.fill("#exam-entry [name=name]", bob.name)
    phone.click("#exam-entry button[type=submit]")
    phone.locator("#exam-entry [data-error-for=_form]", has_text="没有找到").wait_for()
    assert phone.locator("#exam-details").is_hidden()
    phone.fill("#exam-entry [name=name]", f" {alice.name} ")
    phone.click("#exam-entry button[type=submit]")

    details = phone.locator("#exam-details")
    details.wait_for()
    assert phone.input_value("#exam-name") == alice.name
    assert alice.phone[-4:] in details.inner_text()
    assert alice.id_number not in phone.content()
    # Bob's phone: refused only at submit, where it can be corrected.
    phone.fill("#exam-phone", bob.phone)
    phone.fill("#exam-email", alice.email)
    fits_the_screen(phone)
    keep(phone, "07-exam-details", "#exam-details")
    phone.click("#exam-details button[type=submit]")

    phone.locator("#exam-q-meta", has_text="第 1 题 / 共 50 题").wait_for()
    assert phone.locator("#exam-countdown").inner_text() != "--:--"
    fits_the_screen(phone)
    answered = []
    for _ in range(10):
        answered.append(answer(phone))
        phone.click('#exam-paper [data-action="next"]')
    assert sorted(answered) != sorted(question_ids()[:10])  # this attempt's own order
    phone.locator("#exam-save-state", has_text="已保存").wait_for()
    assert phone.locator("#exam-progress").inner_text() == "10/50"
    keep(phone, "08-exam-question")

    phone.reload()
    phone.locator("#exam-q-meta", has_text="第 11 题 / 共 50 题").wait_for()
    assert phone.locator("#exam-progress").inner_text() == "10/50"
    assert phone.locator("#exam-nav button.answered").count() == 10
    phone.click('#exam-nav button[data-goto="0"]')
    assert current_question(phone) == answered[0]
    for key in key_of(answered[0]):
        assert phone.locator(f"#exam-q-options input[value={key}]").is_checked()
    token = phone.evaluate("id => JSON.parse(localStorage.getItem('hr-exam:v1:' + id)).token", period_id)
    assert saved_answers(stack, token) == {qid: key_of(qid) for qid in answered}

    # Before submitting, the unanswered questions are listed.
    phone.click('#exam-paper [data-action="review"]')
    assert "还有 40 道题未作答" in phone.locator("#exam-unanswered-summary").inner_text()
    assert phone.locator("#exam-unanswered button").count() == 40
    keep(phone, "09-exam-review", "#exam-unanswered-summary")
    phone.click('#exam-unanswered button[data-goto="10"]')
    for _ in range(40):
        answered.append(answer(phone))
        phone.click('#exam-paper [data-action="next"]')
    assert "全部 50 道题均已作答" in phone.locator("#exam-unanswered-summary").inner_text()

    phone.click("#exam-submit")
    phone_error = phone.locator('#exam-review [data-error-for="phone"]')
    phone_error.wait_for()
    assert "该手机号已被其他身份证号使用" in phone_error.inner_text()
    phone.fill("#review-phone", alice.phone)
    phone.click("#exam-submit")

    phone.locator("#exam-result").wait_for()
    assert phone.locator("#exam-score").inner_text() == "100"
    assert "通过" in phone.locator("#exam-verdict").inner_text()
    assert "5 个工作日" in phone.locator("#exam-next").inner_text()
    fits_the_screen(phone)
    keep(phone, "10-exam-passed", "#exam-result")
    phone.reload()
    phone.locator("#exam-result").wait_for()
    assert phone.locator("#exam-score").inner_text() == "100"


def test_answers_made_offline_reach_the_server_when_the_connection_returns(stack: Stack, phone: Any) -> None:
    period_id = exam_today(stack)
    alice = person(3)
    enroll(stack, period_id, alice)
    enter_exam(stack, phone, alice)
    phone.locator("#exam-q-meta", has_text="第 1 题").wait_for()

    phone.context.set_offline(True)
    qid = answer(phone)
    phone.locator("#exam-save-state", has_text="网络不畅").wait_for()
    phone.context.set_offline(False)
    phone.locator("#exam-save-state", has_text="已保存").wait_for(timeout=15000)
    token = phone.evaluate("id => JSON.parse(localStorage.getItem('hr-exam:v1:' + id)).token", period_id)
    assert saved_answers(stack, token) == {qid: key_of(qid)}


def test_the_exam_page_reloads_without_a_connection_and_keeps_the_queued_answers(
    stack: Stack, phone: Any
) -> None:
    period_id = exam_today(stack)
    alice = person(4)
    enroll(stack, period_id, alice)
    enter_exam(stack, phone, alice)
    phone.locator("#exam-q-meta", has_text="第 1 题").wait_for()
    first = answer(phone)
    phone.locator("#exam-save-state", has_text="已保存").wait_for()
    # The service worker has kept the page and its assets once it is active.
    ready = (
        "Promise.race([navigator.serviceWorker.ready.then(r => !!r.active),"
        " new Promise(r => setTimeout(r, 5000, false))])"
    )
    assert phone.evaluate(ready)

    phone.context.set_offline(True)
    phone.click('#exam-paper [data-action="next"]')
    phone.locator("#exam-q-meta", has_text="第 2 题").wait_for()
    second = answer(phone)
    phone.locator("#exam-save-state", has_text="网络不畅").wait_for()
    phone.reload()
    expect(phone.locator("#exam-notice")).to_contain_text("现在没有网络")
    phone.locator("#exam-q-meta", has_text="第 2 题").wait_for()
    assert phone.locator("#exam-q-options input:checked").count() == len(key_of(second))

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.locator("#exam-save-state", has_text="已保存").wait_for(timeout=15000)
    token = phone.evaluate("id => JSON.parse(localStorage.getItem('hr-exam:v1:' + id)).token", period_id)
    assert saved_answers(stack, token) == {first: key_of(first), second: key_of(second)}


def test_a_failing_candidate_is_told_to_study_and_register_again(stack: Stack, phone: Any) -> None:
    period_id = exam_today(stack)
    alice = person(4)
    enroll(stack, period_id, alice)
    enter_exam(stack, phone, alice)
    phone.locator("#exam-q-meta", has_text="第 1 题").wait_for()
    answer(phone)
    phone.click('#exam-paper [data-action="review"]')
    assert "还有 49 道题未作答" in phone.locator("#exam-unanswered-summary").inner_text()
    phone.click("#exam-submit")
    phone.locator("#exam-result").wait_for()
    assert phone.locator("#exam-score").inner_text() == "2"
    assert "未通过" in phone.locator("#exam-verdict").inner_text()
    assert "下一期" in phone.locator("#exam-next").inner_text()
    keep(phone, "11-exam-failed", "#exam-result")


def candidate(stack: Stack, method: str, path: str, payload: Any, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        stack.url + path,
        data=json.dumps(payload).encode() if payload is not None else None,
        method=method,
        headers=headers,
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_a_failed_candidate_entering_again_sees_the_score_and_the_feedback_by_topic(
    stack: Stack, phone: Any
) -> None:
    from tests.support.bank_data import TOPICS, bank_items, blueprint, keys

    created = staff(stack, "POST", "api/admin/periods", exam_today_body("题库考试期次"))
    period_id: str = created["period"]["id"]
    staff(stack, "PUT", "api/admin/bank", {"items": bank_items()})
    staff(stack, "PUT", f"api/admin/periods/{period_id}/blueprint", blueprint())
    alice = person(8)
    enroll(stack, period_id, alice)
    # Alice sat the exam on another phone and answered her first 10 questions right.
    token = candidate(stack, "POST", "api/exam/sessions", {"id_number": alice.id_number, "name": alice.name})[
        "token"
    ]
    ids = [q["id"] for q in candidate(stack, "GET", "api/exam/paper", None, token)["questions"]]
    details = {"name": alice.name, "phone": alice.phone, "email": alice.email}
    answers = {qid: keys()[qid] for qid in ids[:10]}
    result = candidate(stack, "POST", "api/exam/submit", {**details, "answers": answers}, token)["result"]
    assert result["score"] == 20 and result["feedback"]["topics"]
    # On this phone she enters again: the page shows the result the first one showed.
    phone.goto(stack.url)
    phone.fill("#exam-id", alice.id_number)
    phone.fill("#exam-entry [name=name]", alice.name)
    phone.click("#exam-entry button[type=submit]")
    phone.locator("#exam-result").wait_for()
    assert phone.locator("#exam-score").inner_text() == "20"
    assert "未通过" in phone.locator("#exam-verdict").inner_text()
    feedback = phone.locator("#exam-feedback")
    expect(feedback).to_be_visible()
    shown = phone.locator("#exam-feedback li").all_inner_texts()
    assert shown == [f"{t['topic']} {t['right']}/{t['total']}" for t in result["feedback"]["topics"]]
    assert {line.split(" ")[0] for line in shown} <= set(TOPICS)
    assert "建议重点复习" in feedback.inner_text()
    text = phone.locator("#exam-result").inner_text()
    assert not any(qid in text for qid in ids)  # counts only, never a question
    fits_the_screen(phone)
    assert_accessible(phone, "the result with feedback by topic, on entering again")


def test_the_page_shows_this_attempts_order_with_letters_by_position(stack: Stack, phone: Any) -> None:
    period_id = exam_today(stack)
    alice = person(5)
    enroll(stack, period_id, alice)
    enter_exam(stack, phone, alice)
    phone.locator("#exam-q-meta", has_text="第 1 题").wait_for()
    token = phone.evaluate("id => JSON.parse(localStorage.getItem('hr-exam:v1:' + id)).token", period_id)
    headers = {"Authorization": f"Bearer {token}"}
    request = urllib.request.Request(stack.url + "api/exam/paper", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        first = json.loads(response.read())["questions"][0]
    assert current_question(phone) == first["id"]
    values = phone.locator("#exam-q-options input").evaluate_all("inputs => inputs.map(i => i.value)")
    assert values == first["order"]
    labels = phone.locator("#exam-q-options label").all_inner_texts()
    assert [label.strip() for label in labels] == [
        f"{letter}. {first['options'][key]}" for letter, key in zip("ABCD", first["order"], strict=True)
    ]


def countdown_seconds(phone: Any) -> int:
    # Right after a (re)load the countdown reads "--:--" until the session's end is known.
    countdown = phone.locator("#exam-countdown")
    expect(countdown).to_have_text(re.compile(r"^\d+(:\d+)+$"))
    parts = [int(p) for p in countdown.inner_text().split(":")]
    return parts[0] * 3600 + parts[1] * 60 + parts[2] if len(parts) == 3 else parts[0] * 60 + parts[1]


def test_extra_minutes_given_by_staff_show_in_the_countdown_after_a_reload(stack: Stack, phone: Any) -> None:
    period_id = exam_today(stack)
    alice = person(5)
    enroll(stack, period_id, alice)
    enter_exam(stack, phone, alice)
    expect(phone.locator("#exam-q-meta")).to_contain_text("第 1 题")
    before = countdown_seconds(phone)
    found = urllib.request.Request(
        stack.url + f"api/admin/people?phone={alice.phone}",
        headers={"Authorization": f"Bearer {stack.staff_token}"},
    )
    with urllib.request.urlopen(found, timeout=30) as response:
        ref = json.loads(response.read())["people"][0]["person"]
    path = f"api/admin/people/{ref}/registrations/{period_id}/extra-time"
    given = staff(stack, "POST", path, {"minutes": 20, "reason": "考生手机没电，更换设备"})
    assert given["registration"]["extra_minutes"] == 20
    phone.reload()
    expect(phone.locator("#exam-q-meta")).to_contain_text("第 1 题")
    after = countdown_seconds(phone)
    # Twenty minutes more, less the seconds the reload took.
    assert 20 * 60 - 60 <= after - before <= 20 * 60 + 2, (before, after)
    assert_accessible(phone, "exam, after a reload with extra minutes")
