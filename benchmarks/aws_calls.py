"""AWS calls per warm request on each candidate route, counted by botocore's `before-call` events.

    python -m benchmarks.aws_calls

The app runs in this process (`chalice.test.Client`) on moto's in-process
mock, with the clock moved to a registration day and then to an exam day.
Each route is called once to warm the container (the periods cache, the
paper cache, the clients), then once more for another candidate: that second
request's calls are counted, by operation. Budgets: `today` 0,
`registrations` 1, `registrations/lookup` 2 (the failure count, then the
Query), `exam/sessions` <= 2 (the failure count, then the UpdateItem), `exam/paper` <= 1, `exam/answers` 1,
`exam/submit` <= 2 (the API tests assert the same budgets).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout
from typing import Any

from benchmarks._table import PROJECT, Row, check, info, standalone

NAME = "aws_calls"
EXAM_DAY = dt.date(2026, 12, 18)
# (route, budget, exact): exact budgets are "=", the others "<=".
BUDGETS = {
    "GET /api/today": (0, True),
    "POST /api/registrations": (1, True),
    # +1 since entry v2: the UpdateItem counting this request in (it returns the pair's failures).
    "POST /api/registrations/lookup": (2, True),
    "POST /api/exam/sessions": (2, False),
    "GET /api/exam/paper": (1, False),
    "PUT /api/exam/answers": (1, True),
    "POST /api/exam/submit": (2, False),
}
PAGES = ["GET /", "GET /lookup", "GET /faq"]


def add_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """No options: the counts do not depend on any size."""


class Probe:
    """Counts the AWS calls of one request, by operation."""

    def __init__(self, clients: list[Any]) -> None:
        self.operations: Counter[str] = Counter()
        for client in clients:
            client.meta.events.register("before-call.*.*", self._seen, unique_id="bench-aws-calls")

    def _seen(self, model: Any, **_: Any) -> None:
        self.operations[f"{model.service_model.service_name}:{model.name}"] += 1

    def measure(self, request: Callable[[], Any], expect: int) -> tuple[int, str]:
        from chalicelib.storage import aws

        self.operations.clear()
        with aws.counting() as counted:
            response = request()
        if response.status_code != expect:
            raise AssertionError(f"status {response.status_code}, expected {expect}: {response.body[:300]!r}")
        names = ", ".join(
            f"{n} {op.split(':')[1]}" if n > 1 else op.split(":")[1]
            for op, n in sorted(self.operations.items())
        )
        assert counted[0] == sum(self.operations.values()), "aws.counting() and the probe disagree"
        return counted[0], names or "none"


def run(args: argparse.Namespace) -> list[Row]:
    import time_machine
    from chalice.test import Client
    from moto import mock_aws

    from chalicelib import clock, runtime
    from chalicelib.config import load_settings
    from chalicelib.services.papers import upload_paper
    from chalicelib.storage import aws
    from ops import provision
    from ops.cli import load_stage
    from tests.support.calls import app_clients
    from tests.support.exam_data import answers_scoring, exam_period, paper_document
    from tests.support.people import person

    saved = dict(os.environ)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    counts: dict[str, tuple[int, str]] = {}
    try:
        with (
            mock_aws(),
            time_machine.travel(clock.beijing(dt.date(2026, 12, 1), dt.time(10)), tick=False) as moving,
        ):
            load_stage("local")
            runtime.reset()
            aws.reset_clients()
            for _ in provision.bootstrap(load_settings()):
                pass
            rt = runtime.current()
            period = exam_period(rt, EXAM_DAY)  # registration open from 20 days before
            upload_paper(rt, period.id, paper_document())
            from app import app

            # The access log lines go to stdout, which is the table's.
            with (
                Client(app, stage_name="local", project_dir=str(PROJECT)) as client,
                redirect_stdout(io.StringIO()),
            ):
                probe = Probe(app_clients(rt))

                def call(method: str, path: str, body: Any = None, token: str | None = None) -> Any:
                    headers = {"Content-Type": "application/json"}
                    if token:
                        headers["Authorization"] = f"Bearer {token}"
                    payload = json.dumps(body).encode() if body is not None else b""
                    return client.http.request(method, path, headers=headers, body=payload)

                def twice(route: str, request: Callable[[int], Any], expect: int) -> None:
                    """Warm with the first candidate, count the second's request."""
                    first = request(0)
                    assert first.status_code == expect, (route, first.status_code, first.body[:300])
                    counts[route] = probe.measure(lambda: request(1), expect)

                people = [person(101), person(102)]
                twice("GET /api/today", lambda n: call("GET", "/api/today"), 200)
                for page in PAGES:
                    path = page.split()[1]

                    def get(n: int, path: str = path) -> Any:
                        return call("GET", path)

                    twice(page, get, 200)
                twice(
                    "POST /api/registrations",
                    lambda n: call("POST", "/api/registrations", people[n].registration()),
                    201,
                )
                twice(
                    "POST /api/registrations/lookup",
                    lambda n: call("POST", "/api/registrations/lookup", people[n].lookup()),
                    200,
                )

                moving.move_to(clock.beijing(EXAM_DAY, dt.time(9, 30)))
                tokens: list[str] = []

                def enter(n: int) -> Any:
                    response = call(
                        "POST",
                        "/api/exam/sessions",
                        {"id_number": people[n].id_number, "name": people[n].name},
                    )
                    tokens.append(json.loads(response.body)["token"])
                    return response

                twice("POST /api/exam/sessions", enter, 201)
                twice("GET /api/exam/paper", lambda n: call("GET", "/api/exam/paper", token=tokens[n]), 200)
                twice(
                    "PUT /api/exam/answers",
                    lambda n: call("PUT", "/api/exam/answers", {"answers": {"s1": ["B"]}}, tokens[n]),
                    204,
                )

                def submit(n: int) -> Any:
                    who = people[n]
                    sheet = {"name": who.name, "phone": who.phone, "email": who.email}
                    return call(
                        "POST", "/api/exam/submit", {**sheet, "answers": answers_scoring(70)}, tokens[n]
                    )

                twice("POST /api/exam/submit", submit, 200)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        runtime.reset()
        aws.reset_clients()

    rows = []
    for route, (count, names) in counts.items():
        if route in BUDGETS:
            budget, exact = BUDGETS[route]
            met = count == budget if exact else count <= budget
            rows.append(check(NAME, route, f"{count} ({names})", f"{'' if exact else '<= '}{budget}", met))
        else:
            rows.append(info(NAME, route, f"{count} ({names})"))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(sys.modules[__name__], argv)


if __name__ == "__main__":
    sys.exit(main())
