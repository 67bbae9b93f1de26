"""One table for every benchmark: rows of (benchmark, measure, value, target, verdict).

Each benchmark module has `add_arguments(parser)` and `run(args) -> list[Row]`;
`python -m benchmarks` runs them all and prints one table, and each module's
`main()` runs it alone with the same table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

PROJECT = Path(__file__).resolve().parents[1]
# Where the last run's rows are kept as JSON (docs/benchmarks.md is written from them by hand).
RESULTS = PROJECT / "build" / "bench"


@dataclass(frozen=True)
class Row:
    benchmark: str
    measure: str
    value: str
    target: str = ""
    met: bool | None = None  # None: no target for this measure

    @property
    def verdict(self) -> str:
        return "" if self.met is None else ("ok" if self.met else "MISSED")


def check(benchmark: str, measure: str, value: str, target: str, met: bool) -> Row:
    return Row(benchmark, measure, value, target, met)


def info(benchmark: str, measure: str, value: str) -> Row:
    return Row(benchmark, measure, value)


def render(rows: Sequence[Row]) -> str:
    header = ("benchmark", "measure", "value", "target", "")
    table = [header, *[(r.benchmark, r.measure, r.value, r.target, r.verdict) for r in rows]]
    widths = [max(_width(line[i]) for line in table) for i in range(len(header))]
    lines = []
    for n, line in enumerate(table):
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(line)]
        lines.append("| " + " | ".join(cells) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def save(name: str, rows: Sequence[Row]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2) + "\n")
    return path


def guarded(name: str, run: Callable[[argparse.Namespace], list[Row]], args: argparse.Namespace) -> list[Row]:
    """A benchmark that crashes gives a failed row, and the others still run."""
    try:
        return run(args)
    except Exception as error:
        traceback.print_exc()
        message = " ".join(f"{type(error).__name__}: {error}".split())[:160]
        return [check(name, "ran to the end", message, "no error", False)]


def standalone(module: ModuleType, argv: Sequence[str] | None) -> int:
    """`python -m benchmarks.NAME [options]`: one benchmark, the same table."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {module.__name__}",
        description=module.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.add_arguments(parser)
    args = parser.parse_args(argv)
    name = module.NAME
    rows = guarded(name, module.run, args)
    save(name, rows)
    print(render(rows), flush=True)
    return 1 if any(r.met is False for r in rows) else 0


def fail_exit(rows: Sequence[Row]) -> int:
    return 1 if any(r.met is False for r in rows) else 0


@contextmanager
def children_print_to_stderr() -> Iterator[None]:
    """Servers started inside (chalice local's log lines) write to stderr: stdout is the table's."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def say(text: str) -> None:
    """Progress for the operator, on stderr: the table alone goes to stdout."""
    print(text, file=sys.stderr, flush=True)
