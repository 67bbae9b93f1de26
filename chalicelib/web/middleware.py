"""What every HTTP request goes through: staff access, size limits, headers, the log line.

Staff access is checked here, for every route under `/api/admin/`, rather than
by an API Gateway authorizer: a gateway authorizer answers refusals with its
own body, while the contract wants `401` in its error shape. The token's role
is checked here too against the route's declared minimum (`403 forbidden`; a
route that declares none is refused to everyone). Tests walk the route table
to prove no admin route escapes either check.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from chalice.app import Request, Response

from chalicelib import runtime
from chalicelib.domain.errors import DomainError, Forbidden, NotAcceptable, PayloadTooLarge, Unauthorized
from chalicelib.domain.staff import Role, StaffMember
from chalicelib.storage import aws
from chalicelib.web.http import (
    audited_read,
    audited_view,
    bearer_token,
    error_response,
    internal_error_response,
    minimum_role,
    request_id,
    signed_download,
)

ADMIN_PREFIX = "/api/admin/"
# A candidate's form is a few hundred bytes; a paper is tens of kilobytes.
CANDIDATE_BODY_LIMIT = 16 * 1024
ADMIN_BODY_LIMIT = 1024 * 1024

# No `blob:` anywhere: WeChat's browser cannot save one, so the console shows and downloads
# its files through signed links to their own URLs (services/links.py).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    # Browsers keep to HTTPS for two years once they have seen this over HTTPS (over
    # plain HTTP, `make run`, they ignore it). No `preload`: that commits the whole domain.
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
}


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stdout` is at the moment of writing.

    Lambda sends stdout, one line per record, to CloudWatch. A handler that
    kept the stream it was created with would write past anything that
    replaced stdout since (a test capturing every line the app prints)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def _access_log() -> logging.Logger:
    logger = logging.getLogger("hr_exam.access")
    if not logger.handlers:
        handler = _StdoutHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def _log_access(line: str) -> None:
    """The request's log line. While the access logger has only its own handler (it always
    does, but for a test capturing records), the line is written as that handler would write
    it, without building a log record: about 40 microseconds a request, a tenth of a stubbed
    DynamoDB call."""
    logger = _access_log()
    handlers = logger.handlers
    if (
        len(handlers) == 1
        and type(handlers[0]) is _StdoutHandler
        and not handlers[0].filters
        and handlers[0].level <= logging.INFO
        and not logger.filters
        and logger.isEnabledFor(logging.INFO)
    ):
        stream = sys.stdout
        stream.write(line + "\n")
        stream.flush()
    else:
        logger.info(line)


def _check_staff(request: Request) -> StaffMember:
    token = bearer_token(request)
    query: dict[str, str] = dict(request.query_params or {})
    link = query.get("link")
    if token is None and link and signed_download(request.method, request.path):
        from chalicelib.services import links

        return links.staff_for(runtime.current(), link, request.path)
    if token is None:
        raise Unauthorized("请先登录：请求需要工作人员令牌（Authorization: Bearer ...）。")
    member = runtime.current().secrets.staff_for(token)
    if member is None:
        raise Unauthorized("工作人员令牌无效或已吊销。")
    return member


def _check_role(request: Request, member: StaffMember) -> None:
    minimum = minimum_role(request.method, request.path)
    if minimum is None or not member.may(minimum):
        raise Forbidden()


def _audit(request: Request, member: StaffMember, status: int) -> None:
    """Record a staff write, a full-detail view, or a read of the answer key, that succeeded."""
    method = request.method.upper()
    # A view that shows full details only when asked (the helpdesk's search) says whether it did.
    shown = request.context.get("full_details", True)
    viewed = audited_view(method, request.path) and member.role is Role.ADMIN and shown is True
    viewed = viewed or audited_read(method, request.path)
    if method in ("GET", "HEAD", "OPTIONS") and not viewed:
        return
    reason: object = None
    try:
        parsed = json.loads(request.raw_body or b"{}")
        if isinstance(parsed, dict):
            reason = parsed.get("reason")
    except (ValueError, UnicodeDecodeError):
        pass
    from chalicelib.services import audit

    try:
        audit.record_action(
            member.name,
            member.role.label,
            f"{method} {request.path}",
            {
                **{str(k): str(v) for k, v in (request.uri_params or {}).items()},
                # What a route adds about the record it touched (masked, no personal data).
                **request.context.get("audit_record", {}),
            },
            status,
            reason,
        )
    except DomainError:
        logging.getLogger("hr_exam.audit").error(
            "audit event not recorded for %s %s (request %s)", method, request.path, request_id(request)
        )


def _in_contract_shape(response: Response) -> Response:
    """Chalice's own refusal of a binary download without a matching Accept header
    (`{"Code": "BadRequest", ...}`, 400) answered as the contract's 406 instead."""
    body = response.body
    if response.status_code == 400 and isinstance(body, dict) and body.get("Code") == "BadRequest":
        return error_response(NotAcceptable())
    return response


def http(request: Request, get_response: Callable[[Request], Response]) -> Response:
    started = time.perf_counter()
    aws.start_counting()
    route = request.path
    staff: str | None = None
    member: StaffMember | None = None
    try:
        size = len(request.raw_body or b"")
        limit = ADMIN_BODY_LIMIT if route.startswith(ADMIN_PREFIX) else CANDIDATE_BODY_LIMIT
        if size > limit:
            raise PayloadTooLarge()
        if route.startswith(ADMIN_PREFIX):
            member = _check_staff(request)
            staff = member.name
            request.context["staff"] = staff
            request.context["staff_role"] = member.role.label
            _check_role(request, member)
        response = _in_contract_shape(get_response(request))
        if member is not None and response.status_code < 400:
            _audit(request, member, response.status_code)
    except DomainError as error:
        response = error_response(error)
    except Exception as exc:
        logging.getLogger("hr_exam.web").error(
            "unhandled %s in middleware for %s (request %s)", type(exc).__name__, route, request_id(request)
        )
        response = internal_error_response(request)
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    entry: dict[str, Any] = {
        "type": "request",
        "request_id": request_id(request),
        "method": request.method,
        "route": route,
        "status": response.status_code,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        "aws_calls": aws.calls_so_far(),
    }
    if staff:
        entry["staff"] = staff
    _log_access(json.dumps(entry, separators=(",", ":")))
    return response
