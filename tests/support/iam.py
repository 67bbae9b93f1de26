"""Enough of IAM's policy evaluation to ask "does this policy allow that action on that resource?".

Identity policies only: Allow and Deny statements with `Action` and
`Resource` (strings or lists, `*` and `?` wildcards). `NotAction`,
`NotResource` and `Principal` are refused: our policies do not use them, and
a reviewer should see it if one ever does. Conditions are taken as satisfied:
this answers whether a grant exists, not whether a request would meet it.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    found = policy["Statement"]
    found = found if isinstance(found, list) else [found]
    normalised = []
    for statement in found:
        unsupported = {"NotAction", "NotResource", "Principal", "NotPrincipal"} & set(statement)
        assert not unsupported, f"{statement.get('Sid')}: {sorted(unsupported)} is not used in our policies"
        normalised.append(
            {
                **statement,
                "Action": _as_list(statement["Action"]),
                "Resource": _as_list(statement["Resource"]),
            }
        )
    return normalised


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


@functools.cache
def _pattern(text: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile(f"^{regex}$", re.IGNORECASE if ignore_case else 0)


def _matches(patterns: list[str], value: str, ignore_case: bool) -> bool:
    return any(_pattern(p, ignore_case).match(value) for p in patterns)


def allows(policy: dict[str, Any], action: str, resource: str) -> bool:
    allowed = False
    for statement in statements(policy):
        if not _matches(statement["Action"], action, ignore_case=True):
            continue
        if not _matches(statement["Resource"], resource, ignore_case=False):
            continue
        if statement["Effect"] == "Deny":
            return False
        allowed = True
    return allowed


def granted_actions(policy: dict[str, Any]) -> set[str]:
    return {
        action
        for statement in statements(policy)
        if statement["Effect"] == "Allow"
        for action in statement["Action"]
    }
