"""Cold start of the deployment package itself, beside the floor any DynamoDB app has.

    python -m benchmarks.cold_start [--cold-runs 21] [--package-dir DIR]

Builds the zip `make deploy STAGE=prod` uploads (`make package STAGE=prod
OUT=...`), unzips it into a read-only folder, as Lambda's /var/task, and
times `python -S -c "import app"` with PYTHONDONTWRITEBYTECODE=1 in fresh
processes. The floor is `import botocore.session` from this ordinary
virtualenv, whose bytecode is cached: the best any Python app touching
DynamoDB can do. The same zip with its .pyc files removed (what Chalice
alone ships) shows what the precompiled bytecode saves, and the same
import made from deeper stacks (as Lambda's runtime imports a handler)
shows the time does not hang on the depth, which CPython 3.11's data-stack
chunk thrashing would make it (chalicelib/coldstart.py, docs/benchmarks.md).
All are run in turn, so a busy moment of the machine hits them alike.
Target: package median / floor median <= 1.25 (issue 19; it was 1.5).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks._table import PROJECT, Row, check, info, say, standalone

NAME = "cold_start"
TARGET_RATIO = 1.25
FLOOR = "import botocore.session"
# `import app` from `argv[1]` frames deeper in the stack, as a runtime's bootstrap imports a handler.
DEEPER = [
    sys.executable,
    "-S",
    "-c",
    "import importlib, sys\n"
    "def down(n):\n"
    "    return importlib.import_module('app') if n == 0 else down(n - 1)\n"
    "down(int(sys.argv[1]))",
]


def add_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--cold-runs", type=int, default=21, help="fresh processes per variant (>= 15)")
    parser.add_argument("--package-dir", type=Path, help="a folder `make package` already filled")


def build_package(out: Path) -> Path:
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "MAKEFLAGS", "MAKELEVEL")}
    done = subprocess.run(
        ["make", "-o", ".venv/.installed-dev", "package", "STAGE=prod", f"OUT={out}"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        raise RuntimeError("make package failed:\n" + done.stdout[-2000:] + done.stderr[-2000:])
    return out / "deployment.zip"


def unpack(package: Path, target: Path, bytecode: bool) -> Path:
    with zipfile.ZipFile(package) as archive:
        for name in archive.namelist():
            if bytecode or not name.endswith(".pyc"):
                archive.extract(name, target)
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)  # read-only, as /var/task
    return target


def writable_again(target: Path) -> None:
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)


def lambda_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
    }


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def importtime(task: Path, top: int = 6) -> list[tuple[str, int]]:
    """Where `import app` from the package spends its time: `-X importtime` self times by
    top-level package (the standard library as one), in microseconds, largest first."""
    done = subprocess.run(
        [sys.executable, "-S", "-X", "importtime", "-c", "import app"],
        cwd=task,
        env=lambda_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, int] = {}
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        name = parts[2].strip().split(".", 1)[0]
        group = "stdlib" if name in sys.stdlib_module_names or name.startswith("_") else name
        found[group] = found.get(group, 0) + int(parts[0])
    return sorted(found.items(), key=lambda item: -item[1])[:top]


def run(args: argparse.Namespace) -> list[Row]:
    runs = max(15, args.cold_runs)
    with tempfile.TemporaryDirectory(prefix="cold-start-") as folder:
        root = Path(folder)
        if args.package_dir:
            package = args.package_dir / "deployment.zip"
        else:
            say("building the prod package (make package STAGE=prod) ...")
            package = build_package(root / "package")
        task = unpack(package, root / "task", bytecode=True)
        untreated = unpack(package, root / "untreated", bytecode=False)
        try:
            probe = [sys.executable, "-S", "-c", "import app"]
            floor_probe = [sys.executable, "-c", FLOOR]
            import botocore.session

            assert botocore.session.__cached__ and Path(botocore.session.__cached__).is_file(), (
                "the floor needs botocore's bytecode cached in this virtualenv"
            )
            # Lambda's runtime imports the handler from deeper in its own stack than `python -c`
            # does, at a depth we do not know: the same import from 0 to 180 frames deeper,
            # a different depth each round (docs/benchmarks.md, "Cold start").
            times: dict[str, list[float]] = {"package": [], "untreated": [], "floor": [], "deeper": []}
            for n in range(runs + 1):
                sample = {
                    "package": timed(probe, task, lambda_env()),
                    "untreated": timed(probe, untreated, lambda_env()),
                    "floor": timed(floor_probe, PROJECT, dict(os.environ)),
                    "deeper": timed([*DEEPER, str(12 * (n % 16))], task, lambda_env()),
                }
                if n:  # the first round warms the page cache
                    for key, value in sample.items():
                        times[key].append(value)
            slowest = importtime(task)
            size = package.stat().st_size
        finally:
            writable_again(task)
            writable_again(untreated)
    median = {key: statistics.median(values) * 1000 for key, values in times.items()}
    ratio = median["package"] / median["floor"]
    rows = [
        info(NAME, "package `import app`, median (precompiled)", f"{median['package']:.0f} ms ({runs} runs)"),
        info(NAME, "floor `import botocore.session`, median", f"{median['floor']:.0f} ms ({runs} runs)"),
        check(NAME, "package / floor", f"{ratio:.2f}", f"<= {TARGET_RATIO}", ratio <= TARGET_RATIO),
        info(
            NAME,
            "same zip without .pyc (Chalice alone)",
            f"{median['untreated']:.0f} ms ({median['untreated'] / median['floor']:.2f} x floor)",
        ),
        info(
            NAME,
            "import time by package (-X importtime)",
            ", ".join(f"{n} {t / 1000:.0f} ms" for n, t in slowest),
        ),
    ]
    rows.append(
        info(
            NAME,
            "`import app` from 0-180 frames deeper",
            f"{median['deeper']:.0f} ms ({median['deeper'] / median['floor']:.2f} x floor)",
        )
    )
    rows.append(info(NAME, "deployment.zip", f"{size / 2**20:.1f} MB"))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(sys.modules[__name__], argv)


if __name__ == "__main__":
    sys.exit(main())
