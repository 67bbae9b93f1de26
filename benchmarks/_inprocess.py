"""The app in this process on moto's in-process mock, as the request-level benchmarks run it.

`aws_calls`, `app_cost` and `bank_draw` each need the same stage: embedded
moto, the clock frozen at a registration day (1 December, 10:00 Beijing time),
the `local` stage's settings (in `os.environ`, as Lambda has them), the tables
and buckets bootstrapped, and the app called as Lambda calls it, with its
access log kept off stdout (the table's). `aws_calls` and `app_cost` also walk
the same candidate routes, each warmed by a first candidate and observed on a
second one's request. Both live here once.

A request is the API Gateway event Lambda would hand the function, built
before the call (with `chalice local`'s route matcher, and a request id as
API Gateway gives one), then `app(event, context)`: the handler Lambda runs.
`Answer.cpu` is that call's own CPU time. `chalice.test.Client` is not used
here: around the same handler it matches the route by trying each one,
builds the event and copies `os.environ` on every request, which no deployed
request pays (API Gateway has matched the route and Lambda hands over the
event), and which cost more than the app's own work on the lightest routes.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import io
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, redirect_stdout
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.runtime import Runtime

REGISTRATION_DAY = dt.date(2026, 12, 1)
EXAM_DAY = dt.date(2026, 12, 18)
PAGES = ["GET /", "GET /lookup", "GET /faq"]

# (route name, request of candidate n, expected status)
Request = Callable[[int], Any]
Visit = Callable[[str, Request, int], None]


@dataclass
class Answer:
    """What the handler returned, as a test client shows it, and the handler's own CPU seconds."""

    status_code: int
    headers: dict[str, Any]
    body: bytes
    cpu: float


class Gateway:
    """A Chalice app called as Lambda calls it, with events shaped as API Gateway's."""

    def __init__(self, app: Any) -> None:
        from chalice.local import LambdaEventConverter, RouteMatcher

        self.app = app
        # Set by a benchmark that profiles the handler: enabled around the call alone.
        self.profiler: Any = None
        self._events = LambdaEventConverter(RouteMatcher(list(app.routes)), app.api.binary_types)

    def event(self, method: str, path: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        event = self._events.create_lambda_event(method=method.upper(), path=path, headers=headers, body=body)
        event["requestContext"]["requestId"] = str(uuid.uuid4())
        if not event.get("isBase64Encoded"):
            # API Gateway hands a text body as a string, and no body as null.
            event["body"] = body.decode("utf-8") if body else None
        return event

    def invoke(self, event: dict[str, Any]) -> Answer:
        """`app(event, context)` on a fresh copy of `event` (Lambda parses a new one for each
        invocation), timed alone: the copy and the reading of the answer are not the app's."""
        from chalice.local import LambdaContext

        fresh = copy.deepcopy(event)
        context = LambdaContext(function_name="api_handler", memory_size=1024, max_runtime_ms=60_000)
        profiler = self.profiler
        started = time.process_time()
        if profiler is not None:
            profiler.enable()
        answer = self.app(fresh, context)
        if profiler is not None:
            profiler.disable()
        cpu = time.process_time() - started
        body = answer["body"]
        raw = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode("utf-8")
        headers = {**answer["headers"], **answer.get("multiValueHeaders", {})}
        return Answer(answer["statusCode"], headers, raw, cpu)

    def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        return self.invoke(self.event(method, path, headers, body))


class Bench:
    """The running stage: the runtime, the frozen clock and, once opened, the app's gateway."""

    def __init__(self, rt: Runtime, moving: Any, stack: ExitStack) -> None:
        self.rt = rt
        self._moving = moving
        self._stack = stack
        self._gateway: Gateway | None = None
        self.now = _beijing(REGISTRATION_DAY, dt.time(10))

    def move_to(self, day: dt.date, time: dt.time) -> dt.datetime:
        return self.travel_to(_beijing(day, time))

    def travel_to(self, when: dt.datetime) -> dt.datetime:
        self.now = when
        self._moving.move_to(when)
        return when

    @property
    def gateway(self) -> Gateway:
        assert self._gateway is not None, "open_app() first"
        return self._gateway

    def open_app(self) -> Any:
        """The app behind its gateway, its access log lines kept off stdout."""
        from app import app

        self._gateway = Gateway(app)
        self._stack.enter_context(redirect_stdout(io.StringIO()))
        return app

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Answer:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        # As the pages send it: JSON.stringify leaves Chinese as UTF-8, never as \u escapes.
        payload = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        return self.gateway.request(method, path, headers, payload)


def _beijing(day: dt.date, time: dt.time) -> dt.datetime:
    from chalicelib import clock

    return clock.beijing(day, time)


@contextmanager
def local_stage() -> Iterator[Bench]:
    """Embedded moto, the clock at 1 December 10:00, the local stage loaded and bootstrapped."""
    import time_machine
    from moto import mock_aws

    from chalicelib import runtime
    from chalicelib.config import load_settings
    from chalicelib.storage import aws
    from ops import provision
    from ops.cli import load_stage

    saved = dict(os.environ)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    try:
        with ExitStack() as stack:
            stack.enter_context(mock_aws())
            moving = stack.enter_context(
                time_machine.travel(_beijing(REGISTRATION_DAY, dt.time(10)), tick=False)
            )
            load_stage("local")
            runtime.reset()
            aws.reset_clients()
            for _ in provision.bootstrap(load_settings()):
                pass
            yield Bench(runtime.current(), moving, stack)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        runtime.reset()
        aws.reset_clients()


def second_request(name: str, request: Request, expect: int) -> Callable[[], Any]:
    """Warm the container with candidate 0's request; the second candidate's is the one observed."""
    first = request(0)
    assert first.status_code == expect, (name, first.status_code, first.body[:300])
    return lambda: request(1)


def candidate_routes(bench: Bench, first_person: int, visit: Visit, after_pages: Callable[[], None]) -> None:
    """Every candidate route in a day's order, for two people: `visit(name, request, expect)`
    each, the clock moved to the exam day (09:30) before the exam routes."""
    from tests.support.exam_data import answers_scoring
    from tests.support.people import person

    call = bench.call
    people = [person(first_person), person(first_person + 1)]
    visit("GET /api/today", lambda n: call("GET", "/api/today"), 200)
    for page in PAGES:
        path = page.split()[1]

        def get(n: int, path: str = path) -> Any:
            return call("GET", path)

        visit(page, get, 200)
    after_pages()
    visit(
        "POST /api/registrations", lambda n: call("POST", "/api/registrations", people[n].registration()), 201
    )
    visit(
        "POST /api/registrations/lookup",
        lambda n: call("POST", "/api/registrations/lookup", people[n].lookup()),
        200,
    )
    bench.move_to(EXAM_DAY, dt.time(9, 30))
    tokens: dict[int, str] = {}

    def enter(n: int) -> Any:
        who = people[n]
        response = call("POST", "/api/exam/sessions", {"id_number": who.id_number, "name": who.name})
        if response.status_code == 201:
            tokens.setdefault(n, json.loads(response.body)["token"])
        return response

    visit("POST /api/exam/sessions", enter, 201)
    visit("GET /api/exam/paper", lambda n: call("GET", "/api/exam/paper", token=tokens[n]), 200)
    visit(
        "PUT /api/exam/answers",
        lambda n: call("PUT", "/api/exam/answers", {"answers": {"s1": ["B"]}}, tokens[n]),
        204,
    )

    def submit(n: int) -> Any:
        who = people[n]
        sheet = {"name": who.name, "phone": who.phone, "email": who.email}
        return call("POST", "/api/exam/submit", {**sheet, "answers": answers_scoring(70)}, tokens[n])

    visit("POST /api/exam/submit", submit, 200)
