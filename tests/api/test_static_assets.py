"""Static assets under content-hashed names, kept a year; pages revalidated every time.

Every page (in each mode of the QR code's page) may reference only hashed names that exist
and serve exactly the bytes the hash names."""

from __future__ import annotations

import hashlib
import re

import pytest

from chalicelib.web.pages import STATIC, hash_links, hashed_name
from tests.api.test_registration import FIRST_EXAM, IN_FIRST_WINDOW, create_period
from tests.conftest import beijing

ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')
HASHED = re.compile(
    r"^/static/([a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*)\.([0-9a-f]{12})\.(css|js|svg|png|ico)$"
)


def check_page(api, path: str) -> set[str]:
    page = api.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-cache"
    html = page.body.decode("utf-8")
    found = set(ASSET.findall(html))
    assert found, f"{path} references no asset"
    # Nothing under static/ that is not a hashed link (in src, href or anywhere else).
    assert len(re.findall(r"/static/", html)) == len(ASSET.findall(html)), path
    for link in found:
        match = HASHED.match(link)
        assert match, f"{path}: {link} is not a hashed name"
        served = api.get(link)
        assert served.status_code == 200, link
        assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert hashlib.sha256(served.body).hexdigest()[:12] == match.group(2)
        assert served.body == (STATIC / f"{match.group(1)}.{match.group(3)}").read_bytes()
    return found


def test_every_page_references_only_hashed_assets_that_exist(api, travel) -> None:
    travel(beijing(2026, 8, 1, 10))
    seen = set()
    for path in ("/", "/lookup", "/faq", "/admin"):
        seen |= check_page(api, path)
    travel(IN_FIRST_WINDOW)
    create_period(api, FIRST_EXAM)
    seen |= check_page(api, "/")
    travel(beijing(FIRST_EXAM.year, FIRST_EXAM.month, FIRST_EXAM.day, 9, 30))
    seen |= check_page(api, "/")
    # Every script and style in templates/static/ is used by some page, under its hashed name.
    on_disk = {p.name for p in STATIC.iterdir() if p.suffix in (".js", ".css")}
    assert {HASHED.match(link).group(1) + "." + HASHED.match(link).group(3) for link in seen} == on_disk


def test_the_plain_name_still_answers_but_is_revalidated(api) -> None:
    plain = api.get("/static/common.js")
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == "no-cache"
    assert api.get("/static/common.000000000000.js").status_code == 404


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:12]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        pytest.param("exam.js", b"a", "exam." + hashlib.sha256(b"a").hexdigest()[:12] + ".js", id="js"),
        pytest.param("app.css", b"", "app." + hashlib.sha256(b"").hexdigest()[:12] + ".css", id="empty"),
        pytest.param(
            "exam-save.js", b"x", "exam-save." + hashlib.sha256(b"x").hexdigest()[:12] + ".js", id="dash"
        ),
    ],
)
def test_hashed_name(name: str, content: bytes, expected: str) -> None:
    assert hashed_name(name, content) == expected


@pytest.mark.parametrize(
    ("html", "root", "expected"),
    [
        pytest.param(
            '<script src="/static/a.js"></script>', "/", '<script src="/static/a.1.js"></script>', id="src"
        ),
        pytest.param(
            '<link href="/v1/static/a.js">', "/v1/", '<link href="/v1/static/a.1.js">', id="stage prefix"
        ),
        pytest.param('<a href="/static/b.js">', "/", '<a href="/static/b.js">', id="unknown name"),
        pytest.param("<p>/static/a.js</p>", "/", "<p>/static/a.js</p>", id="text, not a link"),
        pytest.param('<b data-root="/">', "/", '<b data-root="/">', id="the root alone"),
    ],
)
def test_hash_links(html: str, root: str, expected: str) -> None:
    assert hash_links(html, root, {"a.js": "a.1.js"}) == expected


def test_the_service_worker_covers_the_site_and_keeps_only_the_exam_page_and_its_assets(api, travel) -> None:
    travel(beijing(2026, 8, 1, 10))
    worker = api.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert worker.headers["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in worker.headers["Content-Security-Policy"]
    source = worker.body.decode("utf-8")
    assert 'var PAGE = "/";' in source
    kept = re.findall(r'"(/static/[^"]+)"', source)
    assert sorted(kept) == sorted(set(kept))
    assert len(kept) == 4, kept
    for link in kept:
        assert HASHED.match(link), link
        assert api.get(link).status_code == 200, link
    # Nothing under the API or the staff console is ever named in the worker's cache.
    assert "/api/" not in source and "admin" not in source
