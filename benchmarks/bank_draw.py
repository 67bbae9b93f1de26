"""The paper route when each attempt draws its own paper from the question bank (issue 16).

    python -m benchmarks.bank_draw

The app runs in this process (`chalice.test.Client`) on moto's in-process
mock. A period first has a fixed paper, then draws 35 + 15 questions per
attempt from a 70-item bank. For each, one candidate warms the container and
a second one's `GET /api/exam/paper` is measured: its AWS calls (budget 1,
the GetItem of the saved answers: the draw is derived from the attempt's seed
and the cached period paper, never stored per attempt) and the bytes it
sends, raw and gzipped, beside the fixed paper's (the test bank's texts are
short and repetitive: the sizes show the shape's overhead, not a real
paper's weight, which `page_weight` measures).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import sys
from collections.abc import Sequence
from typing import Any

from benchmarks._inprocess import EXAM_DAY, REGISTRATION_DAY, local_stage, second_request
from benchmarks._table import Row, check, info, standalone

NAME = "bank_draw"


def add_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """No options: the counts do not depend on any size."""


def run(args: argparse.Namespace) -> list[Row]:
    from chalicelib.services import bank, papers
    from chalicelib.storage import aws
    from tests.support.bank_data import bank_items, blueprint
    from tests.support.exam_data import exam_period, paper_document, person, register

    measured: dict[str, tuple[int, int, int]] = {}
    with local_stage() as bench:
        rt = bench.rt
        fixed = exam_period(rt, EXAM_DAY)
        papers.upload_paper(rt, fixed.id, paper_document())
        bank.import_items(rt, {"items": bank_items()})
        bench.open_app()
        call = bench.call

        def measure(label: str, first: int) -> None:
            people = [person(first), person(first + 1)]
            for who in people:
                register(rt, rt.periods.get(fixed.id), who)
            bench.move_to(EXAM_DAY, dt.time(9, 30))
            tokens = []
            for who in people:
                entry = call("POST", "/api/exam/sessions", {"id_number": who.id_number, "name": who.name})
                tokens.append(json.loads(entry.body)["token"])

            def paper(n: int) -> Any:
                return call("GET", "/api/exam/paper", token=tokens[n])

            request = second_request(f"GET /api/exam/paper, {label}", paper, 200)
            with aws.counting() as calls:
                response = request()
            assert response.status_code == 200, response.body[:300]
            measured[label] = (calls[0], len(response.body), len(gzip.compress(response.body)))

        measure("fixed paper", 201)
        bench.move_to(REGISTRATION_DAY, dt.time(10))
        papers.set_blueprint(rt, fixed.id, blueprint())
        measure("drawn from the bank", 211)

    rows = []
    for label, (count, raw, zipped) in measured.items():
        rows.append(check(NAME, f"GET /api/exam/paper, {label}: AWS calls", str(count), "<= 1", count <= 1))
        rows.append(
            info(
                NAME,
                f"GET /api/exam/paper, {label}: body",
                f"{raw / 1024:.1f} KB ({zipped / 1024:.1f} KB gzip)",
            )
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(sys.modules[__name__], argv)


if __name__ == "__main__":
    sys.exit(main())
