"""`python -m benchmarks`: run every benchmark module in this folder that has a `main()`."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    failed = 0
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"benchmarks.{module.name}")
        if hasattr(loaded, "main"):
            print(f"== {module.name}", flush=True)
            failed += 1 if loaded.main([]) else 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
