"""The candidates' pages, rendered from `templates/` through one Jinja2 environment.

Autoescape is always on, and data handed to scripts goes through `|tojson`.
Links are written against `root`, the path prefix the page was requested
under, so the pages work behind API Gateway's stage prefix (`/v1/`) as well
as on a custom domain or under `chalice local`.
"""

from __future__ import annotations

import functools
import mimetypes
import re
from pathlib import Path
from typing import Any

from chalice.app import Blueprint, Request, Response

from chalicelib import runtime
from chalicelib.domain.errors import NotFound
from chalicelib.services import periods
from chalicelib.web.http import route

bp = Blueprint(__name__)

# Locally templates/ sits beside app.py; in the deployment package the
# committed symlink vendor/templates puts it in the same place.
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STATIC = TEMPLATES / "static"
_STATIC_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*\.(?:css|js|svg|png|ico)$")
HTML_HEADERS: dict[str, str | list[str]] = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-cache",
}


@functools.cache
def environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


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


def render(name: str, request: Request, **context: Any) -> Response:
    html = environment().get_template(name).render(root=site_root(request), **context)
    return Response(body=html, status_code=200, headers=HTML_HEADERS)


@route(bp, "/", methods=["GET"])
def index() -> Response:
    """The page the permanent QR code opens: registration, the exam, or when to come back."""
    today = periods.today(runtime.current())
    return render("index.html", bp.current_request, today=today.public())


@route(bp, "/static/{name}", methods=["GET"])
def static(name: str) -> Response:
    """Our own scripts and styles: pages load nothing from another origin."""
    path = STATIC / name
    if not _STATIC_NAME.match(name) or not path.is_file():
        raise NotFound("没有这个文件。")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type.endswith("javascript"):
        content_type += "; charset=utf-8"
    return Response(
        body=path.read_text(encoding="utf-8"),
        status_code=200,
        headers={"Content-Type": content_type, "Cache-Control": "public, max-age=300"},
    )
