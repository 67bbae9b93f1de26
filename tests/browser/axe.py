"""axe-core in the browser tests: every page state checked, 0 violations of any impact.

axe-core is test-only JavaScript pinned in package.json / package-lock.json (`make test` runs
`npm ci`); it is injected into the page under test, never served by the app.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Every rule axe runs by default (WCAG 2.0-2.2 A/AA and best practices), none switched off.
RUN_OPTIONS = {"resultTypes": ["violations"]}


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it stands (injected once per document)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: `make browser-deps` runs `npm ci`")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools, not a <script>: the pages' CSP (script-src 'self') stays on.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        "options => axe.run(document, options).then(r => r.violations)", RUN_OPTIONS
    )
    return found


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['impact']}: {violation['id']} — {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def assert_accessible(page: Any, state: str) -> None:
    """No axe-core violation of any impact in this page state."""
    found = violations(page)
    assert not found, f"axe-core, {state}:\n{describe(found)}"
