"""`python -m chalicelib.cli ...`: the contract's command line, implemented in `ops.cli` (never packaged)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from ops.cli import main as run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
