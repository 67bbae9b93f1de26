"""`python -m benchmarks` (`make bench`): run every benchmark and print one table.

    python -m benchmarks [--only NAME ...] [each benchmark's options]

Every benchmark module in this folder has `add_arguments` and `run`; their
options are all accepted here (`--candidates 500`, `--passers 20000`, ...).
Progress goes to stderr, the table to stdout; the rows are also kept as JSON
in build/bench/. Exit status 1 when any target is missed or a benchmark failed.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from benchmarks._table import Row, fail_exit, guarded, info, render, save, say

# Quick and self-contained first, the long emulator runs last.
ORDER = ["cold_start", "aws_calls", "app_cost", "page_weight", "export_memory", "exam_spike"]


def benchmarks() -> list[ModuleType]:
    found = [m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_")]
    ordered = [n for n in ORDER if n in found] + sorted(n for n in found if n not in ORDER)
    modules = [importlib.import_module(f"benchmarks.{name}") for name in ordered]
    return [m for m in modules if hasattr(m, "run") and hasattr(m, "add_arguments")]


def main(argv: Sequence[str] | None = None) -> int:
    modules = benchmarks()
    names = [m.__name__.rsplit(".", 1)[-1] for m in modules]
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="+", choices=names, help="run only these benchmarks")
    for module in modules:
        module.add_arguments(parser.add_argument_group(module.__name__.rsplit(".", 1)[-1]))
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for name, module in zip(names, modules, strict=True):
        if args.only and name not in args.only:
            continue
        say(f"== {name}")
        started = time.perf_counter()
        found = guarded(name, module.run, args)
        found.append(info(name, "benchmark wall time", f"{time.perf_counter() - started:.0f} s"))
        save(name, found)
        rows += found
        say(render(found))
    print(render(rows), flush=True)
    return fail_exit(rows)


if __name__ == "__main__":
    sys.exit(main())
