"""Export 20,000 passers of one period: peak memory and AWS calls by operation.

    python -m benchmarks.export_memory [--passers 20000] [--answer-sheets] [--no-tracemalloc]

The export runs in this process exactly as the scheduled Lambda runs it
(`export_passers`), against a moto server in a child process, so the memory
measured is the export's own and not the emulator's. It shows that memory
does not grow with the number of passers (the files are streamed to disk,
the passers read page by page) and stays far inside a 512 MB Lambda, and
that passers are read by Query only: no Scan, no read per passer.

Reported: peak traced Python memory during the export (tracemalloc), the
process's peak resident size before and after it (ru_maxrss), the calls by
operation (botocore's before-call events) and the wall time. moto is much
slower than DynamoDB (it serialises every item through Python), so the time
is the emulator's, not AWS's. `--answer-sheets` gives every passer its 50
answers, as real items have; the export never reads them (its Query projects
the export's columns), but moto then takes several times longer.
Exit status 1 when the budget is exceeded or a Scan (or a per-passer read) is seen.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Sequence

LAMBDA_MEMORY_MB = 512


def _rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _start_moto() -> tuple[subprocess.Popen[bytes], str]:
    from chalicelib.devstack import free_port, wait_for

    port = free_port()
    code = (
        "import sys, time; from chalicelib.devstack import MotoServer;"
        "MotoServer(int(sys.argv[1])).start(); time.sleep(86400)"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(port)], start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/moto-api/")
    return child, url


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passers", type=int, default=20_000)
    parser.add_argument("--answer-sheets", action="store_true")
    parser.add_argument("--no-tracemalloc", action="store_true")
    args = parser.parse_args(argv)

    child, url = _start_moto()
    try:
        os.environ["AWS_ENDPOINT_URL"] = url
        from chalicelib.cli import load_stage

        load_stage("local")
        import time_machine

        from chalicelib import clock, runtime
        from chalicelib.config import load_settings
        from chalicelib.services import export
        from chalicelib.storage import provision
        from tests.support.calls import app_clients, operations
        from tests.support.export_data import bulk_passers, make_period

        for _ in provision.bootstrap(load_settings()):
            pass
        rt = runtime.current()
        exam_day = dt.date(2026, 12, 18)
        period = make_period(rt, exam_day, name="基准测试期次")
        started = time.perf_counter()
        bulk_passers(rt, period, args.passers, answer_sheets=args.answer_sheets)
        seeded = time.perf_counter() - started
        print(f"seeded {args.passers} passers in {seeded:.0f} s", flush=True)

        evening = clock.beijing(exam_day, dt.time(19))
        rss_before = _rss_mb()
        with time_machine.travel(evening, tick=True), operations(app_clients(rt)) as calls:
            if not args.no_tracemalloc:
                tracemalloc.start()
            started = time.perf_counter()
            summary = export.export_passers(rt)
            elapsed = time.perf_counter() - started
            traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if tracemalloc.is_tracing() else None
            tracemalloc.stop()
        rss_after = _rss_mb()
    finally:
        child.terminate()
        child.wait(10)

    exported = summary.exported[0] if summary.exported else None
    report = {
        "passers": args.passers,
        "answer_sheets": args.answer_sheets,
        "exported": exported.count if exported else 0,
        "marked": exported.marked if exported else 0,
        "seconds": round(elapsed, 1),
        "traced_peak_mb": round(traced_peak, 1) if traced_peak is not None else None,
        "rss_peak_before_mb": round(rss_before, 1),
        "rss_peak_after_mb": round(rss_after, 1),
        "lambda_memory_mb": LAMBDA_MEMORY_MB,
        "calls": dict(sorted(calls.items())),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))

    problems = []
    if report["exported"] != args.passers or report["marked"] != args.passers:
        problems.append("not every passer was exported and marked")
    if rss_after > LAMBDA_MEMORY_MB:
        problems.append(f"peak RSS {rss_after:.0f} MB exceeds {LAMBDA_MEMORY_MB} MB")
    if calls.get("dynamodb:Scan") or calls.get("dynamodb:BatchGetItem"):
        problems.append("the export scanned or batch-read the table")
    if calls.get("dynamodb:GetItem", 0) > 2:
        problems.append("the export read passers one by one")
    for problem in problems:
        print(f"FAIL: {problem}")
    if not problems:
        peak = f"peak RSS {rss_after:.0f} MB of {LAMBDA_MEMORY_MB} MB"
        print(f"OK: {args.passers} passers, {peak}, reads by Query only")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
