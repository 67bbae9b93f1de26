"""`python -m chalicelib.cli post-deploy --stage prod`: throttling, gateway responses and log retention.

The REST API is the one `chalice deploy` would create from today's route
table (tests/support/restapi.py), so routes added on other branches get
their throttles checked here too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chalicelib.web.middleware import SECURITY_HEADERS
from ops import deployment, gateway, waf
from tests.deploy.conftest import REGION
from tests.support import restapi

STAGE = "prod"


@pytest.fixture
def deployed(aws: Callable[[str], Any], tmp_path: Path) -> tuple[str, Path]:
    """(REST API id, the deployed record) of a prod stage as `chalice deploy` leaves it."""
    functions = deployment.functions(STAGE)
    handler = next(f for f in functions if f.name == "api_handler")
    api_id = restapi.build(
        aws("apigateway"), REGION, deployment.routes(), handler.function_name, deployment.api_stage(STAGE)
    )
    record = tmp_path / f"{STAGE}.json"
    record.write_text(json.dumps(restapi.deployed_record(REGION, api_id, functions)))
    return api_id, record


def post_deploy(cli: Callable[..., Any], record: Path) -> list[str]:
    done = cli("post-deploy", "--stage", STAGE, "--deployed", str(record))
    assert done.returncode == 0, done.stderr
    return list(done.stdout.strip().splitlines())


def test_post_deploy_throttles_every_route_by_its_audience(
    cli: Callable[..., Any], aws: Callable[[str], Any], deployed: tuple[str, Path]
) -> None:
    api_id, record = deployed
    post_deploy(cli, record)
    settings = aws("apigateway").get_stage(restApiId=api_id, stageName=deployment.api_stage(STAGE))[
        "methodSettings"
    ]
    default = settings["*/*"]
    assert (default["throttlingRateLimit"], default["throttlingBurstLimit"]) == (
        gateway.STAGE_LIMIT.rate,
        gateway.STAGE_LIMIT.burst,
    )
    assert default["dataTraceEnabled"] is False
    for path, method in deployment.routes():
        limit = gateway.limit_for(path, method)
        found = settings.get(f"{gateway.escape_path(path)}/{method}", default)
        assert (found["throttlingRateLimit"], found["throttlingBurstLimit"]) == (limit.rate, limit.burst), (
            path,
            method,
        )
    assert any(gateway.limit_for(path, method) == gateway.ADMIN_LIMIT for path, method in deployment.routes())


def test_gateway_answers_in_the_contracts_shape_with_the_security_headers(
    cli: Callable[..., Any], aws: Callable[[str], Any], deployed: tuple[str, Path]
) -> None:
    api_id, record = deployed
    post_deploy(cli, record)
    answers = {
        r["responseType"]: r for r in aws("apigateway").get_gateway_responses(restApiId=api_id)["items"]
    }
    assert answers["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    assert answers["THROTTLED"]["statusCode"] == "429"
    for kind in gateway.GATEWAY_RESPONSES:
        answer = answers[kind]
        headers = {
            name.removeprefix("gatewayresponse.header."): value.strip("'")
            for name, value in answer["responseParameters"].items()
        }
        for name in (
            "X-Content-Type-Options",
            "Referrer-Policy",
            "X-Frame-Options",
            "Strict-Transport-Security",
        ):
            assert headers[name] == SECURITY_HEADERS[name], (kind, name)
        assert "Content-Security-Policy" in headers
        body = json.loads(answer["responseTemplates"]["application/json"])
        assert set(body["error"]) == {"code", "message", "request_id"}
        assert body["error"]["request_id"] == "$context.requestId"


def test_every_function_gets_a_log_group_with_retention(
    cli: Callable[..., Any], aws: Callable[[str], Any], deployed: tuple[str, Path]
) -> None:
    _, record = deployed
    post_deploy(cli, record)
    groups = {
        g["logGroupName"]: g
        for g in aws("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]
    }
    for function in deployment.functions(STAGE):
        assert groups[function.log_group]["retentionInDays"] == deployment.LOG_RETENTION_DAYS


def test_a_second_run_changes_nothing_and_a_new_chalice_deploy_is_caught_up(
    cli: Callable[..., Any], aws: Callable[[str], Any], deployed: tuple[str, Path]
) -> None:
    api_id, record = deployed
    apigateway = aws("apigateway")
    stage = deployment.api_stage(STAGE)
    first = post_deploy(cli, record)
    assert any(line.startswith("deployed stage") for line in first)
    settled = apigateway.get_stage(restApiId=api_id, stageName=stage)

    second = post_deploy(cli, record)
    assert all(line.startswith("found ") for line in second), second
    again = apigateway.get_stage(restApiId=api_id, stageName=stage)
    assert again["deploymentId"] == settled["deploymentId"]
    assert again["methodSettings"] == settled["methodSettings"]

    # What `chalice deploy` does on every release: a new deployment of the stage.
    apigateway.create_deployment(restApiId=api_id, stageName=stage)
    third = post_deploy(cli, record)
    assert any(line.startswith("deployed stage") for line in third), third
    caught_up = apigateway.get_stage(restApiId=api_id, stageName=stage)
    assert caught_up["methodSettings"]["*/*"]["throttlingRateLimit"] == gateway.STAGE_LIMIT.rate
    assert all(line.startswith("found ") for line in post_deploy(cli, record))


def test_post_deploy_without_a_deploy_says_what_to_run(cli: Callable[..., Any]) -> None:
    if (Path(deployment.PROJECT) / ".chalice" / "deployed" / "dev.json").exists():
        pytest.skip("this checkout has deployed dev")
    done = cli("post-deploy", "--stage", "dev")
    assert done.returncode != 0
    assert "chalice deploy --stage dev" in done.stderr


def _stage_acl(aws: Callable[[str], Any], api_id: str) -> dict[str, Any]:
    wafv2 = aws("wafv2")
    resource = waf.stage_arn(REGION, api_id, deployment.api_stage(STAGE))
    attached = wafv2.get_web_acl_for_resource(ResourceArn=resource).get("WebACL")
    assert attached, "no web ACL on the stage"
    found: dict[str, Any] = wafv2.get_web_acl(Name=attached["Name"], Scope="REGIONAL", Id=attached["Id"])[
        "WebACL"
    ]
    return found


def test_post_deploy_attaches_a_per_address_rate_rule_answering_in_the_contracts_shape(
    cli: Callable[..., Any], aws: Callable[[str], Any], deployed: tuple[str, Path]
) -> None:
    api_id, record = deployed
    lines = post_deploy(cli, record)
    assert any(line.startswith("attached WAF web ACL") for line in lines), lines
    acl = _stage_acl(aws, api_id)
    assert acl["DefaultAction"] == {"Allow": {}}
    (rule,) = acl["Rules"]
    assert rule["Statement"]["RateBasedStatement"] == {
        "Limit": waf.DEFAULT_RATE_LIMIT,
        "AggregateKeyType": "IP",
    }
    blocked = rule["Action"]["Block"]["CustomResponse"]
    assert blocked["ResponseCode"] == 429
    assert {"Name": "Retry-After", "Value": waf.RETRY_AFTER_SECONDS} in blocked["ResponseHeaders"]
    body = json.loads(acl["CustomResponseBodies"][blocked["CustomResponseBodyKey"]]["Content"])
    assert body["error"]["code"] == "throttled" and body["error"]["message"] == gateway.THROTTLED_MESSAGE


def test_the_rate_is_a_stage_setting_changed_in_place_and_zero_leaves_the_stage_without_an_acl(
    cli: Callable[..., Any],
    aws: Callable[[str], Any],
    deployed: tuple[str, Path],
    operator_env: dict[str, str],
) -> None:
    api_id, record = deployed
    post_deploy(cli, record)
    first = _stage_acl(aws, api_id)
    stricter = {**operator_env, "WAF_RATE_LIMIT": "500"}
    done = cli("post-deploy", "--stage", STAGE, "--deployed", str(record), env=stricter)
    assert done.returncode == 0, done.stderr
    assert any(line.startswith("set      WAF web ACL") for line in done.stdout.splitlines())
    changed = _stage_acl(aws, api_id)
    assert changed["Id"] == first["Id"]  # the same ACL, updated, still attached
    assert changed["Rules"][0]["Statement"]["RateBasedStatement"]["Limit"] == 500
    assert len(aws("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"]) == 1

    off = cli(
        "post-deploy",
        "--stage",
        STAGE,
        "--deployed",
        str(record),
        env={**operator_env, "WAF_RATE_LIMIT": "0"},
    )
    assert off.returncode == 0, off.stderr
    assert "skipped  WAF web ACL" in off.stdout


@pytest.mark.parametrize("value", ["lots", "5", "-1", "2.5"])
def test_a_malformed_rate_stops_post_deploy_naming_the_setting(
    cli: Callable[..., Any],
    aws: Callable[[str], Any],
    deployed: tuple[str, Path],
    operator_env: dict[str, str],
    value: str,
) -> None:
    _, record = deployed
    done = cli(
        "post-deploy",
        "--stage",
        STAGE,
        "--deployed",
        str(record),
        env={**operator_env, "WAF_RATE_LIMIT": value},
    )
    assert done.returncode != 0
    assert "WAF_RATE_LIMIT" in done.stderr
    assert aws("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"] == []


@pytest.mark.parametrize(
    ("region", "partition"),
    [("ap-east-1", "arn:aws:"), ("cn-north-1", "arn:aws-cn:"), ("cn-northwest-1", "arn:aws-cn:")],
)
def test_the_stage_arn_names_the_partition_of_its_region(region: str, partition: str) -> None:
    assert (
        waf.stage_arn(region, "abc123", "v1") == f"{partition}apigateway:{region}::/restapis/abc123/stages/v1"
    )


def test_the_sam_web_acl_is_the_post_deploy_one_and_absent_at_limit_zero() -> None:
    from ops import waf

    assert waf.sam_resources(0, "api") == {}
    resources = waf.sam_resources(500, "v1")
    properties = resources["RateLimitWebACL"]["Properties"]
    assert properties["Rules"] == waf.rules(500)
    assert properties["CustomResponseBodies"] == waf.response_bodies()
    assert properties["Name"] == {"Fn::Sub": "hr-exam-${RestAPI}-v1-rate"}
    arn = resources["RateLimitWebACLAssociation"]["Properties"]["ResourceArn"]["Fn::Sub"]
    assert arn.startswith("arn:${AWS::Partition}:apigateway:")  # aws-cn in Beijing
    # WAF's own pattern for a description (moto does not check it; real WAF refused parentheses).
    assert re.fullmatch(r"[a-zA-Z0-9=:#@/\-,.][a-zA-Z0-9+=:#@/\-,.\s]+[a-zA-Z0-9+=:#@/\-,.]", waf.DESCRIPTION)
