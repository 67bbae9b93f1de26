"""Each deployed stage's IAM policy grants what the code calls, on the stage's own resources, and no more.

The calls are read from the source (tests/support/awscalls.py) and the
functions and their policy files from Chalice's own application graph
(ops.deployment), so a boto3 or PynamoDB call, a new `@app.schedule`,
or a new stage added on any branch is checked without editing this file.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from chalicelib.storage.models import table_schema
from ops import deployment
from tests.support import awscalls, iam

REGION = "ap-east-1"
ACCOUNT = "123456789012"

# Actions granted ahead of the code that uses them, which other engineers are
# writing now (the contract promises all three). Delete a line once
# `awscalls.scan_project()` finds the call; a grant nothing uses fails below.
PLANNED = {}
# What every Lambda function needs to write its own logs.
LOG_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
# Actions AWS authorises only on `*` (no resource-level permissions).
STAR_ONLY_ACTIONS = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "cloudwatch:PutMetricData",
    "ses:GetSendQuota",
}


@dataclass(frozen=True)
class Stage:
    name: str
    env: dict[str, str]
    functions: tuple[deployment.Function, ...]

    @property
    def table(self) -> str:
        return self.env["TABLE_NAME"]

    @property
    def bucket(self) -> str:
        return self.env["BUCKET_NAME"]

    @property
    def sender(self) -> str:
        return self.env["SES_SENDER"]

    @property
    def ses_region(self) -> str:
        return self.env["SES_REGION"]

    @property
    def ssm_prefix(self) -> str:
        return self.env["SSM_PREFIX"].rstrip("/")

    @property
    def partition(self) -> str:
        """`aws-cn` for a stage pinned to an AWS China region (DEPLOY_REGION), else `aws`."""
        return "aws-cn" if self.env.get("DEPLOY_REGION", "").startswith("cn-") else "aws"

    @property
    def region(self) -> str:
        return self.env.get("DEPLOY_REGION") or REGION

    @property
    def mails_over_smtp(self) -> bool:
        return self.env.get("MAIL_TRANSPORT", "ses").lower() == "smtp"

    def needs(self) -> list[awscalls.Need]:
        """The calls this stage makes: a stage mailing over SMTP never calls SES."""
        return [need for need in NEEDS if not (self.mails_over_smtp and need.action.startswith("ses:"))]

    @property
    def policy_files(self) -> set[Path]:
        return {f.policy_file for f in self.functions if f.policy_file is not None}

    def probes(self, kind: str) -> list[str]:
        """ARNs of this stage's resources of one kind, every one of which a grant must cover."""
        if kind == "table":
            return [f"arn:{self.partition}:dynamodb:{self.region}:{ACCOUNT}:table/{self.table}"]
        if kind == "index":
            return [
                f"arn:{self.partition}:dynamodb:{self.region}:{ACCOUNT}:table/{self.table}/index/{gsi['IndexName']}"
                for gsi in table_schema(self.table)["GlobalSecondaryIndexes"]
            ]
        if kind == "bucket":
            return [f"arn:{self.partition}:s3:::{self.bucket}"]
        if kind == "identity":
            domain = self.sender.split("@", 1)[-1]
            return [
                f"arn:aws:ses:{self.ses_region}:{ACCOUNT}:identity/{identity}"
                for identity in (self.sender, domain)
            ]
        if kind == "parameter-entry":
            return [
                f"arn:{self.partition}:ssm:{self.region}:{ACCOUNT}:parameter{self.ssm_prefix}/staff-tokens/probe"
            ]
        if kind == "parameter":
            return [
                f"arn:{self.partition}:ssm:{self.region}:{ACCOUNT}:parameter{self.ssm_prefix}/staff-tokens"
            ]
        raise AssertionError(f"no rule for resources of kind {kind!r}: teach tests/packaging/test_policy.py")

    def object_probes(self) -> list[str]:
        return [f"arn:{self.partition}:s3:::{self.bucket}/{prefix}/probe" for prefix in s3_key_prefixes()]

    def own_names(self) -> list[str]:
        """What every resource in the policy must name, as a whole segment."""
        domain = self.sender.split("@", 1)[-1]
        app = f"hr-exam-{self.name}"
        return [
            f"table/{self.table}",
            f":::{self.bucket}",
            f"identity/{self.sender}",
            f"identity/{domain}",
            f"parameter{self.ssm_prefix}",
            f"log-group:/aws/lambda/{app}",
        ]


def stages() -> list[Stage]:
    config = deployment.project_config()
    found = []
    for name in deployment.deployed_stages():
        env = {**config.get("environment_variables", {}), **config["stages"][name]["environment_variables"]}
        found.append(Stage(name, env, tuple(deployment.functions(name))))
    return found


def s3_key_prefixes() -> list[str]:
    """The first path segment of every S3 key keys.py builds (`papers/...`, `exports/...`)."""
    tree = ast.parse((awscalls.PROJECT / "chalicelib" / "storage" / "keys.py").read_text(encoding="utf-8"))
    prefixes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.JoinedStr | ast.Constant):
            head = node.value.values[0] if isinstance(node.value, ast.JoinedStr) else node.value
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                match = re.match(r"^([a-z][a-z0-9_-]*)/", head.value)
                if match:
                    prefixes.add(match.group(1))
    return sorted(prefixes)


STAGES = stages()
NEEDS = awscalls.scan_project()


def policies() -> list[tuple[Stage, Path]]:
    return [(stage, path) for stage in STAGES for path in sorted(stage.policy_files)]


def ids(value: object) -> str:
    if isinstance(value, Stage):
        return value.name
    if isinstance(value, Path):
        return value.name
    return str(value)


def test_every_deployed_stage_has_functions_with_reviewed_policies() -> None:
    assert STAGES, "no deployed stage in .chalice/config.json"
    for stage in STAGES:
        assert stage.functions, stage.name
        for function in stage.functions:
            assert function.policy_file is not None, (
                f"{stage.name}/{function.name}: autogen_policy must be false, with a reviewed policy file"
            )
            assert function.policy_file.is_file(), (
                f"{stage.name}/{function.name}: {function.policy_file} is missing"
            )


def test_the_scan_finds_the_calls_the_app_makes() -> None:
    """A scan that found nothing would pass every check below; the repository's own calls must show."""
    actions = {need.action for need in NEEDS}
    assert {"dynamodb:Query", "dynamodb:UpdateItem", "ssm:GetParameter"} <= actions
    assert not any(need.where.startswith("chalicelib/storage/provision.py") for need in NEEDS)


@pytest.mark.parametrize(("stage", "path"), policies(), ids=ids)
def test_policy_grants_every_call_the_code_makes(stage: Stage, path: Path) -> None:
    policy = iam.load(path)
    missing = []
    for need in stage.needs():
        if need.resource == "object":
            if not any(iam.allows(policy, need.action, arn) for arn in stage.object_probes()):
                missing.append(f"{need.action} on s3://{stage.bucket}/... ({need.where})")
            continue
        if need.resource == "service":
            assert need.action in STAR_ONLY_ACTIONS, (
                f"{need.action} ({need.where}): no rule for this service's resources in test_policy.py"
            )
            probes = ["*"]
        else:
            probes = stage.probes(need.resource)
        for arn in probes:
            if not iam.allows(policy, need.action, arn):
                missing.append(f"{need.action} on {arn} ({need.where})")
    assert not missing, f"{path.name} does not grant:\n" + "\n".join(sorted(set(missing)))


@pytest.mark.parametrize(("stage", "path"), policies(), ids=ids)
def test_policy_lets_every_function_write_its_own_logs(stage: Stage, path: Path) -> None:
    policy = iam.load(path)
    for function in stage.functions:
        if function.policy_file != path:
            continue
        group = f"arn:{stage.partition}:logs:{stage.region}:{ACCOUNT}:log-group:{function.log_group}"
        assert iam.allows(policy, "logs:CreateLogGroup", group), function.name
        stream = f"{group}:log-stream:2026/12/18/[$LATEST]0123456789abcdef"
        for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
            assert iam.allows(policy, action, stream), (function.name, action)


@pytest.mark.parametrize(("stage", "path"), policies(), ids=ids)
def test_policy_grants_nothing_the_code_does_not_use(stage: Stage, path: Path) -> None:
    used = {need.action for need in stage.needs()} | set(LOG_ACTIONS) | set(PLANNED)
    unused = iam.granted_actions(iam.load(path)) - used
    assert not unused, f"{path.name} grants actions no code calls: {sorted(unused)}"


@pytest.mark.parametrize(("stage", "path"), policies(), ids=ids)
def test_no_wildcard_action_and_no_star_resource_unless_aws_requires_it(stage: Stage, path: Path) -> None:
    policy = iam.load(path)
    assert policy["Version"] == "2012-10-17"
    for statement in iam.statements(policy):
        for action in statement["Action"]:
            assert "*" not in action and "?" not in action, (
                f"{statement.get('Sid')}: wildcard action {action}"
            )
        if "*" in statement["Resource"]:
            assert set(statement["Action"]) <= STAR_ONLY_ACTIONS, (
                f"{statement.get('Sid')}: Resource '*' for {statement['Action']}, which AWS can scope"
            )


@pytest.mark.parametrize(("stage", "path"), policies(), ids=ids)
def test_every_resource_is_one_of_the_stages_own(stage: Stage, path: Path) -> None:
    """Each ARN names the stage's table, bucket, SES identity, parameter path or log groups as a whole
    segment: `table/hr-exam-prod*` or `:::*` would reach other stages' (or anyone's) resources."""
    for statement in iam.statements(iam.load(path)):
        for resource in statement["Resource"]:
            if resource == "*":
                continue
            ok = any(re.search(re.escape(name) + r"(?:$|[/:]|-\*$)", resource) for name in stage.own_names())
            assert ok, (
                f"{path.name} {statement.get('Sid')}: {resource} is not one of stage {stage.name}'s resources"
            )
            if ":ses:" in resource:
                assert resource.split(":")[3] == stage.ses_region, (
                    f"{resource}: SES grants belong in SES_REGION"
                )


@pytest.mark.parametrize(("stage", "path"), policies(), ids=ids)
def test_every_s3_key_prefix_the_code_builds_is_granted(stage: Stage, path: Path) -> None:
    prefixes = s3_key_prefixes()
    assert prefixes, "keys.py builds no S3 key"
    policy = iam.load(path)
    s3_actions = {a for a in iam.granted_actions(policy) if a.startswith("s3:")}
    for prefix in prefixes:
        arn = f"arn:{stage.partition}:s3:::{stage.bucket}/{prefix}/probe"
        assert any(iam.allows(policy, action, arn) for action in s3_actions), f"nothing granted on {prefix}/"


def test_deployed_stages_grant_the_same_actions() -> None:
    """What works on dev must work on prod: the stages differ in names, not in permissions
    (SES aside: a stage mailing over SMTP has no SES to call)."""
    granted = {
        path.name: {a for a in iam.granted_actions(iam.load(path)) if not a.startswith("ses:")}
        for _, path in policies()
    }
    everything = set().union(*granted.values())
    lacking = {
        name: sorted(everything - actions) for name, actions in granted.items() if everything - actions
    }
    assert not lacking, f"granted in one stage but not in another: {lacking}"


@pytest.mark.parametrize(("stage", "path"), policies(), ids=ids)
def test_every_arn_is_in_the_stages_partition(stage: Stage, path: Path) -> None:
    for statement in iam.statements(iam.load(path)):
        for resource in statement["Resource"]:
            if resource != "*":
                assert resource.startswith(f"arn:{stage.partition}:"), f"{path.name}: {resource}"


def test_the_china_policy_is_prods_written_for_the_aws_cn_partition() -> None:
    """One source: edit policy-prod.json, then `python -m ops.policies` rewrites policy-cn-prod.json."""
    from ops import policies as china

    assert china.china_policy_path().read_text(encoding="utf-8") == china.china_policy_text(), (
        "policy-cn-prod.json differs from policy-prod.json: run `python -m ops.policies`"
    )
    assert any(stage.partition == "aws-cn" for stage in STAGES)
