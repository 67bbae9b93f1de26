"""The China stage's IAM policy, written from the prod stage's: one source for both partitions.

`.chalice/policy-prod.json` is the reviewed policy (tests/packaging/test_policy.py
checks it against the calls the code makes). The `cn-prod` stage runs in AWS
China's `aws-cn` partition, where SES does not exist and mail goes over SMTP,
so its policy is prod's with the partition and the stage's own names swapped
and the SES statement left out. `python -m ops.policies` rewrites it; a test
fails while the file differs from what this module writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ops.deployment import PROJECT

SOURCE_STAGE = "prod"
CHINA_STAGE = "cn-prod"


def _stage_env(stage: str, project: Path) -> dict[str, str]:
    config = json.loads((project / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return {**config.get("environment_variables", {}), **config["stages"][stage]["environment_variables"]}


def _replace(value: Any, swaps: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in swaps:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replace(item, swaps) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, swaps) for key, item in value.items()}
    return value


def china_policy(project: Path = PROJECT) -> dict[str, Any]:
    """prod's policy for the cn-prod stage: `arn:aws-cn:`, cn-prod's names, no SES."""
    source = json.loads((project / ".chalice" / f"policy-{SOURCE_STAGE}.json").read_text(encoding="utf-8"))
    prod, china = _stage_env(SOURCE_STAGE, project), _stage_env(CHINA_STAGE, project)
    # Longest first, so a bucket name holding the table's is swapped whole.
    names = sorted(
        ((prod[key], china[key]) for key in ("BUCKET_NAME", "TABLE_NAME", "SSM_PREFIX")),
        key=lambda pair: -len(pair[0]),
    )
    swaps = [("arn:aws:", "arn:aws-cn:"), *names, (f"hr-exam-{SOURCE_STAGE}", f"hr-exam-{CHINA_STAGE}")]
    statements = [
        statement
        for statement in source["Statement"]
        if not any(str(action).startswith("ses:") for action in statement["Action"])
    ]
    return {**source, "Statement": _replace(statements, swaps)}


def china_policy_text(project: Path = PROJECT) -> str:
    return json.dumps(china_policy(project), indent=2) + "\n"


def china_policy_path(project: Path = PROJECT) -> Path:
    return project / ".chalice" / f"policy-{CHINA_STAGE}.json"


def main() -> int:
    china_policy_path().write_text(china_policy_text(), encoding="utf-8")
    print(f"wrote {china_policy_path().relative_to(PROJECT)} from policy-{SOURCE_STAGE}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
