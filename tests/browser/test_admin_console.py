"""The staff console in Chromium, on a desktop and on a phone, against `make run`'s stack.

Real Beijing dates: `chalice local` runs on the real clock, so periods are
created relative to today.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from chalicelib import clock
from chalicelib.domain.papers import parse_paper
from ops.demo import demo_paper
from tests.support.exam_data import (
    answers_scoring,
    exam_today_body,
    paper_document,
    register,
    wrong_of,
)
from tests.support.exam_data import person as candidate
from tests.support.people import person
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]


def send(stack: Stack, method: str, path: str, payload: Any, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        stack.url + path, data=json.dumps(payload).encode(), method=method, headers=headers
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def late_answers(matches: str, ms: int | str = 700, then: str = "") -> str:
    """An init script that holds back, by `ms`, the answers to the page's fetches whose `url`
    the JavaScript expression `matches` accepts, running `then` as each is let through: what a
    busy server or a slow phone network does to one request beside the others. `ms` may be a
    JavaScript expression of `n`, the held fetch's place among them (1 for the first)."""
    return f"""
(function () {{
  var original = window.fetch, held = 0;
  window.fetch = function (url) {{
    var answer = original.apply(this, arguments);
    url = String(url);
    if (!({matches})) return answer;
    var n = ++held, ms = {ms};
    return answer.then(function (response) {{
      return new Promise(function (resolve) {{
        setTimeout(function () {{ {then} resolve(response); }}, ms);
      }});
    }});
  }};
}})();
"""


def sign_in(page: Any, stack: Stack) -> None:
    page.goto(stack.url + "admin")
    page.fill("#signin-token", stack.staff_token)
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#view-periods")).to_be_visible()


def decode_qr(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found, "no QR code in the screenshot"
    return str(found[0].text)


def fits(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_staff_sign_in_create_a_period_upload_a_paper_see_stats_registrations_and_the_qr(
    stack: Stack, desk: Any
) -> None:
    desk.goto(stack.url + "admin")
    expect(desk.locator("#view-signin")).to_be_visible()
    expect(desk.locator("#admin-nav")).to_be_hidden()
    desk.fill("#signin-token", "hrx_not-a-token")
    desk.click("#signin-form button[type=submit]")
    expect(desk.locator('#signin-form [data-error-for="token"]')).to_contain_text("无效")

    desk.fill("#signin-token", f"Bearer {stack.staff_token}")
    desk.click("#signin-form button[type=submit]")
    expect(desk.locator("#periods-status")).to_contain_text("还没有期次")
    assert desk.evaluate("sessionStorage.getItem('hr-staff-token')") == stack.staff_token
    assert desk.evaluate("localStorage.length") == 0

    # Create a period; the registration window is left to its default.
    exam = clock.today() + dt.timedelta(days=14)
    desk.click("#period-new")
    desk.fill("#period-exam-date", exam.isoformat())
    desk.locator("#period-exam-date").dispatch_event("change")
    expect(desk.locator("#period-name")).to_have_value(f"{exam.year}年{exam.month}月培训考试")
    desk.fill("#period-name", "控制台测试期次")
    desk.fill("#period-notes", "开卷考试，60 分及格。")
    desk.click("#period-form button[type=submit]")
    expect(desk.locator("#periods-flash")).to_contain_text("已创建“控制台测试期次”")
    row = desk.locator("#periods-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(exam.isoformat())
    expect(row).to_contain_text(f"{clock.today().isoformat()} 至 {(exam - dt.timedelta(days=1)).isoformat()}")
    expect(row).to_contain_text("报名中")
    expect(row).to_contain_text("未上传")

    # A bad one: its mistakes are shown at their fields.
    desk.click("#period-new")
    desk.fill("#period-exam-date", exam.isoformat())
    desk.fill("#period-name", "重复日期")
    desk.click("#period-form button[type=submit]")
    expect(desk.locator('#period-form [data-error-for="exam_date"]')).to_contain_text("已有考试期次")
    assert desk.locator("#period-exam-date").get_attribute("aria-invalid") == "true"
    desk.fill("#period-exam-date", (exam + dt.timedelta(days=30)).isoformat())
    desk.fill("#period-exam-start", "11:00")
    desk.fill("#period-exam-end", "10:00")
    desk.click("#period-form button[type=submit]")
    expect(desk.locator('#period-form [data-error-for="exam_end"]')).to_contain_text("晚于开始时间")
    expect(desk.locator('#period-form [data-error-for="exam_date"]')).to_be_hidden()
    desk.click("#period-cancel")
    expect(desk.locator("#period-form")).to_be_hidden()

    someone = person(4100)
    send(stack, "POST", "api/registrations", someone.registration())

    # The paper: a broken one names its first problem, the demo paper is accepted.
    desk.click("#periods-table tbody tr >> text=管理")
    expect(desk.locator("#period-title")).to_have_text("控制台测试期次")
    expect(desk.locator("#paper-state")).to_contain_text("尚未上传")
    broken = paper_document()
    broken["questions"][12]["answer"] = ["A", "B"]
    desk.set_input_files(
        "#paper-file",
        files=[
            {"name": "broken.json", "mimeType": "application/json", "buffer": json.dumps(broken).encode()}
        ],
    )
    desk.click("#paper-submit")
    error = desk.locator('#paper-form [data-error-for="paper"]')
    expect(error).to_contain_text("第 13 题（s13）")
    expect(error).to_contain_text("单选题")
    desk.set_input_files(
        "#paper-file",
        files=[{"name": "not.json", "mimeType": "application/json", "buffer": b'{"title": '}],
    )
    desk.click("#paper-submit")
    expect(error).to_contain_text("不是有效的 JSON")
    desk.set_input_files(
        "#paper-file",
        files=[
            {
                "name": "paper.json",
                "mimeType": "application/json",
                "buffer": json.dumps(demo_paper(), ensure_ascii=False).encode(),
            }
        ],
    )
    desk.click("#paper-submit")
    expect(desk.locator("#paper-result")).to_contain_text("共 50 题，总分 100 分，60 分及格")
    expect(error).to_be_hidden()
    expect(desk.locator("#period-facts")).to_contain_text("已上传")
    expect(desk.locator("#paper-submit")).to_have_text("替换试卷")

    # The template downloads as a paper that can be uploaded as it is.
    desk.click("details.format summary")
    with desk.expect_download() as downloading:
        desk.click("#paper-template")
    template = json.loads(Path(downloading.value.path()).read_text(encoding="utf-8"))
    assert len(parse_paper(template).questions) == 50

    desk.click("#period-tabs a[data-tab=stats]")
    tiles = desk.locator("#stats-tiles .tile")
    expect(tiles.nth(0)).to_contain_text("1")
    expect(tiles.nth(0)).to_contain_text("报名")
    expect(desk.locator("#stats-status")).to_contain_text("还没有人交卷")

    desk.click("#period-tabs a[data-tab=registrations]")
    registration = desk.locator("#registrations-table tbody tr")
    expect(registration).to_have_count(1)
    for shown in (someone.name, someone.id_number, someone.phone, someone.email.lower(), "已报名"):
        expect(registration).to_contain_text(shown)
    expect(desk.locator("#registrations-more")).to_be_hidden()

    # The QR code, shown through a signed link to its own URL (no blob:), decodes to the entry page.
    desk.click("#admin-nav a[data-nav=qr]")
    image = desk.locator("#qr-image")
    expect(image).to_be_visible()
    assert (image.get_attribute("src") or "").startswith("/api/admin/qr.svg?link=")
    # The image's load event clears the status line; a CSP refusal would leave it.
    expect(desk.locator("#qr-status")).to_have_text("")
    assert image.evaluate("img => img.naturalWidth") > 0
    assert decode_qr(image.screenshot()) == stack.url
    with desk.expect_download() as downloading:
        desk.click("#qr-png")
    assert decode_qr(Path(downloading.value.path()).read_bytes()) == stack.url

    # Printed, it is a poster: the code large, the association's name, one line of instruction.
    desk.emulate_media(media="print")
    expect(desk.locator("#admin-nav")).to_be_hidden()
    expect(desk.locator("header.site")).to_be_hidden()
    expect(desk.locator("#qr-print")).to_be_hidden()
    expect(desk.locator("#poster")).to_contain_text("北京市人力资源服务行业协会")
    expect(desk.locator("#poster")).to_contain_text("扫码报名 · 考试日扫码参加考试")
    box = image.bounding_box()
    assert box is not None and box["width"] > 480  # 140 mm
    assert decode_qr(desk.screenshot(full_page=True)) == stack.url
    desk.emulate_media(media="screen")

    desk.click("#sign-out")
    expect(desk.locator("#view-signin")).to_be_visible()
    assert desk.evaluate("sessionStorage.getItem('hr-staff-token')") is None
    assert someone.id_number not in desk.content()
    desk.reload()
    expect(desk.locator("#view-signin")).to_be_visible()
    expect(desk.locator("#admin-nav")).to_be_hidden()


def test_a_refused_token_mid_session_returns_to_sign_in_with_the_servers_message(
    stack: Stack, desk: Any
) -> None:
    sign_in(desk, stack)
    # The token is revoked while the tab is open: the next call is refused.
    desk.evaluate("sessionStorage.setItem('hr-staff-token', 'hrx_revoked')")
    desk.reload()
    expect(desk.locator("#view-signin")).to_be_visible()
    expect(desk.locator('#signin-form [data-error-for="token"]')).to_have_text("工作人员令牌无效或已吊销。")
    assert desk.evaluate("sessionStorage.getItem('hr-staff-token')") is None


def exam_today_with_results(stack: Stack) -> tuple[str, list[str]]:
    """Today's exam, four registered, three submitted: nobody gets m15 right, one of three s2."""
    created = send(
        stack,
        "POST",
        "api/admin/periods",
        exam_today_body("统计测试期次"),
        stack.staff_token,
    )
    period_id: str = created["period"]["id"]
    send(stack, "PUT", f"api/admin/periods/{period_id}/paper", paper_document(), stack.staff_token)
    rt = stack.runtime()
    period = next(p for p in rt.repo.list_periods() if p.id == period_id)
    people = [candidate(n) for n in (1, 2, 3, 4)]
    for contact in people:
        register(rt, period, contact)
    wrong = {"m15": wrong_of("m15"), "s2": wrong_of("s2")}
    sheets = [
        {**answers_scoring(100), "m15": wrong["m15"]},  # 98
        {**answers_scoring(100), **wrong},  # 96
        {**answers_scoring(40), **wrong},  # 38: s1..s20 right but s2
    ]
    for contact, answers in zip(people, sheets, strict=False):
        session = send(
            stack, "POST", "api/exam/sessions", {"id_number": contact.id_number, "name": contact.name}
        )
        body = {"name": contact.name, "phone": contact.phone, "email": contact.email, "answers": answers}
        # `send` raises on any refusal; a scored submission answers with its result.
        assert "result" in send(stack, "POST", "api/exam/submit", body, session["token"])
    return period_id, [c.id_number for c in people]


def test_on_a_phone_stats_put_the_hardest_questions_first(stack: Stack, phone: Any) -> None:
    period_id, _ = exam_today_with_results(stack)
    sign_in(phone, stack)
    fits(phone, 360)
    row = phone.locator(f'#periods-table tr[data-period="{period_id}"]')
    expect(row).to_contain_text("今日考试")
    expect(row).to_contain_text("已上传")
    row.locator("text=管理").click()
    phone.click("#period-tabs a[data-tab=stats]")
    tiles = phone.locator("#stats-tiles .tile-value")
    expect(tiles).to_have_text(["4", "3", "3", "2", "66.7%"])
    rows = phone.locator("#stats-questions tbody tr")
    expect(rows).to_have_count(50)
    # m15: nobody right; s2: one of three; the rest two or three of three, in the paper's order.
    expect(rows.nth(0)).to_have_attribute("data-question", "m15")
    expect(rows.nth(0)).to_contain_text("0%")
    expect(rows.nth(0)).to_contain_text("多选题 15")
    expect(rows.nth(0)).to_have_class("hard")
    expect(rows.nth(1)).to_have_attribute("data-question", "s2")
    expect(rows.nth(1)).to_contain_text("33.3%")
    expect(rows.nth(1)).to_have_class("hard")
    expect(rows.nth(2)).to_contain_text("66.7%")
    expect(rows.nth(2)).not_to_have_class("hard")
    expect(rows.nth(49)).to_contain_text("100%")
    expect(rows.nth(49)).not_to_have_class("hard")
    fits(phone, 360)

    phone.click("#period-tabs a[data-tab=registrations]")
    expect(phone.locator("#registrations-table tbody tr")).to_have_count(4)
    expect(phone.locator("#registrations-table tbody tr.status-passed")).to_have_count(2)
    fits(phone, 360)
    phone.click("#admin-nav a[data-nav=qr]")
    expect(phone.locator("#qr-image")).to_be_visible()
    fits(phone, 360)


def next_week_period(stack: Stack, name: str) -> Any:
    """A period examining a week from today, made through the staff API."""
    body = {
        "name": name,
        "exam_date": (clock.today() + dt.timedelta(days=7)).isoformat(),
        "exam_start": "09:00",
        "exam_end": "11:00",
        "notes": "",
    }
    return send(stack, "POST", "api/admin/periods", body, stack.staff_token)["period"]


def test_registrations_come_page_by_page_with_load_more(stack: Stack, desk: Any) -> None:
    period = next_week_period(stack, "分页测试期次")
    people = [person(4200 + n) for n in range(3)]
    for someone in people:
        send(stack, "POST", "api/registrations", someone.registration())
    # Pages of 2 instead of 50, so three people need the cursor.
    desk.route(
        "**/registrations?limit=50*",
        lambda route: route.continue_(url=route.request.url.replace("limit=50", "limit=2")),
    )
    sign_in(desk, stack)
    desk.goto(f"{stack.url}admin#period/{period['id']}/registrations")
    rows = desk.locator("#registrations-table tbody tr")
    expect(rows).to_have_count(2)
    expect(desk.locator("#registrations-status")).to_contain_text("还有更多")
    desk.click("#registrations-more")
    expect(rows).to_have_count(3)
    expect(desk.locator("#registrations-more")).to_be_hidden()
    expect(desk.locator("#registrations-status")).to_contain_text("已全部显示")
    shown = desk.locator("#registrations-table tbody").inner_text()
    assert all(someone.id_number in shown for someone in people)


def test_export_sends_now_and_says_when_there_is_nothing_new(stack: Stack, desk: Any) -> None:
    """The console against the contract's answer of `POST /api/admin/periods/{id}/export`.

    The answers are the contract's shapes, fulfilled in the browser: the route's own
    behaviour (who is sent, exactly once) is the export's tests' business."""
    period = next_week_period(stack, "导出测试期次")
    sent: list[Any] = []
    answers = [
        (
            200,
            {
                "export": {
                    "period_id": period["id"],
                    "count": 2,
                    "csv_key": f"exports/{period['id']}/passers.csv",
                    "xlsx_key": f"exports/{period['id']}/passers.xlsx",
                    "recipients": ["export@example.org", "hr-system@example.org"],
                }
            },
        ),
        (
            200,
            {
                "export": {
                    "period_id": period["id"],
                    "count": 0,
                    "csv_key": None,
                    "xlsx_key": None,
                    "recipients": ["export@example.org"],
                }
            },
        ),
        (409, {"error": {"code": "export_running", "message": "本期正在导出，请稍后再试。"}}),
    ]

    def fulfil(route: Any) -> None:
        sent.append((route.request.headers.get("authorization"), route.request.post_data_json))
        status, body = answers[len(sent) - 1]
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

    desk.route("**/api/admin/periods/*/export", fulfil)
    sign_in(desk, stack)
    desk.goto(f"{stack.url}admin#period/{period['id']}/export")
    desk.check("#export-full")
    desk.click("#export-form button[type=submit]")
    result = desk.locator("#export-result")
    expect(result).to_contain_text("已导出 2 名通过人员")
    for shown in ("export@example.org", "hr-system@example.org", "passers.csv", "passers.xlsx"):
        expect(result).to_contain_text(shown)
    assert sent[0] == (f"Bearer {stack.staff_token}", {"full": True})

    desk.uncheck("#export-full")
    desk.click("#export-form button[type=submit]")
    expect(result).to_contain_text("没有新的通过人员需要发送")
    assert sent[1][1] == {}

    desk.click("#export-form button[type=submit]")
    expect(desk.locator('#export-form [data-error-for="_form"]')).to_have_text("本期正在导出，请稍后再试。")
    expect(result).to_be_hidden()
