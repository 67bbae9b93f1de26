"""Every JSON route, driven with arbitrary JSON and arbitrary Unicode: never a 5xx, always the error shape.

The routes come from the app's own route table, so a route another branch
adds is driven too once it merges. Bodies are arbitrary JSON values (objects
carrying the fields the routes read, and anything else), with text drawn from
all of Unicode plus the characters that broke things before: lone surrogates
(as JSON escapes and as raw, invalid UTF-8), control characters, line and
paragraph separators, bidirectional marks, zero-width and full-width
operators. Path parameters are a real period, a missing one or arbitrary
text; GET routes get arbitrary query parameters. Some examples run with
DynamoDB not answering (an injected fault): those, and only those, may answer
503. Every refusal is the contract's `{"error": {"code", "message", ...}}`, and
every response is checked against docs/openapi.yaml (tests/api/conftest.py).

Runs in-process (chalice.test.Client on moto's mock), a few examples per route.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import app
from chalicelib import clock, runtime
from tests.api.conftest import Api, body
from tests.support.exam_data import exam_period, paper_document, person, register
from tests.support.faults import dynamodb_times_out

EXAMPLES = 12

# Methods that carry a body; every route under /api/ is JSON (or, for GETs, an image or a workbook).
ROUTES = sorted(
    (path, method) for path, methods in app.routes.items() if path.startswith("/api/") for method in methods
)
# What the routes read from a body: drawn often, so examples get past "not an object".
FIELDS = [
    "name", "id_number", "phone", "email", "consent", "answers", "exam_date", "exam_start",
    "exam_end", "notes", "registration_opens", "registration_closes", "full", "title",
    "pass_mark", "questions", "notice", "holidays", "workdays", "reason", "role", "id_numbers",
]  # fmt: skip
QUERY = ["cursor", "limit", "since", "staff", "masked", "full"]
HOSTILE = [
    "\ud800", "\udfff", "\ud83d", "\x00", "\x01", "\x0b", "\x1b", "\x7f", "\x85", "\u2028", "\u2029",
    "\u202e", "\u200f", "\u200e", "\u2066", "\u200b", "\ufeff", "\uffff", "＝", "=", "+", "@", "\t", "\r\n",
    "'", '"', "\\", "<script>", "1e999", "%00", "../", "张三", "١٢٣", "²",
]  # fmt: skip

hostile_text = st.lists(
    st.one_of(st.characters(blacklist_categories=()), st.sampled_from(HOSTILE)), max_size=12
).map("".join)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(hostile_text, st.sampled_from(FIELDS)), inner, max_size=4),
    ),
    max_leaves=16,
)
bodies = st.one_of(
    st.fixed_dictionaries({}, optional={field: json_values for field in FIELDS}),
    json_values,
)
# Text that survives a URL: lone surrogates have no UTF-8, so paths and queries get the rest.
url_text = st.lists(
    st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(HOSTILE[3:])), max_size=12
).map("".join)


@st.composite
def encoded(draw: Any) -> bytes:
    """A body: JSON with escapes (`\\ud800` as six ASCII characters), or raw and possibly invalid UTF-8."""
    value = draw(bodies)
    if draw(st.booleans()):
        return json.dumps(value, ensure_ascii=True).encode("ascii")
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@dataclass
class Scene:
    api: Api
    period_id: str
    exam_token: str


@pytest.fixture
def scene(api: Api, travel: Any) -> Iterator[Scene]:
    """An exam under way (09:30 on its day) with its paper, one candidate in it."""
    import datetime as dt

    travel(clock.beijing(dt.date(2026, 12, 1), dt.time(10)))
    rt = runtime.current()
    from chalicelib.storage import aws

    aws.client("ses", rt.settings.ses_region).verify_email_identity(EmailAddress=rt.settings.ses_sender)
    period = exam_period(rt, dt.date(2026, 12, 18))
    assert api.staff("PUT", f"/api/admin/periods/{period.id}/paper", paper_document()).status_code == 200
    alice = person(1)
    register(rt, period, alice)
    travel(clock.beijing(dt.date(2026, 12, 18), dt.time(9, 30)))
    entered = api.post("/api/exam/sessions", {"id_number": alice.id_number, "name": alice.name})
    assert entered.status_code == 201, entered.body
    yield Scene(api, period.id, body(entered)["token"])


def fill(path: str, draw: Any, scene: Scene) -> str:
    def value(match: re.Match[str]) -> str:
        known = {"period_id": [scene.period_id, "nope"], "year": ["2027", "1899", "99999"]}
        choice = draw(st.sampled_from([*known.get(match.group(1), ["x"]), None]))
        return urllib.parse.quote(choice if choice is not None else draw(url_text) or "-", safe="")

    return re.sub(r"\{([^}]+)\}", value, path)


def assert_error_shape(status: int, raw: bytes | str) -> None:
    document = json.loads(raw)
    assert isinstance(document, dict) and isinstance(document.get("error"), dict), raw
    error = document["error"]
    assert isinstance(error.get("code"), str) and error["code"], raw
    assert isinstance(error.get("message"), str) and error["message"], raw
    assert "field" not in error or isinstance(error["field"], str), raw


def drive(scene: Scene, path: str, method: str) -> None:
    """`EXAMPLES` hostile requests to one route."""

    @given(data=st.data())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(data: Any) -> None:
        url = fill(path, data.draw, scene)
        raw: bytes | None = None
        if method == "GET":
            params = data.draw(st.dictionaries(st.sampled_from(QUERY), url_text, max_size=3))
            if params:
                url += "?" + urllib.parse.urlencode(params)
        elif method != "DELETE" or data.draw(st.booleans()):
            raw = data.draw(encoded())
        token = data.draw(st.sampled_from([scene.api.staff_token, scene.exam_token, None, "hrx_not-a-token"]))
        fault = data.draw(st.booleans())
        with dynamodb_times_out() if fault else nullcontext():
            # Any client downloading a file says what it accepts (Chalice refuses a binary answer
            # to a request without a matching Accept header, in its own shape: see the README).
            response = scene.api.request(method, url, raw=raw, token=token, headers={"Accept": "*/*"})
        status = response.status_code
        assert status < 500 or (fault and status == 503), (method, url, raw, status, response.body)
        if status >= 400:
            assert_error_shape(status, response.body)

    run()


def test_the_route_table_gives_the_json_routes() -> None:
    assert ("/api/registrations", "POST") in ROUTES and ("/api/exam/answers", "PUT") in ROUTES
    assert all(path.startswith("/api/") for path, _ in ROUTES)


def test_no_json_route_breaks_on_hostile_input(scene: Scene) -> None:
    """Every route in one test: the scene (an exam under way) is built once, which keeps
    the whole walk well inside a minute."""
    for path, method in ROUTES:
        drive(scene, path, method)


# The bodies that broke the parser before it was hardened, sent to every route whatever Hypothesis
# draws: nesting past Python's recursion limit, NaN and Infinity (which DynamoDB cannot store),
# lone surrogates as escapes and as raw bytes, and objects nested just past the depth limit.
BOMBS = [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"name": ' * 50_000 + b"1" + b"}" * 50_000,
    b'{"name": NaN, "id_number": Infinity, "answers": [-Infinity], "pass_mark": NaN}',
    b'{"name": "\\ud800", "phone": "\\udfff", "answers": {"\\ud83d": ["A"]}, "notice": "\\ud800"}',
    '{"name": "\ud800", "reason": "\udfff"}'.encode("utf-8", "surrogatepass"),
    b'{"holidays": ' + b'{"a": ' * 40 + b"1" + b"}" * 40 + b"}",
]


def test_no_json_route_breaks_on_the_bodies_that_broke_the_parser(scene: Scene) -> None:
    for path, method in ROUTES:
        if method == "GET":
            continue
        url = path.replace("{period_id}", scene.period_id)
        url = re.sub(r"\{[^}]+\}", "x", url)
        for raw in BOMBS:
            for token in (scene.api.staff_token, scene.exam_token, None):
                response = scene.api.request(method, url, raw=raw, token=token, headers={"Accept": "*/*"})
                assert response.status_code < 500, (
                    method,
                    url,
                    raw[:40],
                    response.status_code,
                    response.body,
                )
                if response.status_code >= 400:
                    assert_error_shape(response.status_code, response.body)
