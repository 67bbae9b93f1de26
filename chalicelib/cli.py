"""Command line for developers and staff: `python -m chalicelib.cli ...`.

    bootstrap [--stage S]             create the table, indexes, bucket, secrets (idempotent)
    staff-token create NAME           print a new staff bearer token (only its hash is stored)
    staff-token list | revoke NAME
    seed-demo                         a demo period open for registration and one examining today
    export PERIOD [--full]            e-mail the period's passers now (--full: every passer again)

The stage's settings come from `.chalice/config.json`, exactly as `chalice
local` and the deployed Lambda get them; values already in the environment
(`AWS_ENDPOINT_URL`, credentials) are kept.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
_STAFF_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def load_stage(stage: str, project: Path = PROJECT) -> None:
    """Put the stage's environment variables into os.environ, as `chalice local` does.

    Values the config does not name (AWS_ENDPOINT_URL, credentials of a
    deployed stage) stay as the environment has them."""
    config = json.loads((project / ".chalice" / "config.json").read_text(encoding="utf-8"))
    stages = config.get("stages", {})
    if stage not in stages:
        raise SystemExit(f"unknown stage {stage!r}; .chalice/config.json has {sorted(stages)}")
    variables: dict[str, str] = {}
    variables.update(config.get("environment_variables", {}))
    variables.update(stages[stage].get("environment_variables", {}))
    os.environ.update(variables)


def _bootstrap(_: argparse.Namespace) -> int:
    from chalicelib.config import load_settings
    from chalicelib.storage import provision

    for line in provision.bootstrap(load_settings()):
        print(line)
    return 0


def _staff_token(args: argparse.Namespace) -> int:
    from chalicelib import runtime

    secrets = runtime.current().secrets
    if args.action == "create":
        if not args.name or not _STAFF_NAME.match(args.name):
            print("NAME: 1-64 letters, digits, '.', '_' or '-'", file=sys.stderr)
            return 2
        token = secrets.add_staff_token(args.name)
        print(f"staff token for {args.name} (shown once; only its hash is stored):")
        print(token)
        return 0
    if args.action == "list":
        for name in secrets.staff_names():
            print(name)
        return 0
    if not args.name:
        print("revoke needs NAME", file=sys.stderr)
        return 2
    if secrets.revoke_staff_token(args.name):
        print(f"revoked {args.name}")
        return 0
    print(f"no token named {args.name}", file=sys.stderr)
    return 1


def _seed_demo(_: argparse.Namespace) -> int:
    from chalicelib.services import demo

    for line in demo.seed():
        print(line)
    return 0


def _export(args: argparse.Namespace) -> int:
    from chalicelib import runtime
    from chalicelib.domain.errors import DomainError
    from chalicelib.progress import ProgressBar
    from chalicelib.services import export

    bar = ProgressBar(sys.stderr)
    try:
        result = export.export_period(runtime.current(), args.period, full=args.full, progress=bar.update)
    except DomainError as error:
        bar.close()
        print(f"{error.code}: {error.message}", file=sys.stderr)
        return 1
    bar.close()
    if result.count == 0:
        print("没有需要发送的通过人员，未发送邮件。", file=sys.stderr)
    print(json.dumps(result.public(), ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chalicelib.cli",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--stage",
        default=os.environ.get("STAGE", "local"),
        help="stage in .chalice/config.json (default: local)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    boot = commands.add_parser("bootstrap", help="create what the app needs; safe to run again")
    boot.set_defaults(run=_bootstrap)
    staff = commands.add_parser("staff-token", help="manage staff bearer tokens")
    staff.add_argument("action", choices=["create", "list", "revoke"])
    staff.add_argument("name", nargs="?")
    staff.set_defaults(run=_staff_token)
    seed = commands.add_parser("seed-demo", help="demo periods, paper and candidate (local only)")
    seed.set_defaults(run=_seed_demo)
    exporting = commands.add_parser("export", help="e-mail a period's passers now, as the schedule does")
    exporting.add_argument("period", help="the period id")
    exporting.add_argument("--full", action="store_true", help="re-send every passer of the period")
    exporting.set_defaults(run=_export)
    args: Any = parser.parse_args(argv)
    load_stage(args.stage)
    os.environ["STAGE"] = args.stage
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
