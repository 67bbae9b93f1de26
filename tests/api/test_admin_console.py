"""The staff console's page, and the additions to the staff API it reads.

The page itself is public and empty: every figure reaches it through the staff
API with the token, so the page must carry no data, need no token and load
nothing the CSP would block.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chalicelib import runtime
from chalicelib.domain.papers import parse_paper
from chalicelib.web.middleware import SECURITY_HEADERS
from tests.api.conftest import Api, body
from tests.api.test_security_headers import problems
from tests.conftest import beijing
from tests.support.exam_data import exam_period, paper_document


@pytest.fixture
def period(api: Api, travel: Any) -> Any:
    travel(beijing(2026, 12, 1, 10))
    return exam_period(runtime.current(), beijing(2026, 12, 18).date())


def page(api: Api) -> str:
    response = api.get("/admin")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    text: str = response.body.decode("utf-8")
    return text


def test_the_console_renders_without_a_token_and_asks_for_one(api: Api) -> None:
    html = page(api)
    assert 'id="signin-form"' in html
    assert 'name="token"' in html and 'type="password"' in html
    assert 'data-error-for="token"' in html
    assert re.search(r"static/admin-core\.[0-9a-f]{12}\.js", html)
    assert re.search(r"static/common\.[0-9a-f]{12}\.js", html)
    assert re.search(r"static/admin\.[0-9a-f]{12}\.css", html)
    assert "工作人员控制台" in html


def test_the_console_page_holds_no_data(api: Api, period: Any) -> None:
    api.staff("PUT", f"/api/admin/periods/{period.id}/paper", paper_document())
    html = page(api)
    assert period.id not in html and period.name not in html
    assert api.staff_token is not None and api.staff_token not in html
    assert 'type="application/json"' not in html


def test_the_console_needs_no_inline_script_and_stays_on_the_origin(api: Api) -> None:
    html = page(api)
    assert not problems(html, root="/")
    assert "http://" not in html and "https://" not in html


def test_the_console_carries_the_security_headers_and_allows_no_blob_source(api: Api) -> None:
    response = api.get("/admin")
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    directives = dict(
        [*part.split(" ", 1), ""][:2]
        for part in (d.strip() for d in SECURITY_HEADERS["Content-Security-Policy"].split(";"))
    )
    # The QR code shows through a signed link to its own URL: WeChat cannot save a blob: image.
    assert directives["img-src"].split() == ["'self'", "data:"]
    assert "blob:" not in SECURITY_HEADERS["Content-Security-Policy"]


def test_the_console_script_and_style_are_served(api: Api) -> None:
    hashed = re.findall(r'<script src="/static/([^"]+)"', page(api))
    names = [re.sub(r"\.[0-9a-f]{12}\.js$", ".js", name) for name in hashed]
    # common.js first, then the console's core, then one file per screen.
    assert names[:2] == ["common.js", "admin-core.js"] and len(names) > 3
    sources: dict[str, str] = {}
    for name, served_as in zip(names, hashed, strict=True):
        script = api.get(f"/static/{served_as}")
        assert script.status_code == 200, name
        assert "javascript" in script.headers["Content-Type"]
        sources[name] = script.body.decode("utf-8")
    # The token lives for the tab only: staff share office computers.
    assert "sessionStorage" in sources["admin-core.js"]
    assert not [name for name, source in sources.items() if "localStorage" in source]
    style = api.get("/static/admin.css")
    assert style.status_code == 200 and "@media print" in style.body.decode("utf-8")


def test_the_staff_listing_says_whether_a_paper_is_uploaded(api: Api, period: Any) -> None:
    def listed() -> dict[str, Any]:
        periods = body(api.staff("GET", "/api/admin/periods"))["periods"]
        found: dict[str, Any] = next(p for p in periods if p["id"] == period.id)
        return found

    assert listed()["has_paper"] is False
    assert api.staff("PUT", f"/api/admin/periods/{period.id}/paper", paper_document()).status_code == 200
    assert listed()["has_paper"] is True


def test_stats_name_each_question_so_staff_see_what_a_rate_is_about(api: Api, period: Any) -> None:
    document = paper_document()
    api.staff("PUT", f"/api/admin/periods/{period.id}/paper", document)
    stats = body(api.staff("GET", f"/api/admin/periods/{period.id}/stats"))
    by_id = {q["id"]: q for q in stats["questions"]}
    for question in document["questions"]:
        assert by_id[question["id"]]["type"] == question["type"]
        assert by_id[question["id"]]["text"] == question["text"]


def test_the_paper_template_is_a_valid_paper_to_download(api: Api, period: Any) -> None:
    response = api.staff("GET", "/api/admin/paper-template.json")
    assert response.status_code == 200
    assert re.match(r'attachment; filename="[^"/]+\.json"', response.headers["Content-Disposition"])
    template = json.loads(response.body)
    paper = parse_paper(template)
    assert (len(paper.questions), paper.total_points) == (50, 100)
    # What staff download, they can upload as it is.
    uploaded = api.staff("PUT", f"/api/admin/periods/{period.id}/paper", template)
    assert uploaded.status_code == 200


def test_the_paper_template_needs_staff(api: Api) -> None:
    response = api.get("/api/admin/paper-template.json")
    assert response.status_code == 401
    assert body(response)["error"]["code"] == "unauthorized"


def test_behind_the_gateway_the_console_works_under_the_stage_prefix(aws_env: None) -> None:
    from tests.api.test_stage_prefix import STAGE, invoke

    response = invoke("/admin")
    assert response["statusCode"] == 200
    html = response["body"]
    # admin-core.js calls the API relative to data-root, so the prefix reaches every call.
    assert f'data-root="/{STAGE}/"' in html
    assert re.search(f'src="/{STAGE}/static/admin-core\\.[0-9a-f]{{12}}\\.js"', html)
    assert re.search(f'href="/{STAGE}/static/admin\\.[0-9a-f]{{12}}\\.css"', html)
