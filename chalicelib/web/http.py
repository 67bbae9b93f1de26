"""Request parsing and responses in the contract's shape.

Every route is declared through `route()`, which is the one place a domain
error becomes `{"error": {"code", "message", "field"}}` and an unexpected
exception becomes a logged 500 with a request id and a generic message.
Bodies are parsed here too: anything that is not a JSON object is a 400,
whatever its content type claims.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import traceback
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from chalice.app import Blueprint, Request, Response

from chalicelib.domain.attempt_order import CACHED_ATTEMPTS
from chalicelib.domain.contacts import CONTACT_STAFF
from chalicelib.domain.errors import BadRequest, DomainError
from chalicelib.domain.staff import Role
from chalicelib.last_used import LastUsed

log = logging.getLogger("hr_exam.web")

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}
INTERNAL_MESSAGE = f"系统出现了意外错误，我们已记录此问题。请稍后重试；如多次出现，{CONTACT_STAFF}。"

# Every JSON route accepts any declared content type and decides for itself
# whether the body is JSON, so a wrong header is a 400 in the contract's
# shape rather than Chalice's own 415.
ANY_CONTENT = ["*/*"]


# The one JSON encoder of responses: built once, not on every call as `json.dumps(...)` does.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class ReusedJson:
    """The JSON text of values a route answers again and again, by identity, for the last
    `size` of them: an attempt's paper (8 KB, about half a millisecond to encode) is the same
    object on every request of that attempt (`AttemptPapers`), and never changed.

    Only for values nobody changes once answered. Each is kept beside its text, so its id
    cannot name another object while it is here."""

    def __init__(self, size: int = CACHED_ATTEMPTS) -> None:
        self._texts: LastUsed[int, tuple[Any, str]] = LastUsed(size)

    def text(self, value: Any) -> str:
        found = self._texts.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        text = _encode(value)
        self._texts.put(id(value), (value, text))
        return text


_reused = ReusedJson()


def json_text(body: Any, reused: tuple[str, ...] = ()) -> str:
    """`body` as the responses' JSON; the values of an object's `reused` keys from `ReusedJson`
    (the same text as encoding the whole, byte for byte)."""
    if not reused or not isinstance(body, dict) or not all(isinstance(key, str) for key in body):
        return _encode(body)
    parts = (
        f"{_encode(key)}:{_reused.text(value) if key in reused else _encode(value)}"
        for key, value in body.items()
    )
    return "{" + ",".join(parts) + "}"


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None, reused: tuple[str, ...] = ()
) -> Response:
    """`reused`: keys of `body` whose values are answered unchanged again and again (`ReusedJson`)."""
    return Response(
        body=json_text(body, reused),
        status_code=status,
        headers={**JSON_HEADERS, **(headers or {})} if headers else dict(JSON_HEADERS),
    )


def no_content() -> Response:
    return Response(body="", status_code=204, headers={"Cache-Control": "no-store"})


def error_response(error: DomainError) -> Response:
    return json_response(error.body(), status=error.status, headers=error.headers())


def request_id(request: Request | None) -> str:
    """API Gateway's request id; `chalice local` has none, so one is made up once per request."""
    if request is None:
        return "-"
    found = request.context.get("requestId")
    if not found:
        found = request.context["requestId"] = uuid.uuid4().hex
    return str(found)


def internal_error_response(request: Request | None) -> Response:
    return json_response(
        {"error": {"code": "internal", "message": INTERNAL_MESSAGE, "request_id": request_id(request)}},
        status=500,
    )


def code_location(exc: BaseException) -> str:
    """Where an exception came from, as file:line frames only.

    An exception's message may quote the input that caused it (an ID number,
    a phone), so the log gets the frames, never the message.
    """
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    return " <- ".join(
        f"{frame.filename.rsplit('/', 2)[-1]}:{frame.lineno}:{frame.name}" for frame in reversed(frames)
    )


# No form or paper nests deeper than 4; a limit keeps hostile bodies from
# reaching code that recurses (the contract allows 32).
MAX_DEPTH = 32
TOO_DEEP_MESSAGE = f"请求格式不正确：JSON 嵌套层数不能超过 {MAX_DEPTH} 层。请检查后重试。"
SURROGATE_MESSAGE = "请求格式不正确：内容中含有无法识别的字符（不成对的代理码位）。请检查后重试。"
NOT_A_NUMBER_MESSAGE = "请求格式不正确：JSON 中不能使用 NaN 或 Infinity。请检查后重试。"


def _refuse_constant(name: str) -> Any:
    raise BadRequest(NOT_A_NUMBER_MESSAGE)


def check_document(document: Any, max_depth: int = MAX_DEPTH) -> None:
    """`BadRequest` when a parsed JSON document nests deeper than `max_depth` or holds a
    string (key or value) with a lone surrogate, which no store or mail can encode.

    Walks with its own stack, so a hostile document cannot exhaust Python's."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            _check_text(node)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > max_depth:
            raise BadRequest(TOO_DEEP_MESSAGE)
        if isinstance(node, dict):
            for key in node:
                _check_text(key)
            children: Any = node.values()
        else:
            children = node
        stack.extend((child, depth + 1) for child in children)


# A sound JSON text's strings (every `"` outside one opens one), its brackets outside
# strings, and a pair of them with nothing between.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_EMPTY_PAIR = re.compile(r"\[\]|\{\}")


def nests_deeper(text: str, max_depth: int = MAX_DEPTH) -> bool:
    """Whether a text `json.loads` accepted nests more than `max_depth` arrays and objects,
    told without walking the document (a submission's 50 answers are 51 containers): with
    its strings taken out, its brackets are its structure, and each pass removes the
    innermost pairs, so what is left after `max_depth` passes nests deeper."""
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    for _ in range(max_depth):
        if not brackets:
            return False
        brackets = _EMPTY_PAIR.sub("", brackets)
    return bool(brackets)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadRequest(SURROGATE_MESSAGE) from exc


def parse_json(text: str) -> Any:
    """The one JSON parser for request bodies: `BadRequest` for anything but a sound document."""
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise BadRequest(TOO_DEEP_MESSAGE) from exc
    except ValueError as exc:
        raise BadRequest() from exc
    if _may_hold_lone_surrogate(text):
        check_document(document)
    elif text.count("[") + text.count("{") > MAX_DEPTH and nests_deeper(text):
        # Fewer brackets than that cannot nest deeper: most forms need not even count.
        raise BadRequest(TOO_DEEP_MESSAGE)
    return document


def _may_hold_lone_surrogate(text: str) -> bool:
    """False when no string parsed from `text` can hold a lone surrogate: every character
    of a JSON string is the text's own unless written as a `\\u` escape, so a text that
    encodes and has no such escape (every candidate's form) needs no walk of its strings."""
    if "\\u" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def json_body(request: Request) -> dict[str, Any]:
    """The body as a JSON object, or `BadRequest`."""
    raw = request.raw_body
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw or "")
    except UnicodeDecodeError as exc:
        raise BadRequest() from exc
    body = parse_json(text) if text.strip() else None
    if not isinstance(body, dict):
        raise BadRequest()
    return body


def client_address(request: Request) -> str | None:
    """API Gateway's `requestContext.identity.sourceIp`: what failure limits count per ID number."""
    identity = request.context.get("identity") or {}
    address = identity.get("sourceIp") if isinstance(identity, dict) else None
    return address if isinstance(address, str) and address else None


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


View = Callable[..., Any]

STAFF_PREFIX = "/api/admin/"
# (method, path as declared) -> the least staff role that may use the route.
# The middleware refuses a staff route missing here (403), and a test walks
# the route table so none is missing.
ROUTE_ROLES: dict[tuple[str, str], Role] = {}
# Staff GET routes that show full personal details to the roles that see them
# (admins): each such view is audited, as every staff write is.
AUDITED_VIEWS: set[tuple[str, str]] = set()
# Staff GET routes whose answer staff of every role that may use them see in full, and that
# must therefore be recorded whoever asks: files carrying the answer key (the bank's export).
AUDITED_READS: set[tuple[str, str]] = set()
# Staff GET routes that answer a file: they also open with a short-lived signed link
# (`?link=...`) instead of the Authorization header, so a plain URL downloads them in WeChat.
DOWNLOADS: set[str] = set()


def minimum_role(method: str, path: str) -> Role | None:
    return ROUTE_ROLES.get((method.upper(), path))


def audited_view(method: str, path: str) -> bool:
    return (method.upper(), path) in AUDITED_VIEWS


def audited_read(method: str, path: str) -> bool:
    return (method.upper(), path) in AUDITED_READS


def signed_download(method: str, path: str) -> bool:
    return method.upper() == "GET" and path in DOWNLOADS


def attachment(filename: str, chinese: str) -> str:
    """A Content-Disposition that saves the file as `chinese` (RFC 6266), `filename` where
    a browser reads only the ASCII form."""
    return f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(chinese)}"


def route(
    blueprint: Blueprint,
    path: str,
    role: Role | None = None,
    full_details: bool = False,
    download: bool = False,
    audited: bool = False,
    **options: Any,
) -> Callable[[View], View]:
    """`blueprint.route`, with domain errors and unexpected failures answered in the contract's shape.

    A staff route (under `/api/admin/`) declares `role`, the least role that may use it,
    `full_details` when it shows admins full personal details (audited), `audited` when every
    successful read is recorded whatever the role (the answer key), and `download` when it
    answers a file that a signed link may open.
    """
    options.setdefault("content_types", ANY_CONTENT)
    if path.startswith(STAFF_PREFIX):
        if role is None:
            log.warning("staff route %s declares no role: every request to it is refused", path)
        else:
            for method in options.get("methods", ["GET"]):
                ROUTE_ROLES[(method.upper(), path)] = role
                if full_details:
                    AUDITED_VIEWS.add((method.upper(), path))
                if audited:
                    AUDITED_READS.add((method.upper(), path))
            if download:
                DOWNLOADS.add(path)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except DomainError as error:
                return error_response(error)
            except Exception as exc:
                request = blueprint.current_request
                log.error(
                    "unhandled %s in %s (request %s) at %s",
                    type(exc).__name__,
                    path,
                    request_id(request),
                    code_location(exc),
                )
                return internal_error_response(request)

        blueprint.route(path, **options)(guarded)
        return view

    return decorate
