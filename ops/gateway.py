"""What API Gateway itself enforces and answers, derived from the route table.

Chalice's config has no key for throttling or for the gateway's own error
responses, so `make deploy` applies these after `chalice deploy`
(`python -m chalicelib.cli post-deploy`) and `make package` merges them into
the SAM template; both read them from here, so the two ways of deploying agree.

Gateway throttling caps the whole stage: it protects the bill, Lambda
concurrency and the table from a flood, but API Gateway counts every caller
together, so it is not per-client fairness (that needs AWS WAF; see README).
The limits leave room for the busiest legitimate minute: an exam starting for
a thousand candidates at once, each loading the page, its scripts, the paper,
and saving answers as they go.

Requests that never reach the app (no such route, throttled, too large, a
gateway timeout) get the gateway's own responses; these are rewritten into the
contract's error shape with the same security headers the middleware sets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import BadRequest, NotFound, Unavailable

ADMIN_PREFIX = "/api/admin/"
EXAM_PREFIX = "/api/exam/"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Limit:
    rate: float  # requests per second, sustained, across all callers
    burst: int  # requests accepted at once above the rate


# Pages, static files, GET /api/today, and the exam's reads.
STAGE_LIMIT = Limit(rate=200, burst=400)
# Saving answers and submitting: every candidate of an exam, within the same hour.
EXAM_WRITE_LIMIT = Limit(rate=100, burst=300)
# Registration and lookup: spread over weeks; lookup is what an enumerator would hammer.
CANDIDATE_WRITE_LIMIT = Limit(rate=20, burst=50)
# A handful of staff members.
ADMIN_LIMIT = Limit(rate=10, burst=20)

THROTTLED_MESSAGE = "当前访问人数较多，请稍等几秒后重试。您填写的内容不会丢失。"
TOO_LARGE_MESSAGE = "提交的内容过大，请检查后重试。"
NO_SUCH_ROUTE_MESSAGE = "没有这个页面或接口，请检查地址，或从首页二维码重新进入。"

# The middleware's headers, for responses the gateway writes itself. Static
# header values there are single-quoted strings, so the CSP is one without
# quoted keywords: `sandbox` forbids scripts, forms and plugins outright,
# which is all a JSON error body needs.
GATEWAY_SECURITY_HEADERS = {
    "Content-Security-Policy": "sandbox",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
}


@dataclass(frozen=True)
class GatewayResponse:
    status: str | None  # None keeps the status API Gateway chose (DEFAULT_4XX / DEFAULT_5XX)
    code: str
    message: str

    def template(self) -> str:
        body = {"error": {"code": self.code, "message": self.message, "request_id": "$context.requestId"}}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))

    def header_parameters(self) -> dict[str, str]:
        return {
            f"gatewayresponse.header.{name}": f"'{value}'" for name, value in GATEWAY_SECURITY_HEADERS.items()
        }


GATEWAY_RESPONSES: dict[str, GatewayResponse] = {
    # API Gateway answers an unknown path with 403 "Missing Authentication Token".
    "MISSING_AUTHENTICATION_TOKEN": GatewayResponse("404", NotFound.code, NO_SUCH_ROUTE_MESSAGE),
    "THROTTLED": GatewayResponse("429", "throttled", THROTTLED_MESSAGE),
    "REQUEST_TOO_LARGE": GatewayResponse("413", "payload_too_large", TOO_LARGE_MESSAGE),
    "DEFAULT_4XX": GatewayResponse(None, BadRequest.code, BadRequest.default_message),
    "DEFAULT_5XX": GatewayResponse(None, Unavailable.code, Unavailable.default_message),
}


def limit_for(path: str, method: str) -> Limit:
    """The throttle of one route and method."""
    if path.startswith(ADMIN_PREFIX):
        return ADMIN_LIMIT
    if method.upper() in READ_METHODS:
        return STAGE_LIMIT
    if path.startswith(EXAM_PREFIX):
        return EXAM_WRITE_LIMIT
    if path.startswith("/api/"):
        return CANDIDATE_WRITE_LIMIT
    return STAGE_LIMIT


def escape_path(path: str) -> str:
    """A resource path as API Gateway's method settings spell it: `/api/today` -> `~1api~1today`."""
    return path.replace("~", "~0").replace("/", "~1")


def method_limits(routes: Iterable[tuple[str, str]]) -> dict[str, Limit]:
    """`<escaped path>/<METHOD>` -> limit, for each route whose limit is not the stage's."""
    found: dict[str, Limit] = {}
    for path, method in routes:
        limit = limit_for(path, method)
        if limit != STAGE_LIMIT:
            found[f"{escape_path(path)}/{method.upper()}"] = limit
    return dict(sorted(found.items()))


def sam_method_settings(routes: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """The same limits as `MethodSettings` of an `AWS::Serverless::Api`."""

    def setting(resource_path: str, method: str, limit: Limit) -> dict[str, Any]:
        return {
            "ResourcePath": resource_path,
            "HttpMethod": method,
            "ThrottlingRateLimit": limit.rate,
            "ThrottlingBurstLimit": limit.burst,
            # Execution logs with data trace would copy request bodies (ID numbers) into CloudWatch.
            "DataTraceEnabled": False,
            "MetricsEnabled": False,
        }

    settings = [setting("/*", "*", STAGE_LIMIT)]
    for key, limit in method_limits(routes).items():
        escaped, _, method = key.rpartition("/")
        settings.append(setting("/" + escaped, method, limit))
    return settings


def sam_gateway_responses() -> dict[str, Any]:
    """The gateway responses as `GatewayResponses` of an `AWS::Serverless::Api`."""
    found: dict[str, Any] = {}
    for kind, response in GATEWAY_RESPONSES.items():
        entry: dict[str, Any] = {
            "ResponseParameters": {
                "Headers": {name: f"'{value}'" for name, value in GATEWAY_SECURITY_HEADERS.items()}
            },
            "ResponseTemplates": {"application/json": response.template()},
        }
        if response.status:
            entry["StatusCode"] = response.status
        found[kind] = entry
    return found
