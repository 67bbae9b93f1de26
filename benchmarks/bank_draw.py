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
import io
import json
import os
import sys
from collections.abc import Sequence
from contextlib import redirect_stdout
from typing import Any

from benchmarks._table import PROJECT, Row, check, info, standalone

NAME = "bank_draw"
EXAM_DAY = dt.date(2026, 12, 18)


def add_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """No options: the counts do not depend on any size."""


def run(args: argparse.Namespace) -> list[Row]:
    import time_machine
    from chalice.test import Client
    from moto import mock_aws

    from chalicelib import clock, runtime
    from chalicelib.config import load_settings
    from chalicelib.services import bank, papers
    from chalicelib.storage import aws
    from ops import provision
    from ops.cli import load_stage
    from tests.support.bank_data import bank_items, blueprint
    from tests.support.exam_data import exam_period, paper_document, person, register

    saved = dict(os.environ)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    measured: dict[str, tuple[int, int, int]] = {}
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
            fixed = exam_period(rt, EXAM_DAY)
            papers.upload_paper(rt, fixed.id, paper_document())
            bank.import_items(rt, {"items": bank_items()})
            from app import app

            with (
                Client(app, stage_name="local", project_dir=str(PROJECT)) as client,
                redirect_stdout(io.StringIO()),
            ):

                def call(method: str, path: str, body: Any = None, token: str | None = None) -> Any:
                    headers = {"Content-Type": "application/json"}
                    if token:
                        headers["Authorization"] = f"Bearer {token}"
                    payload = json.dumps(body).encode() if body is not None else b""
                    return client.http.request(method, path, headers=headers, body=payload)

                def measure(label: str, first: int) -> None:
                    people = [person(first), person(first + 1)]
                    for who in people:
                        register(rt, rt.periods.get(fixed.id), who)
                    moving.move_to(clock.beijing(EXAM_DAY, dt.time(9, 30)))
                    tokens = []
                    for who in people:
                        entry = call(
                            "POST", "/api/exam/sessions", {"id_number": who.id_number, "name": who.name}
                        )
                        tokens.append(json.loads(entry.body)["token"])
                    call("GET", "/api/exam/paper", token=tokens[0])  # warms the caches and clients
                    with aws.counting() as calls:
                        response = call("GET", "/api/exam/paper", token=tokens[1])
                    assert response.status_code == 200, response.body[:300]
                    measured[label] = (calls[0], len(response.body), len(gzip.compress(response.body)))

                measure("fixed paper", 201)
                moving.move_to(clock.beijing(dt.date(2026, 12, 1), dt.time(10)))
                papers.set_blueprint(rt, fixed.id, blueprint())
                measure("drawn from the bank", 211)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        runtime.reset()
        aws.reset_clients()

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
