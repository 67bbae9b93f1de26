"""The `cn-prod` stage in AWS China (Beijing), cn-north-1: no SES, ARNs in the `aws-cn` partition.

Bootstrap and post-deploy run through the CLI, as an operator runs them, on a
moto server answering for cn-north-1.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ops import deployment, waf
from tests.support import restapi

STAGE = "cn-prod"
BEIJING = "cn-north-1"
CONFIG = deployment.project_config()
ENV = CONFIG["stages"][STAGE]["environment_variables"]


def in_beijing(operator_env: dict[str, str]) -> dict[str, str]:
    return {**operator_env, "AWS_DEFAULT_REGION": BEIJING}


def test_the_china_stage_is_pinned_to_beijing_and_mails_over_smtp() -> None:
    assert ENV["DEPLOY_REGION"] == BEIJING
    assert ENV["MAIL_TRANSPORT"] == "smtp" and ENV["SMTP_SECURITY"] in ("tls", "starttls")
    assert "SES_REGION" not in ENV


def test_bootstrap_in_beijing_creates_everything_without_ses_and_asks_for_the_smtp_login(
    cli: Callable[..., Any], aws: Callable[..., Any], operator_env: dict[str, str]
) -> None:
    env = in_beijing(operator_env)
    first = cli("bootstrap", "--stage", STAGE, env=env)
    assert first.returncode == 0, first.stderr
    assert f"created  table {ENV['TABLE_NAME']}" in first.stdout
    assert f"created  bucket {ENV['BUCKET_NAME']}" in first.stdout
    assert "SES" not in first.stdout
    assert "WARNING  no SMTP login" in first.stdout and "smtp-login --stage cn-prod" in first.stdout

    s3 = aws("s3", BEIJING)
    assert s3.get_bucket_location(Bucket=ENV["BUCKET_NAME"])["LocationConstraint"] == BEIJING
    policy = json.loads(s3.get_bucket_policy(Bucket=ENV["BUCKET_NAME"])["Policy"])
    (tls,) = [s for s in policy["Statement"] if s["Sid"] == "TlsOnly"]
    assert tls["Resource"] == [
        f"arn:aws-cn:s3:::{ENV['BUCKET_NAME']}",
        f"arn:aws-cn:s3:::{ENV['BUCKET_NAME']}/*",
    ]
    assert (
        aws("dynamodb", BEIJING).describe_table(TableName=ENV["TABLE_NAME"])["Table"]["TableStatus"]
        == "ACTIVE"
    )

    login = cli_with_input(
        cli, env, "smtp-login", "--stage", STAGE, "noreply@association.example.cn", text="s3cret\n"
    )
    assert login.returncode == 0, login.stderr
    assert "s3cret" not in login.stdout
    ssm = aws("ssm", BEIJING)
    stored = ssm.get_parameter(Name=f"{ENV['SSM_PREFIX']}/smtp-password", WithDecryption=True)["Parameter"]
    assert (stored["Type"], stored["Value"]) == ("SecureString", "s3cret")

    second = cli("bootstrap", "--stage", STAGE, env=env)
    assert second.returncode == 0, second.stderr
    lines = second.stdout.strip().splitlines()
    assert all(line.startswith("found ") for line in lines), second.stdout


def cli_with_input(cli: Callable[..., Any], env: dict[str, str], *args: str, text: str) -> Any:
    import subprocess
    import sys

    from tests.conftest import PROJECT

    return subprocess.run(
        [sys.executable, "-m", "chalicelib.cli", *args],
        cwd=PROJECT,
        env=env,
        input=text,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_china_stage_refuses_to_bootstrap_in_another_region(
    cli: Callable[..., Any], operator_env: dict[str, str]
) -> None:
    done = cli("bootstrap", "--stage", STAGE, env={**operator_env, "AWS_DEFAULT_REGION": "ap-east-1"})
    assert done.returncode != 0
    assert "cn-north-1" in done.stderr and "AWS_DEFAULT_REGION" in done.stderr


def test_post_deploy_in_beijing_attaches_the_rate_rule_to_the_aws_cn_stage(
    cli: Callable[..., Any], aws: Callable[..., Any], operator_env: dict[str, str], tmp_path: Path
) -> None:
    functions = deployment.functions(STAGE)
    handler = next(f for f in functions if f.name == "api_handler")
    api_stage = deployment.api_stage(STAGE)
    api_id = restapi.build(
        aws("apigateway", BEIJING), BEIJING, deployment.routes(), handler.function_name, api_stage
    )
    record = tmp_path / f"{STAGE}.json"
    record.write_text(json.dumps(restapi.deployed_record(BEIJING, api_id, functions)))

    done = cli("post-deploy", "--stage", STAGE, "--deployed", str(record), env=in_beijing(operator_env))

    assert done.returncode == 0, done.stderr
    assert "attached WAF web ACL" in done.stdout
    resource = waf.stage_arn(BEIJING, api_id, api_stage)
    assert resource.startswith("arn:aws-cn:apigateway:cn-north-1::")
    attached = aws("wafv2", BEIJING).get_web_acl_for_resource(ResourceArn=resource)["WebACL"]
    assert attached["Name"] == waf.acl_name(api_stage, api_id)
