"""The app in this process on moto's in-process mock, as the request-level benchmarks run it.

`aws_calls`, `app_cost` and `bank_draw` each need the same stage: embedded
moto, the clock frozen at a registration day (1 December, 10:00 Beijing time),
the `local` stage's settings, the tables and buckets bootstrapped, and the app
behind `chalice.test.Client` with its access log kept off stdout (the table's).
`aws_calls` and `app_cost` also walk the same candidate routes, each warmed by
a first candidate and observed on a second one's request. Both live here once.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, redirect_stdout
from typing import TYPE_CHECKING, Any

from benchmarks._table import PROJECT

if TYPE_CHECKING:
    from chalicelib.runtime import Runtime

REGISTRATION_DAY = dt.date(2026, 12, 1)
EXAM_DAY = dt.date(2026, 12, 18)
PAGES = ["GET /", "GET /lookup", "GET /faq"]

# (route name, request of candidate n, expected status)
Request = Callable[[int], Any]
Visit = Callable[[str, Request, int], None]


class Bench:
    """The running stage: the runtime, the frozen clock and, once opened, the app's client."""

    def __init__(self, rt: Runtime, moving: Any, stack: ExitStack) -> None:
        self.rt = rt
        self._moving = moving
        self._stack = stack
        self._client: Any = None
        self.now = _beijing(REGISTRATION_DAY, dt.time(10))

    def move_to(self, day: dt.date, time: dt.time) -> dt.datetime:
        return self.travel_to(_beijing(day, time))

    def travel_to(self, when: dt.datetime) -> dt.datetime:
        self.now = when
        self._moving.move_to(when)
        return when

    def open_app(self) -> Any:
        """The app behind the test client, its access log lines kept off stdout."""
        from chalice.test import Client

        from app import app

        self._client = self._stack.enter_context(Client(app, stage_name="local", project_dir=str(PROJECT)))
        self._stack.enter_context(redirect_stdout(io.StringIO()))
        return app

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = json.dumps(body).encode() if body is not None else b""
        return self._client.http.request(method, path, headers=headers, body=payload)


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
