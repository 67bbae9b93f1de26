"""The registration, lookup and FAQ pages as HTML: what the server renders, escaped."""

from __future__ import annotations

import datetime as dt
import json
import re

from chalicelib.domain.registrations import CONSENT_VERSION
from tests.api.test_registration import FIRST_EXAM, IN_FIRST_WINDOW, create_period, register
from tests.conftest import beijing
from tests.support.people import person


def html(response) -> str:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    text: str = response.body.decode("utf-8")
    return text


def test_the_register_page_shows_the_period_the_privacy_notice_and_a_consent_box(api, travel):
    travel(IN_FIRST_WINDOW)
    create_period(api, FIRST_EXAM)
    page = html(api.get("/"))
    assert 'data-mode="register"' in page
    assert "2026年9月10日（星期四）" in page
    assert "个人信息保护说明" in page
    assert f"说明版本：个人信息处理 {CONSENT_VERSION}" in page
    assert 'type="checkbox"' in page and 'name="consent"' in page
    for field in ("name", "id_number", "phone", "email", "consent", "_form"):
        assert f'data-error-for="{field}"' in page
    assert re.search(r"static/register\.[0-9a-f]{12}\.js", page)


def test_period_text_is_escaped_on_the_page(api, travel):
    travel(IN_FIRST_WINDOW)
    create_period(api, FIRST_EXAM, name="<b>九月</b>", notes="<script>alert(1)</script>")
    page = html(api.get("/"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>九月</b>" not in page


def test_the_closed_page_says_when_registration_opens(api, travel):
    travel(beijing(2026, 9, 1))
    create_period(api, FIRST_EXAM, opens=dt.date(2026, 9, 7))
    page = html(api.get("/"))
    assert 'data-mode="closed"' in page
    assert "暂未开放报名" in page
    assert "2026年9月7日（星期一）" in page


def test_the_lookup_page_renders_its_form(api):
    page = html(api.get("/lookup"))
    assert 'id="lookup-form"' in page
    assert 'name="id_number"' in page and 'name="phone"' in page
    assert re.search(r"static/lookup\.[0-9a-f]{12}\.js", page)


def test_the_faq_page_carries_the_contacts_and_hours(api):
    page = html(api.get("/faq"))
    for text in (
        "010-64400680",
        "苑老师",
        "010-69554485",
        "王老师",
        "周一至周五",
        "9:00–11:00",
        "13:00–16:00",
    ):
        assert text in page


def test_pages_carry_the_security_headers_and_load_nothing_from_another_origin(api):
    for path in ("/lookup", "/faq"):
        response = api.get(path)
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        page = html(response)
        assert "http://" not in page and "https://" not in page and 'src="//' not in page


def test_between_registration_close_and_the_exam_today_carries_the_period(api, travel):
    travel(beijing(2026, 9, 1))
    created = create_period(api, FIRST_EXAM, opens=dt.date(2026, 9, 1), closes=dt.date(2026, 9, 4))
    travel(beijing(2026, 9, 7, 9))  # registration closed on the 4th, the exam is on the 10th
    today = json.loads(api.get("/api/today").body)
    assert today["mode"] == "closed"
    assert today["period"]["id"] == created["id"]
    page = html(api.get("/"))
    assert "报名已于" in page and "2026年9月10日" in page
    refused = register(api, person(71))
    assert refused.status_code == 409
    assert "报名已于 2026-09-04 截止" in json.loads(refused.body)["error"]["message"]
