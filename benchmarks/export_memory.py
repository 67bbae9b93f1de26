"""The passers' export at scale: time and peak memory beside a full-table Scan, and what it grows with.

    python -m benchmarks.export_memory [--passers 500] [--small-passers 300]
                                       [--non-passers-factor 10] [--answer-sheets] [--no-tracemalloc]

The export runs in this process exactly as the scheduled Lambda runs it
(`export_passers`), against a moto server in a child process, so the memory
measured is the export's own and not the emulator's.

1. What it grows with: a period of `--small-passers` passers is exported in
   full, then the same period gets `--non-passers-factor` times as many
   candidates who failed, and is exported in full again. The export reads
   the passers index by Query, so it costs the same reads both times; a Scan
   of the table (the baseline) grows with the table.
2. At scale: `--passers` passers in another period, on a fresh moto server
   (so its table holds only them), exported by the scheduled run: wall time,
   peak traced Python memory (tracemalloc), the process's peak resident size
   (ru_maxrss), the calls by operation, the write calls against their
   target (passers / 90 + 10: the marks go 100 to a TransactWriteItems);
   then a full-table Scan of the same table, its time and peak memory (pages
   read and dropped, as the cheapest possible reader would).

The default is 500 passers (300 in the growth check), not the issue's
100,000: moto 5.2 deep-copies the whole table once per item of every
TransactWriteItems (its rollback copy, taken inside the loop over the
items), so on moto a mark costs a copy of the table and the export's marks
grow with passers x table (at 2,000 passers the moto server grew past 9 GB
and had not finished after 15 minutes). The
benchmark times moto's transactions and extrapolates what 100,000 passers
would take on it (days); on DynamoDB a transaction costs the same whatever
the table holds.

moto is much slower than DynamoDB (it serialises every item through
Python, and answers a Query on an index by reading the whole table), so
times are the emulator's, not AWS's, and the export's DynamoDB client gets a
long read timeout here instead of the Lambda's 5 seconds. SES takes one e-mail of at
most 10 MB, attachments included: past about 45,000 passers the export goes
out as several e-mails (SendRawEmail in the calls row counts them). Exit status 1 when memory exceeds the
Lambda's, the export scans or reads passers one by one, or its reads grow
with the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from benchmarks._table import Row, check, info, say, standalone

NAME = "export_memory"
LAMBDA_MEMORY_MB = 1024  # the export function's memory on dev and prod (.chalice/config.json)
READS = ("dynamodb:Query", "dynamodb:Scan", "dynamodb:GetItem", "dynamodb:BatchGetItem")
WRITES = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:TransactWriteItems",
    "dynamodb:BatchWriteItem",
)


def add_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--passers", type=int, default=500, help="passers of the period exported at scale")
    parser.add_argument("--small-passers", type=int, default=300, help="passers of the growth check")
    parser.add_argument(
        "--non-passers-factor", type=int, default=10, help="failed candidates per passer added"
    )
    parser.add_argument("--answer-sheets", action="store_true", help="every passer carries its 50 answers")
    parser.add_argument("--no-tracemalloc", action="store_true", help="time without tracemalloc's overhead")


def rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bulk_failed(rt: Any, period: Any, count: int, first_seq: int) -> None:
    """`count` candidates of `period` who submitted and failed: registrations outside the passers index."""
    from chalicelib.storage.models import RegistrationItem
    from tests.support.export_data import _bulk_items

    with RegistrationItem.batch_write() as batch:
        for item in _bulk_items(rt, period, count, first_seq, {}, []):
            item.score = item.score - 60 if item.score is not None else 0
            item.passed = False
            item.gsi2pk = None
            item.gsi2sk = None
            batch.save(item)


def scan_table(rt: Any, trace: bool) -> tuple[float, int, int, float | None]:
    """A full-table Scan, page by page, each page dropped: (seconds, items, pages, traced peak MB)."""
    from chalicelib.storage.models import RegistrationItem

    client = RegistrationItem._get_connection().connection.client
    paginator = client.get_paginator("scan")
    items = pages = 0
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    for page in paginator.paginate(TableName=rt.settings.table_name):
        items += len(page["Items"])
        pages += 1
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if tracemalloc.is_tracing() else None
    tracemalloc.stop()
    return seconds, items, pages, peak


@contextmanager
def items_read(client: Any) -> Iterator[Counter[str]]:
    """Items DynamoDB read (ScannedCount) per operation while the block runs."""
    found: Counter[str] = Counter()

    def seen(parsed: Any, model: Any, **_: Any) -> None:
        if isinstance(parsed, dict) and "ScannedCount" in parsed:
            found[model.name] += int(parsed["ScannedCount"])

    client.meta.events.register("after-call.dynamodb.*", seen, unique_id="bench-items-read")
    try:
        yield found
    finally:
        client.meta.events.unregister("after-call.dynamodb.*", unique_id="bench-items-read")


@contextmanager
def timed(client: Any, operation: str) -> Iterator[list[float]]:
    """Seconds each `operation` call took while the block runs (one call at a time: moto's)."""
    found: list[float] = []
    started: list[float] = []

    def before(**_: Any) -> None:
        started.append(time.perf_counter())

    def after(**_: Any) -> None:
        if started:
            found.append(time.perf_counter() - started.pop())

    client.meta.events.register(f"before-call.dynamodb.{operation}", before, unique_id="bench-timed-before")
    client.meta.events.register(f"after-call.dynamodb.{operation}", after, unique_id="bench-timed-after")
    try:
        yield found
    finally:
        client.meta.events.unregister(f"before-call.dynamodb.{operation}", unique_id="bench-timed-before")
        client.meta.events.unregister(f"after-call.dynamodb.{operation}", unique_id="bench-timed-after")


def moto_extrapolation(seconds: list[float], table_items: int, target: int) -> str:
    """moto's cost of the marks at `target` passers, from its transactions timed on `table_items`.

    moto copies the table once per item of a transaction: a transaction of
    100 marks costs 100 x table copies, so per item copied c = t / (100 x T);
    `target` passers (a table of about as many) make target / 100 transactions
    of 100 x target copies each."""
    if not seconds or not table_items:
        return "no transaction timed"
    median = sorted(seconds)[len(seconds) // 2]
    per_item = median / (100 * table_items)
    total = (target / 100) * 100 * target * per_item
    return (
        f"{len(seconds)} TransactWriteItems, p50 {median:.2f} s on a table of {table_items:,} items "
        f"({per_item * 1e6:.0f} us per item copied); {target:,} passers: about {target // 100:,} "
        f"transactions, {total / 3600:,.0f} h on moto"
    )


def _by_operation(calls: Counter[str], operations: Sequence[str]) -> str:
    return ", ".join(f"{calls[op]} {op.split(':')[1]}" for op in operations if calls[op])


def reads(calls: Counter[str]) -> str:
    found = {op.split(":")[1]: n for op, n in sorted(calls.items()) if op in READS}
    return ", ".join(f"{n} {op}" for op, n in found.items()) or "none"


def run(args: argparse.Namespace) -> list[Row]:
    import time_machine

    from benchmarks._stack import moto_process, patient_dynamodb
    from chalicelib import clock, runtime
    from chalicelib.services import export
    from tests.support.calls import app_clients, operations
    from tests.support.export_data import bulk_passers, make_period

    rows: list[Row] = []
    with moto_process(), patient_dynamodb():
        rt = runtime.current()
        clients = app_clients(rt)

        # 1. Reads grow with passers, not with the table: the same full export before and after
        # the period gets many more candidates who failed.
        small_day = dt.date(2026, 11, 20)
        small = make_period(rt, small_day, name="增长测试期次")
        bulk_passers(rt, small, args.small_passers, first_seq=0)
        growth: list[tuple[Counter[str], Counter[str], Counter[str]]] = []
        with time_machine.travel(clock.beijing(small_day, dt.time(19)), tick=True):
            export.export_period(rt, small.id)  # the first export marks everyone; the runs below mark no one
            for round_ in range(2):
                if round_:
                    bulk_failed(rt, small, args.small_passers * args.non_passers_factor, 1_000_000)
                # Both rounds start with the periods cached (a 30 s cache): seeding and the first
                # export's marks can outlast it, and a re-read in one round only is no growth.
                rt.periods.all()
                with operations(clients) as calls, items_read(clients[0]) as read:
                    result = export.export_period(rt, small.id, full=True)
                assert result.count == args.small_passers, result
                with items_read(clients[0]) as scanned:
                    scan_table(rt, trace=False)
                growth.append((Counter(calls), read, scanned))
        (calls_a, read_a, scan_a), (calls_b, read_b, scan_b) = growth
        same = reads(calls_a) == reads(calls_b) and read_a == read_b
        rows.append(
            check(
                NAME,
                f"export reads, {args.small_passers:,} passers",
                f"{reads(calls_a)}, {sum(read_a.values()):,} items read; with "
                f"{args.small_passers * args.non_passers_factor:,} more who failed: "
                f"{reads(calls_b)}, {sum(read_b.values()):,} items read",
                "the same",
                same,
            )
        )
        rows.append(
            info(
                NAME,
                "full-table Scan of the same table",
                f"{sum(scan_a.values()):,} items read; then {sum(scan_b.values()):,}",
            )
        )

    # 2. At scale, on a fresh moto server: the table holds this period alone.
    with moto_process(), patient_dynamodb():
        rt = runtime.current()
        clients = app_clients(rt)
        exam_day = dt.date(2026, 12, 18)
        period = make_period(rt, exam_day, name="基准测试期次")
        started = time.perf_counter()
        bulk_passers(rt, period, args.passers, first_seq=2_000_000, answer_sheets=args.answer_sheets)
        say(f"seeded {args.passers:,} passers in {time.perf_counter() - started:.0f} s")
        evening = clock.beijing(exam_day, dt.time(19))
        rss_before = rss_mb()
        with (
            time_machine.travel(evening, tick=True),
            operations(clients) as calls,
            timed(clients[0], "TransactWriteItems") as transactions,
        ):
            if not args.no_tracemalloc:
                tracemalloc.start()
            started = time.perf_counter()
            summary = export.export_passers(rt)
            elapsed = time.perf_counter() - started
            traced = tracemalloc.get_traced_memory()[1] / 2**20 if tracemalloc.is_tracing() else None
            tracemalloc.stop()
        rss_after = rss_mb()
        scan_seconds, scan_items, scan_pages, scan_peak = scan_table(rt, trace=not args.no_tracemalloc)

    exported = next((r for r in summary.exported if r.period_id == period.id), None)
    refused = period.id in summary.failed
    outcome = (
        f"{exported.count:,} sent, {exported.marked:,} marked"
        if exported
        else (
            "refused: the e-mail exceeds SES's 10 MB (mail_too_large); nothing marked"
            if refused
            else "nothing"
        )
    )
    writes = sum(calls[op] for op in WRITES)
    memory = f"{traced:.0f} MB traced, " if traced is not None else ""
    scan_memory = f", {scan_peak:.0f} MB traced" if scan_peak is not None else ""
    rows += [
        check(
            NAME,
            f"export of {args.passers:,} passers",
            outcome,
            "all sent and marked",
            bool(exported and exported.count == args.passers and exported.marked == args.passers),
        ),
        info(NAME, "export time (moto)", f"{elapsed:.0f} s"),
        check(
            NAME,
            "export write calls",
            f"{writes} ({_by_operation(calls, WRITES)})",
            f"<= {args.passers // 90 + 10} (passers / 90 + 10)",
            writes <= args.passers / 90 + 10,
        ),
        info(
            NAME,
            "moto's marks, extrapolated",
            moto_extrapolation(transactions, scan_items, 100_000),
        ),
        check(
            NAME,
            "export peak memory",
            f"{memory}RSS {rss_before:.0f} -> {rss_after:.0f} MB",
            f"<= {LAMBDA_MEMORY_MB} MB",
            rss_after <= LAMBDA_MEMORY_MB,
        ),
        check(
            NAME,
            "export calls",
            ", ".join(f"{n} {op.split(':')[1]}" for op, n in sorted(calls.items())),
            "no Scan, no read per passer",
            not calls.get("dynamodb:Scan")
            and not calls.get("dynamodb:BatchGetItem")
            and calls["dynamodb:GetItem"] <= 2,
        ),
        info(
            NAME,
            "baseline: full-table Scan (moto)",
            f"{scan_seconds:.0f} s, {scan_items:,} items in {scan_pages} pages{scan_memory}",
        ),
    ]
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(sys.modules[__name__], argv)


if __name__ == "__main__":
    sys.exit(main())
