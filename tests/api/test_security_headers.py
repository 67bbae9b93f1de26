"""Security headers on every response the app writes: pages, JSON, static files, refusals and 500s.

Routes come from the app's own route table, so routes other branches add are
covered when they merge. Responses API Gateway writes itself (unknown path,
throttled) carry the same headers through the gateway responses
(tests/deploy/test_post_deploy.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import runtime
from chalicelib.domain.staff import StaffMember
from chalicelib.runtime import PeriodCache
from chalicelib.storage.secrets import SecretStore
from chalicelib.web.middleware import ADMIN_PREFIX, CANDIDATE_BODY_LIMIT, SECURITY_HEADERS
from chalicelib.web.pages import TEMPLATES
from tests.conftest import PROJECT, beijing

ROUTES = sorted((path, method) for path, methods in app.routes.items() for method in methods)


@pytest.fixture
def client(aws_env: None, travel: Any) -> Iterator[tuple[Client, str]]:
    travel(beijing(2026, 12, 1, 9))
    with Client(app, stage_name="local", project_dir=PROJECT) as test_client:
        yield test_client, runtime.current().secrets.add_staff_token("headers")


def assert_secure(response: Any, where: str) -> None:
    headers = {k.lower(): v for k, v in response.headers.items()}
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == value, f"{where}: {name} missing or changed"
    csp = headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert re.search(r"script-src 'self'(;|$)", csp), where
    assert "frame-ancestors 'none'" in csp, where
    assert headers["x-content-type-options"] == "nosniff"
    hsts = dict(part.strip().partition("=")[::2] for part in headers["strict-transport-security"].split(";"))
    assert int(hsts["max-age"]) >= 365 * 24 * 3600 and "includeSubDomains" in hsts, where


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


@pytest.mark.parametrize(("path", "method"), ROUTES, ids=[f"{m} {p}" for p, m in ROUTES])
def test_every_route_answers_with_the_security_headers(
    client: tuple[Client, str], path: str, method: str
) -> None:
    test_client, token = client
    body = None if method == "GET" else "{}"
    for credentials in ({"Authorization": f"Bearer {token}"}, {}):
        headers = {"Content-Type": "application/json", "Accept": "*/*", **credentials}
        response = test_client.http.request(method, concrete(path), headers=headers, body=body)
        assert response.status_code < 500, (path, method, response.body[:300])
        assert_secure(response, f"{method} {path} -> {response.status_code}")
        if path.startswith(ADMIN_PREFIX) and not credentials:
            assert response.status_code == 401


REFUSALS = [
    pytest.param("GET", "/static/no-such-file.js", None, 404, id="404"),
    pytest.param("GET", "/static/..%2Fapp.py", None, 404, id="404-traversal"),
    pytest.param("DELETE", "/api/today", None, 405, id="405"),
    pytest.param("POST", "/api/admin/periods", "not json", 400, id="400"),
    pytest.param("GET", "/api/today", "x" * (CANDIDATE_BODY_LIMIT + 1), 413, id="413"),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), REFUSALS)
def test_refusals_carry_the_security_headers(
    client: tuple[Client, str], method: str, path: str, body: str | None, status: int
) -> None:
    test_client, token = client
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    response = test_client.http.request(method, path, headers=headers, body=body)
    assert response.status_code == status
    assert_secure(response, f"{method} {path}")


def test_500s_carry_the_security_headers_on_pages_json_and_in_the_middleware(
    client: tuple[Client, str],
) -> None:
    test_client, token = client
    rt = runtime.current()
    periods, secrets = rt.periods, rt.secrets

    def broken() -> list[Any]:
        raise RuntimeError("a bug")

    class BrokenStaffCheck(SecretStore):
        def staff_for(self, token: str) -> StaffMember | None:
            raise RuntimeError("a bug")

    try:
        rt.periods = PeriodCache(broken, ttl=30)
        for path in ("/", "/api/today"):
            response = test_client.http.get(path)
            assert response.status_code == 500
            assert_secure(response, path)
        rt.periods = periods
        rt.secrets = BrokenStaffCheck(rt.settings)
        response = test_client.http.get("/api/admin/periods", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 500
        assert_secure(response, "middleware")
    finally:
        rt.periods, rt.secrets = periods, secrets


def test_every_route_goes_through_the_error_guard() -> None:
    """Chalice's own handler for an escaped exception logs its message and traceback (personal data,
    maybe) and answers in its own shape; `chalicelib.web.http.route` keeps every view from reaching it."""
    unguarded = [
        f"{method} {path}"
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        # functools.wraps copies the view's name onto the guard; its code keeps its own.
        if entry.view_function.__code__.co_qualname != "route.<locals>.decorate.<locals>.guarded"
    ]
    assert not unguarded, f"declare these with chalicelib.web.http.route: {unguarded}"


class _Page(HTMLParser):
    def __init__(self, root: str) -> None:
        super().__init__()
        self.root = root
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"inline handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"inline style on <{tag}>")
            if name in ("href", "src", "action") and value:
                if re.match(r"^(?:[a-z]+:)?//", value) or value.lower().startswith("javascript:"):
                    self.problems.append(f"{name}={value} leaves the origin")
                if value.startswith("/") and not value.startswith(self.root):
                    self.problems.append(f"{name}={value} ignores the stage prefix: use {{{{ root }}}}")
        if tag == "style":
            self.problems.append("<style> block")
        if tag == "script" and values.get("type") != "application/json" and not values.get("src"):
            self._in_inline_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:60]}")


def problems(html: str, root: str = "/") -> list[str]:
    """What the CSP would block, or what would break under a path prefix. `root` is where the page was
    served: in a template every link must start from `{{ root }}`, so nothing starts with `/` at all."""
    page = _Page(root)
    page.feed(html)
    return page.problems


def test_the_page_check_finds_what_the_csp_would_block() -> None:
    html = '<a href="/faq" onclick="x()">a</a><script>alert(1)</script><div style="color:red"></div>'
    assert len(problems(html, root="/v1/")) == 4


@pytest.mark.parametrize(
    "template", sorted(p.relative_to(TEMPLATES) for p in TEMPLATES.rglob("*.html")), ids=str
)
def test_templates_need_no_inline_script_or_style_and_stay_on_the_origin(template: Path) -> None:
    assert not problems((TEMPLATES / template).read_text(encoding="utf-8"), root="{{")


def test_rendered_pages_need_no_inline_script(client: tuple[Client, str]) -> None:
    test_client, _ = client
    pages = [
        path for path, methods in app.routes.items() if "GET" in methods and not path.startswith("/api/")
    ]
    rendered = 0
    for path in pages:
        response = test_client.http.get(concrete(path))
        if response.headers.get("Content-Type", "").startswith("text/html"):
            rendered += 1
            # chalice's test client serves at the root; templates are checked for the prefix above.
            assert not problems(response.body.decode("utf-8"), root="/"), path
    assert rendered
