"""AWS calls per warm request on each candidate route, counted by botocore's `before-call` events.

    python -m benchmarks.aws_calls

The app runs in this process (`chalice.test.Client`) on moto's in-process
mock, with the clock moved to a registration day and then to an exam day.
Each route is called once to warm the container (the periods cache, the
paper cache, the clients), then once more for another candidate: that second
request's calls are counted, by operation. Budgets: `today` 0,
`registrations` 2 (the Query of the person's attempts, then the transaction),
`registrations/lookup` 2 (the failure count, then the Query), `exam/sessions`
<= 2 (the failure count, then the UpdateItem), `exam/paper` <= 1,
`exam/answers` 1, `exam/submit` <= 2 (the API tests assert the same budgets).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks._inprocess import EXAM_DAY, candidate_routes, local_stage, second_request
from benchmarks._table import Row, check, info, standalone

NAME = "aws_calls"
# (route, budget, exact): exact budgets are "=", the others "<=".
BUDGETS = {
    "GET /api/today": (0, True),
    # +1 since issue 19: a pass is marked on the attempt alone (a submission is one write), so
    # registration Queries the person's attempts before its transaction. Never on exam day.
    "POST /api/registrations": (2, True),
    # +1 since entry v2: the UpdateItem counting this request in (it returns the pair's failures).
    "POST /api/registrations/lookup": (2, True),
    "POST /api/exam/sessions": (2, False),
    "GET /api/exam/paper": (1, False),
    "PUT /api/exam/answers": (1, True),
    "POST /api/exam/submit": (2, False),
}


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
    from chalicelib.services.papers import upload_paper
    from tests.support.calls import app_clients
    from tests.support.exam_data import exam_period, paper_document

    counts: dict[str, tuple[int, str]] = {}
    with local_stage() as bench:
        rt = bench.rt
        period = exam_period(rt, EXAM_DAY)  # registration open from 20 days before
        upload_paper(rt, period.id, paper_document())
        bench.open_app()
        probe = Probe(app_clients(rt))

        def counted(route: str, request: Callable[[int], Any], expect: int) -> None:
            counts[route] = probe.measure(second_request(route, request, expect), expect)

        candidate_routes(bench, 101, counted, after_pages=lambda: None)

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
