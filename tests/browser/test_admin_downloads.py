"""Staff files download in WeChat's browser: plain signed URLs the server answers as attachments,
never `blob:` URLs (which WeChat's in-app browser cannot save)."""

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
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]

# Counts every blob: URL the page makes, and every request the page sends.
WATCH_BLOBS = """
window.__blobUrls = [];
const made = URL.createObjectURL.bind(URL);
URL.createObjectURL = (thing) => { const url = made(thing); window.__blobUrls.push(url); return url; };
"""


def decode_qr(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found, "no QR code in the image"
    return str(found[0].text)


def sign_in(page: Any, stack: Stack) -> None:
    page.goto(stack.url + "admin")
    page.fill("#signin-token", stack.staff_token)
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#view-periods")).to_be_visible()


def test_the_qr_code_and_templates_download_from_plain_links_on_a_wechat_phone(
    stack: Stack, phone: Any
) -> None:
    phone.add_init_script(WATCH_BLOBS)
    requested: list[str] = []
    phone.on("request", lambda request: requested.append(request.url))
    sign_in(phone, stack)

    phone.click("#admin-nav a[data-nav=qr]")
    image = phone.locator("#qr-image")
    expect(image).to_be_visible()
    expect(phone.locator("#qr-status")).to_have_text("")
    # A plain URL of this origin: WeChat can long-press and save it as any web image.
    src = image.get_attribute("src") or ""
    assert src.startswith("/api/admin/qr.svg?link=")

    with phone.expect_download() as downloading:
        phone.click("#qr-png")
    download = downloading.value
    assert download.url.startswith(stack.url + "api/admin/qr.png?link=")
    assert download.suggested_filename == "报名考试二维码.png"
    assert decode_qr(Path(download.path()).read_bytes()) == stack.url
    # Where the browser does not save it, the link stays under the button to open elsewhere.
    shown = phone.locator('.download-link[data-for="qr-error"] a')
    expect(shown).to_be_visible()
    assert shown.get_attribute("href") == download.url.removeprefix(stack.url[:-1])

    phone.goto(stack.url + "admin#periods")
    expect(phone.locator("#view-periods")).to_be_visible()
    assert phone.evaluate("window.__blobUrls") == []
    assert [url for url in requested if url.startswith("blob:")] == []

    # The link opens without the console's token: "open in the browser" from WeChat works too.
    fresh = phone.context.browser.new_context()
    try:
        elsewhere = fresh.new_page()
        with elsewhere.expect_download() as again:
            elsewhere.evaluate(
                "url => { const a = document.createElement('a'); a.href = url; a.click(); }", download.url
            )
        assert decode_qr(Path(again.value.path()).read_bytes()) == stack.url
    finally:
        fresh.close()


def test_the_paper_template_downloads_as_an_attachment_without_blob(stack: Stack, desk: Any) -> None:
    desk.add_init_script(WATCH_BLOBS)
    sign_in(desk, stack)
    period = {
        "name": "下载测试",
        "exam_date": (clock.today() + dt.timedelta(days=7)).isoformat(),
        "exam_start": "09:00",
        "exam_end": "11:00",
        "notes": "",
    }
    request = urllib.request.Request(
        stack.url + "api/admin/periods",
        data=json.dumps(period).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {stack.staff_token}"},
    )
    with urllib.request.urlopen(request, timeout=30):
        pass
    desk.reload()
    desk.click("#periods-table tbody tr >> text=管理")
    desk.click("details.format summary")
    with desk.expect_download() as downloading:
        desk.click("#paper-template")
    download = downloading.value
    assert download.url.startswith(stack.url + "api/admin/paper-template.json?link=")
    assert download.suggested_filename == "试卷模板.json"
    assert len(parse_paper(json.loads(Path(download.path()).read_text(encoding="utf-8"))).questions) == 50
    assert desk.evaluate("window.__blobUrls") == []
