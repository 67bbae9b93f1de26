"""Staff files open from a plain, short-lived signed URL (WeChat's browser cannot save `blob:`)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import pytest

from chalicelib import runtime
from chalicelib.domain.staff import Role
from tests.api.conftest import Api, body
from tests.api.test_qr import decode_png, decode_svg
from tests.conftest import beijing

DOWNLOADS = [
    ("api/admin/qr.png", "image/png", "报名考试二维码.png"),
    ("api/admin/qr.svg", "image/svg+xml", "报名考试二维码.svg"),
    ("api/admin/paper-template.json", "application/json", "试卷模板.json"),
    ("api/admin/paper-template.xlsx", "application/vnd.openxmlformats", "试卷模板.xlsx"),
    ("api/admin/bank.xlsx", "application/vnd.openxmlformats", "题库.xlsx"),
]


def link_for(api: Api, path: str, token: str | None = None) -> str:
    response = api.post("/api/admin/links", {"path": path}, token=token or api.staff_token)
    assert response.status_code == 200, response.body
    return str(body(response)["link"]["url"])


def open_plain(api: Api, url: str, **headers: str) -> Any:
    """What a browser sends following a link: no Authorization header, a navigation's Accept."""
    return api.request("GET", url, headers={"Accept": "text/html,*/*;q=0.8", **headers})


@pytest.mark.parametrize(("path", "content_type", "saved_as"), DOWNLOADS)
def test_a_signed_link_opens_the_file_as_an_attachment_without_the_token(
    api: Api, path: str, content_type: str, saved_as: str
) -> None:
    url = link_for(api, path)
    assert url.startswith("/" + path + "?link=")
    response = open_plain(api, url)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(content_type)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == saved_as
    # Without the link the same URL still needs the token.
    assert open_plain(api, "/" + path).status_code == 401


def test_the_qr_code_from_a_link_decodes_to_the_entry_url(api: Api) -> None:
    png = open_plain(api, link_for(api, "api/admin/qr.png"), Host="exam.test:8443")
    assert decode_png(png.body) == "http://exam.test:8443/"
    svg = open_plain(api, link_for(api, "api/admin/qr.svg"), Host="exam.test:8443")
    assert decode_svg(svg.body) == "http://exam.test:8443/"


def test_a_link_opens_only_its_own_file(api: Api) -> None:
    url = link_for(api, "api/admin/qr.svg")
    other = url.replace("/api/admin/qr.svg?", "/api/admin/qr.png?")
    refused = open_plain(api, other)
    assert refused.status_code == 401
    assert body(refused)["error"]["code"] == "unauthorized"
    assert "下载链接无效或已过期" in body(refused)["error"]["message"]


def test_a_link_expires_after_five_minutes(api: Api, travel: Any) -> None:
    travel(beijing(2026, 12, 1, 10, 0))
    url = link_for(api, "api/admin/qr.svg")
    assert (
        body(api.post("/api/admin/links", {"path": "api/admin/qr.svg"}, token=api.staff_token))["link"][
            "expires_at"
        ]
        == "2026-12-01T10:05:00+08:00"
    )
    travel(beijing(2026, 12, 1, 10, 4))
    assert open_plain(api, url).status_code == 200
    travel(beijing(2026, 12, 1, 10, 5))
    assert open_plain(api, url).status_code == 401


def test_a_tampered_link_is_refused(api: Api) -> None:
    url = link_for(api, "api/admin/qr.svg")
    signature_end = url[-1]
    forged = url[:-1] + ("A" if signature_end != "A" else "B")
    assert open_plain(api, forged).status_code == 401
    # A later expiry with the old signature is no link either.
    prefix, _, rest = url.partition("?link=")
    version, key, expires, signature = rest.split(".")
    longer = f"{prefix}?link={version}.{key}.{int(expires) + 3600}.{signature}"
    assert open_plain(api, longer).status_code == 401
    assert open_plain(api, prefix + "?link=nonsense").status_code == 401


def test_a_revoked_tokens_links_stop_with_it(api: Api) -> None:
    secrets = runtime.current().secrets
    token = secrets.add_staff_token("临时", Role.VIEWER)
    url = link_for(api, "api/admin/qr.svg", token=token)
    assert open_plain(api, url).status_code == 200
    secrets.revoke_staff_token("临时")  # drops this container's cache, as the console's revoke does
    assert open_plain(api, url).status_code == 401


def test_a_link_keeps_the_role_of_the_token_that_asked(api: Api) -> None:
    viewer = runtime.current().secrets.add_staff_token("只读", Role.VIEWER)
    # The bank is for operators: a viewer's link to it opens nothing.
    refused = open_plain(api, link_for(api, "api/admin/bank.xlsx", token=viewer))
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "path", ["api/admin/periods", "api/admin/audit", "api/admin/links", "static/app.css", "", "../qr.png"]
)
def test_links_are_only_for_the_staff_files(api: Api, path: str) -> None:
    response = api.post("/api/admin/links", {"path": path}, token=api.staff_token)
    assert response.status_code == 422
    assert body(response)["error"]["field"] == "path"


def test_asking_for_a_link_needs_the_staff_token(api: Api) -> None:
    assert api.post("/api/admin/links", {"path": "api/admin/qr.png"}).status_code == 401
    # A link is no staff token: it opens its file, never another staff route.
    url = link_for(api, "api/admin/qr.png")
    link = url.split("?link=", 1)[1]
    assert api.get("/api/admin/periods?link=" + link).status_code == 401
    assert api.request("GET", "/api/admin/periods", token=link).status_code == 401
    assert json.loads(api.staff("GET", "/api/admin/periods").body)["periods"] == []
