"""`make loadtest`: Locust, headless, against `make run`'s kind of stack or a deployed stage.

Without HOST it starts its own emulated stack (moto and `chalice local`, as
`make run` does), seeds a rehearsal (ops/rehearsal.py) and runs the scenario;
with HOST it runs against that URL, whose stage the operator seeded with
`python -m chalicelib.cli rehearsal seed` (README, "A rehearsal before exam
day"). Locust prints its own table; the exit status is Locust's (1 when any
request failed).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
SCENARIOS = {"exam": "ExamCandidate", "registration": "RegistrationRush"}


def _seed(scenario: str, candidates: int, people: Path) -> None:
    from chalicelib import runtime
    from ops import rehearsal

    rt = runtime.current()
    lines = (
        rehearsal.seed_exam(rt, candidates, people)
        if scenario == "exam"
        else rehearsal.registration_period(rt)
    )
    for line in lines:
        print(line, flush=True)


def _locust(args: argparse.Namespace, host: str, people: Path | None) -> int:
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT),
        "LOADTEST_THINK_MIN": str(args.think[0]),
        "LOADTEST_THINK_MAX": str(args.think[1]),
    }
    if people is not None:
        env["LOADTEST_PEOPLE"] = str(people)
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", args.run_time,
        "--host", host, "--stop-timeout", "30", SCENARIOS[args.scenario],
    ]  # fmt: skip
    return subprocess.run(command, cwd=PROJECT, env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="exam")
    parser.add_argument("--users", type=int, default=50, help="simulated candidates (default 50)")
    parser.add_argument("--spawn-rate", type=float, default=5, help="new candidates per second (ramp)")
    parser.add_argument("--run-time", default="1m", help="how long, e.g. 60s, 5m (default 1m)")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.3, 1.5),
        metavar=("MIN", "MAX"),
        help="seconds between two answers (default 0.3 1.5, so a one-minute run submits; a real "
        "rehearsal: 5 60)",
    )
    parser.add_argument("--host", default=os.environ.get("HOST", ""), help="a deployed stage's URL")
    parser.add_argument("--people", help="with --host: the CSV `rehearsal seed` wrote")
    args = parser.parse_args(argv)
    if args.host:
        return _locust(args, args.host.rstrip("/"), Path(args.people) if args.people else None)

    from ops.cli import load_stage
    from ops.devstack import LOOPBACK, MotoServer, free_port, start_chalice_local, wait_for

    with MotoServer() as moto, tempfile.TemporaryDirectory() as scratch:
        os.environ["AWS_ENDPOINT_URL"] = moto.url
        load_stage("local")
        from chalicelib.config import load_settings
        from ops import provision

        for line in provision.bootstrap(load_settings()):
            print(line, flush=True)
        people = Path(scratch) / "people.csv"
        _seed(args.scenario, args.users, people)
        port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        log = open(Path(scratch) / "chalice.log", "wb")  # noqa: SIM115  (closed below)
        server = start_chalice_local(port, env, autoreload=False, output=log)
        try:
            url = f"http://{LOOPBACK}:{port}"
            wait_for(url + "/api/today")
            return _locust(args, url, people)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(10)
            log.close()


if __name__ == "__main__":
    sys.exit(main())
