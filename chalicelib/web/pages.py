"""The pages (the candidates' and the staff console), rendered through one Jinja2 environment.

Autoescape is always on, and data handed to scripts goes through `|tojson`.
Links are written against `root`, the path prefix the page was requested
under, so the pages work behind API Gateway's stage prefix (`/v1/`) as well
as on a custom domain or under `chalice local`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import mimetypes
import os
import re
from pathlib import Path
from typing import Any

from chalice.app import Blueprint, Request, Response

from chalicelib import runtime
from chalicelib.domain import contacts
from chalicelib.domain.errors import NotFound
from chalicelib.domain.privacy import REFUSALS
from chalicelib.web.http import route

bp = Blueprint(__name__)

# Locally templates/ sits beside app.py; in the deployment package the
# committed symlink vendor/templates puts it in the same place.
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STATIC = TEMPLATES / "static"
_STATIC_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*\.(?:css|js|svg|png|ico)$")
# A hashed name's content never changes, so a browser (WeChat's included) keeps it a year and
# never mixes an old script with a new page; pages themselves are revalidated every time.
IMMUTABLE = "public, max-age=31536000, immutable"
HTML_HEADERS: dict[str, str | list[str]] = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-cache",
}


@functools.cache
def environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cn_date"] = cn_date
    env.globals["consent_refusals"] = REFUSALS
    env.globals["contacts"] = contacts
    return env


WEEKDAYS = "一二三四五六日"


def cn_date(value: str) -> str:
    """`2026-12-18` as a candidate reads it: `2026年12月18日（星期五）`."""
    day = dt.date.fromisoformat(value)
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def site_root(request: Request) -> str:
    """The URL path under which this app is served, always ending in '/'."""
    requested = str(request.context.get("path") or request.path)
    resource = request.path
    prefix = requested[: -len(resource)] if resource != "/" and requested.endswith(resource) else ""
    if resource == "/":
        prefix = requested.rstrip("/")
    return prefix + "/"


def public_entry_url(request: Request) -> str:
    """What the permanent QR code points to: the stage's PUBLIC_URL, or, where
    the stage leaves it empty (local runs), this server's own address."""
    configured = runtime.current().settings.public_url
    if configured:
        return configured
    host = request.headers.get("host") or "127.0.0.1:8000"
    scheme = request.headers.get("x-forwarded-proto") or "http"
    return f"{scheme}://{host}{site_root(request)}"


def hashed_name(name: str, content: bytes) -> str:
    """`exam.js` with its content's hash in its name: `exam.3f2a9c1b7d4e.js`."""
    stem, _, ext = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(content).hexdigest()[:12]}.{ext}"


def hash_links(html: str, root: str, names: dict[str, str]) -> str:
    """Every `{root}static/NAME` in `html` pointed at NAME's hashed name (`names`), so a page
    only ever asks for the exact bytes it was written with. Unknown names are left alone."""
    pattern = re.compile(r'(?<=["\'])' + re.escape(root) + r"static/([a-z0-9][a-z0-9_.-]*)(?=[\"'])")
    return pattern.sub(lambda m: root + "static/" + names.get(m.group(1), m.group(1)), html)


@functools.cache
def _hashed(path: str, mtime_ns: int, size: int) -> str:
    return hashed_name(os.path.basename(path), Path(path).read_bytes())


# The last listing of templates/static/: the directory, its modification time, the names.
_listed: tuple[Path, int, dict[str, str]] | None = None


def static_names() -> dict[str, str]:
    """Every file in templates/static/ (whatever is added there) -> its hashed name.

    Every page asks, and listing and hashing the directory took most of a page's CPU, so
    the names are kept until the directory changes (a file added, removed or replaced by a
    rename: one stat a request). A deployed package never changes; `make run` restarts its
    server when a file is edited in place (chalice local's autoreload)."""
    global _listed
    version = os.stat(STATIC).st_mtime_ns
    listed = _listed
    if listed is not None and listed[0] is STATIC and listed[1] == version:
        return dict(listed[2])
    names = {}
    with os.scandir(STATIC) as entries:
        for entry in entries:
            if _STATIC_NAME.match(entry.name) and entry.is_file():
                stat = entry.stat()
                names[entry.name] = _hashed(entry.path, stat.st_mtime_ns, stat.st_size)
    _listed = (STATIC, version, names)
    return dict(names)


def render(name: str, request: Request, **context: Any) -> Response:
    root = site_root(request)
    html = environment().get_template(name).render(root=root, **context)
    return Response(body=hash_links(html, root, static_names()), status_code=200, headers=HTML_HEADERS)


@route(bp, "/", methods=["GET"])
def index() -> Response:
    """The page the permanent QR code opens: registration, the exam, or when to come back."""
    from chalicelib.services import periods

    rt = runtime.current()
    today = periods.today(rt)
    return render("index.html", bp.current_request, today=today.public(), notice=rt.settings.notice)


@route(bp, "/lookup", methods=["GET"])
def lookup() -> Response:
    """Find one's registrations, exam times and results by ID number and phone."""
    return render("lookup.html", bp.current_request, notice=runtime.current().settings.notice)


@route(bp, "/faq", methods=["GET"])
def faq() -> Response:
    """The association's answers to the common questions, and whom to call."""
    return render("faq.html", bp.current_request)


@route(bp, "/admin", methods=["GET"])
def admin() -> Response:
    """The staff console. The page holds no data and needs no token: every
    figure on it comes from the staff API, called with the token staff paste in."""
    return render("admin.html", bp.current_request)


# What the exam page loads, kept by the service worker for a reload without a connection.
EXAM_ASSETS = ("app.css", "common.js", "exam-save.js", "exam.js")


@route(bp, "/sw.js", methods=["GET"])
def service_worker() -> Response:
    """The exam page's service worker, at the site's root so its scope covers the page; it
    lists the hashed names of the page's assets, so a deploy changes it and its cache."""
    root = site_root(bp.current_request)
    names = static_names()
    assets = [root + "static/" + names[name] for name in EXAM_ASSETS]
    version = hashlib.sha256(" ".join(assets).encode()).hexdigest()[:12]
    body = environment().get_template("sw.js").render(page=root, assets=assets, version=version)
    return Response(
        body=body,
        status_code=200,
        headers={"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache"},
    )


@route(bp, "/static/{name}", methods=["GET"])
def static(name: str) -> Response:
    """Our own scripts and styles: pages load nothing from another origin. Pages ask for the
    hashed names (kept a year); the plain name still answers, revalidated every time."""
    plain = {hashed: original for original, hashed in static_names().items()}
    cache = IMMUTABLE if name in plain else "no-cache"
    name = plain.get(name, name)
    path = STATIC / name
    if not _STATIC_NAME.match(name) or not path.is_file():
        raise NotFound("没有这个文件。")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type.endswith("javascript"):
        content_type += "; charset=utf-8"
    return Response(
        body=path.read_text(encoding="utf-8"),
        status_code=200,
        headers={"Content-Type": content_type, "Cache-Control": cache},
    )
