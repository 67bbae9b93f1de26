"""What the console's banner shows above every screen: the calendar's and the city entries' warnings.

Two concerns meet here only because staff see them in one place; each rule
stays in its own service (calendar.py, entries.py).
"""

from __future__ import annotations

from typing import Any

from chalicelib.runtime import Runtime
from chalicelib.services import calendar, entries


def console_warnings(rt: Runtime) -> dict[str, Any]:
    """`GET /api/admin/warnings`: the calendar's first, then each period with passers not entered."""
    return {
        "warnings": [
            *calendar.warnings(rt)["warnings"],
            *(warning.public() for warning in entries.warnings(rt)),
        ]
    }
