"""Command line for developers and staff: `python -m chalicelib.cli ...`.

    bootstrap [--stage S]             create the table, indexes, bucket, secrets; check SES (idempotent)
    post-deploy [--stage S]           after `chalice deploy`: throttles, gateway responses, log retention, WAF
    sam-overrides [--stage S]         the SAM additions `make package` merges into the template
    precompile [--stage S] ZIP        add 3.11 bytecode to the zip `chalice package` wrote (`make package`)
    smtp-login USER [--stage S]       store the SMTP login of a stage without SES (password on stdin)
    package-region [--stage S]        the region `make package` builds and lints for (cn-prod: cn-north-1)
    staff-token create NAME [--role viewer|operator|admin]
                                      print a new staff bearer token (only its hash is stored);
                                      NAME as people write it (李老师), 1-40 characters; role default admin
    staff-token list | revoke NAME
    rehearsal seed|clean [--scenario exam|registration] [--candidates N]
                                      a load rehearsal's period and synthetic candidates (make loadtest)
    seed-demo                         a demo period open for registration and one examining today
    export PERIOD [--full]            e-mail the period's passers now (--full: every passer again)
    delete-person --reason TEXT       delete every item of one person's identity (the ID number is
                                      asked for on the terminal, or read from stdin); audited
    purge-expired [--limit N]         delete what the retention settings say has expired, as the
                                      daily schedule does

The stage's settings come from `.chalice/config.json`, exactly as `chalice
local` and the deployed Lambda get them; values already in the environment
(`AWS_ENDPOINT_URL`, credentials, the region) are kept. `--stage` may come
before or after the command.
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
# Values in config.json a developer must replace before a stage can work on real AWS.
_PLACEHOLDER = re.compile(r"change-me|example\.(?:org|com)", re.IGNORECASE)


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


def _default_region() -> None:
    """Deployed stages take the region from the operator's AWS configuration (profile or env)."""
    if os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"):
        return
    import boto3.session

    region = boto3.session.Session().region_name
    if region:
        os.environ["AWS_DEFAULT_REGION"] = region


def _refuse_placeholders(settings: Any) -> None:
    """Real AWS only: a bucket called CHANGE-ME or mail from example.org would fail later, and worse."""
    if settings.is_emulated:
        return
    values = {
        "BUCKET_NAME": settings.bucket_name,
        "SES_SENDER": settings.ses_sender,
        "EXPORT_RECIPIENTS": ",".join(settings.export_recipients),
        "STAFF_ALERT_RECIPIENTS": ",".join(settings.staff_alert_recipients),
        "PUBLIC_URL": settings.public_url,
        "SMTP_HOST": settings.smtp_host,
    }
    left = sorted(name for name, value in values.items() if _PLACEHOLDER.search(value))
    if left:
        raise SystemExit(
            f"stage {settings.stage}: replace the placeholder values of {', '.join(left)} in "
            f".chalice/config.json (and the bucket and sender in .chalice/policy-{settings.stage}.json) "
            "first; README, 'Deploying to AWS'"
        )


def _refuse_bad_settings(settings: Any) -> None:
    """A malformed setting stops bootstrap and deploy with what to fix, before anything changes."""
    from chalicelib.config import ConfigError, check_for_deploy

    try:
        check_for_deploy(settings)
    except ConfigError as exc:
        raise SystemExit(f"stage {settings.stage}: {exc}; fix it in .chalice/config.json") from exc


def _bootstrap(_: argparse.Namespace) -> int:
    from chalicelib.config import load_settings
    from ops import provision

    settings = load_settings()
    _refuse_placeholders(settings)
    _refuse_bad_settings(settings)
    for line in provision.bootstrap(settings):
        print(line, flush=True)
    return 0


def _post_deploy(args: argparse.Namespace) -> int:
    from chalicelib.config import load_settings
    from ops import deployment, postdeploy

    settings = load_settings()
    _refuse_placeholders(settings)
    _refuse_bad_settings(settings)
    record = (
        json.loads(Path(args.deployed).read_text(encoding="utf-8"))
        if args.deployed
        else deployment.deployed_record(args.stage)
    )
    from ops import waf

    target = postdeploy.Target.from_record(
        record, deployment.api_stage(args.stage), settings.region, waf.rate_limit(os.environ)
    )
    for line in postdeploy.apply(target):
        print(line, flush=True)
    return 0


def _sam_overrides(args: argparse.Namespace) -> int:
    from ops import deployment, waf

    overrides = deployment.sam_overrides(args.stage, waf_rate_limit=waf.rate_limit(os.environ))
    text = json.dumps(overrides, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _precompile(args: argparse.Namespace) -> int:
    from ops import deployment

    print(deployment.precompile_package(args.stage, Path(args.zip)), flush=True)
    return 0


def _staff_token(args: argparse.Namespace) -> int:
    from chalicelib import runtime
    from chalicelib.domain.errors import Invalid
    from chalicelib.domain.staff import Role, staff_name

    secrets = runtime.current().secrets
    if args.action == "create":
        try:
            name = staff_name(args.name)
            role = Role.parse(args.role)
        except Invalid as error:
            print(f"{error.field}: {error.message}", file=sys.stderr)
            return 2
        token = secrets.add_staff_token(name, role)
        print(f"staff token for {name} ({role.label}; shown once, only its hash is stored):")
        print(token)
        return 0
    if args.action == "list":
        for member in secrets.staff_members():
            print(f"{member.name}\t{member.role.label}")
        return 0
    if not args.name:
        print("revoke needs NAME", file=sys.stderr)
        return 2
    if secrets.revoke_staff_token(args.name):
        print(f"revoked {args.name}")
        return 0
    print(f"no token named {args.name}", file=sys.stderr)
    return 1


def _smtp_login(args: argparse.Namespace) -> int:
    """The SMTP login of a stage without SES, into SSM: the password from stdin, never an argument."""
    import getpass

    from chalicelib import runtime
    from chalicelib.storage.smtp import SMTP_PASSWORD, SMTP_USERNAME

    if sys.stdin.isatty():
        password = getpass.getpass(f"SMTP password for {args.username}: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not args.username.strip() or not password:
        print("smtp-login needs a user name and a password (on stdin)", file=sys.stderr)
        return 2
    rt = runtime.current()
    rt.secrets.put(SMTP_USERNAME, args.username.strip())
    rt.secrets.put(SMTP_PASSWORD, password)
    print(
        f"stored the SMTP login of {args.username.strip()} as {rt.settings.ssm_prefix}/{SMTP_USERNAME} and "
        f"/{SMTP_PASSWORD} (SecureString); running containers use it from their next cold start"
    )
    return 0


def _package_region(_: argparse.Namespace) -> int:
    """The region `make package` builds and lints the SAM template for: the stage's own when pinned."""
    print(os.environ.get("DEPLOY_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-east-1")
    return 0


def _rehearsal(args: argparse.Namespace) -> int:
    from chalicelib import runtime
    from ops import rehearsal

    rt = runtime.current()
    rehearsal.refuse_live(rt, args.allow_live)
    if args.action == "seed" and args.scenario == "exam":
        lines = rehearsal.seed_exam(rt, args.candidates, Path(args.people), args.minutes)
    elif args.action == "seed":
        lines = rehearsal.registration_period(rt)
    else:
        lines = rehearsal.clean(rt, args.candidates)
    for line in lines:
        print(line, flush=True)
    return 0


def _seed_demo(_: argparse.Namespace) -> int:
    from ops import demo

    for line in demo.seed():
        print(line)
    return 0


def _export(args: argparse.Namespace) -> int:
    from chalicelib import runtime
    from chalicelib.domain.errors import DomainError
    from chalicelib.services import export
    from ops.progress import ProgressBar

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


def _delete_person(args: argparse.Namespace) -> int:
    import getpass

    from chalicelib import runtime
    from chalicelib.domain.errors import DomainError
    from chalicelib.services import audit, retention

    # Read, not an argument: an ID number on the command line stays in the shell's history.
    id_number = sys.stdin.readline().strip() if not sys.stdin.isatty() else getpass.getpass("身份证号: ")
    try:
        deletion = retention.delete_person(runtime.current(), {"id_number": id_number, "reason": args.reason})
    except DomainError as error:
        print(f"{error.code}: {error.message}", file=sys.stderr)
        return 1
    operator = f"命令行 {getpass.getuser()}"
    audit.record_action(
        operator, "admin", "delete-person (cli)", deletion.audit_record(), 200, deletion.reason
    )
    print(json.dumps(deletion.public(), ensure_ascii=False))
    return 0


def _purge_expired(args: argparse.Namespace) -> int:
    from chalicelib import runtime
    from chalicelib.services import retention

    report = retention.purge_expired(runtime.current(), limit=args.limit)
    print(json.dumps(report.public(), ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chalicelib.cli",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    stage_help = "stage in .chalice/config.json (default: local)"
    parser.add_argument("--stage", default=os.environ.get("STAGE", "local"), help=stage_help)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        # Also after the command (`bootstrap --stage prod`); absent, the one before it stands.
        sub.add_argument("--stage", default=argparse.SUPPRESS, help=stage_help)
        return sub

    command("bootstrap", "create what the app needs; safe to run again").set_defaults(run=_bootstrap)
    post = command(
        "post-deploy", "after `chalice deploy`: throttling, gateway responses, log retention, WAF rate rule"
    )
    post.add_argument("--deployed", help="the deployed record (default: .chalice/deployed/STAGE.json)")
    post.set_defaults(run=_post_deploy)
    sam = command("sam-overrides", "the SAM template additions for `chalice package --merge-template`")
    sam.add_argument("--output", help="write here instead of stdout")
    sam.set_defaults(run=_sam_overrides)
    precompile = command("precompile", "add bytecode to the deployment zip, so a cold start compiles nothing")
    precompile.add_argument("zip", help="the deployment.zip `chalice package` wrote")
    precompile.set_defaults(run=_precompile)
    command("package-region", "the region `make package` builds for").set_defaults(run=_package_region)
    staff = command("staff-token", "manage staff bearer tokens")
    staff.add_argument("action", choices=["create", "list", "revoke"])
    staff.add_argument("name", nargs="?")
    staff.add_argument("--role", default="admin", choices=["viewer", "operator", "admin"])
    staff.set_defaults(run=_staff_token)
    smtp = command("smtp-login", "store a stage's SMTP login in SSM (password on stdin)")
    smtp.add_argument("username", help="the mailbox's login, e.g. noreply@association.example.cn")
    smtp.set_defaults(run=_smtp_login)
    rehearse = command("rehearsal", "seed or clean a load rehearsal (make loadtest) on a stage no one uses")
    rehearse.add_argument("action", choices=["seed", "clean"])
    rehearse.add_argument("--scenario", choices=["exam", "registration"], default="exam")
    rehearse.add_argument("--candidates", type=int, default=500, help="synthetic candidates (default 500)")
    rehearse.add_argument("--people", default="build/rehearsal-people.csv", help="where seed lists them")
    rehearse.add_argument("--minutes", type=int, default=60, help="a new rehearsal exam's length")
    rehearse.add_argument(
        "--allow-live", action="store_true", help="also on prod / cn-prod (a day without candidates)"
    )
    rehearse.set_defaults(run=_rehearsal)
    command("seed-demo", "demo periods, paper and candidate (local only)").set_defaults(run=_seed_demo)
    exporting = command("export", "e-mail a period's passers now, as the schedule does")
    exporting.add_argument("period", help="the period id")
    exporting.add_argument("--full", action="store_true", help="re-send every passer of the period")
    exporting.set_defaults(run=_export)
    deleting = command("delete-person", "delete every item of one person's identity (ID number on stdin)")
    deleting.add_argument("--reason", required=True, help="why (kept in the audit trail)")
    deleting.set_defaults(run=_delete_person)
    purging = command("purge-expired", "delete what has expired now, as the daily schedule does")
    purging.add_argument("--limit", type=int, default=None, help="stop after this many people")
    purging.set_defaults(run=_purge_expired)
    args: Any = parser.parse_args(argv)
    load_stage(args.stage)
    os.environ["STAGE"] = args.stage
    _default_region()
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
