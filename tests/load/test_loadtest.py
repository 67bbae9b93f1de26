"""`make loadtest` for real, briefly: Locust headless against its own emulated stack, 0 failures.

Short think times so that simulated candidates answer all 50 questions and
submit within the run; the table Locust prints is the one `make loadtest`
shows. Numbers are not judged here (docs/benchmarks.md records a rehearsal).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import PROJECT


@pytest.mark.parametrize(
    ("scenario", "routes"),
    [
        (
            "exam",
            [
                "POST /api/exam/sessions",
                "GET /api/exam/paper",
                "PUT /api/exam/answers",
                "POST /api/exam/submit",
            ],
        ),
        ("registration", ["POST /api/registrations", "POST /api/registrations/lookup"]),
    ],
)
def test_a_short_rehearsal_runs_every_step_without_a_failure(scenario: str, routes: list[str]) -> None:
    done = subprocess.run(
        [
            sys.executable, "-m", "benchmarks.loadtest.run", "--scenario", scenario,
            "--users", "6", "--spawn-rate", "3", "--run-time", "25s", "--think", "0.05", "0.2",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=240,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    for route in routes:
        row = re.search(rf"{re.escape(route)}\s+(\d+)\s+(\d+)\(", output)
        assert row, f"{route} missing from Locust's table:\n{output[-3000:]}"
        requests, failures = int(row.group(1)), int(row.group(2))
        assert requests > 0 and failures == 0, (route, requests, failures)
