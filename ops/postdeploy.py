"""After `chalice deploy`: what Chalice's config cannot express, applied to the deployed stage.

- the gateway's own error responses (unknown path, throttled, too large,
  timeouts) in the contract's shape with the security headers, then a new
  deployment of the stage so they take effect;
- throttling for the stage and for each method (ops.gateway),
  with execution-log data trace explicitly off: it would copy request bodies,
  ID numbers included, into CloudWatch;
- a retention period on every function's log group;
- an AWS WAF web ACL with a per-address rate rule on the stage (ops.waf).

`chalice deploy` re-imports the API definition each time, which drops gateway
responses, so `make deploy` runs this after every deploy. Idempotent: it reads
what is there and changes only what differs. A stage variable records the
deployment this step last made, so a second run finds nothing to redeploy.

Operator-only, like bootstrap: the functions' roles grant none of these calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.storage import aws
from ops import waf
from ops.deployment import LOG_RETENTION_DAYS
from ops.gateway import GATEWAY_RESPONSES, STAGE_LIMIT, Limit, method_limits

# Names the deployment whose gateway responses this step put in place.
MARKER_VARIABLE = "postDeployment"
PATCH_BATCH = 20


@dataclass(frozen=True)
class Target:
    """The deployed stage, as `.chalice/deployed/<stage>.json` records it."""

    region: str
    rest_api_id: str | None
    api_stage: str
    log_groups: tuple[str, ...]
    # Requests per address per 5 minutes at the edge; 0: no web ACL (ops.waf).
    waf_rate_limit: int = waf.DEFAULT_RATE_LIMIT

    @classmethod
    def from_record(
        cls, record: dict[str, Any], api_stage: str, region: str, waf_rate_limit: int = waf.DEFAULT_RATE_LIMIT
    ) -> Target:
        rest_api_id = None
        log_groups = []
        for resource in record.get("resources", []):
            kind = resource.get("resource_type")
            if kind == "rest_api":
                rest_api_id = resource["rest_api_id"]
            elif kind == "lambda_function":
                log_groups.append("/aws/lambda/" + resource["lambda_arn"].rsplit(":", 1)[-1])
        return cls(region, rest_api_id, api_stage, tuple(sorted(log_groups)), waf_rate_limit)


def _code(exc: ClientError) -> str:
    return aws.error_code(exc) or ""


# Gateway responses ---------------------------------------------------------


def _gateway_responses(apigateway: Any, rest_api_id: str) -> Iterator[str]:
    for kind, wanted in GATEWAY_RESPONSES.items():
        try:
            current = apigateway.get_gateway_response(restApiId=rest_api_id, responseType=kind)
        except ClientError as exc:
            if _code(exc) != "NotFoundException":
                raise
            current = {}
        parameters = wanted.header_parameters()
        templates = {"application/json": wanted.template()}
        same = (
            current.get("responseParameters") == parameters
            and current.get("responseTemplates") == templates
            and (wanted.status is None or current.get("statusCode") == wanted.status)
        )
        if same:
            yield f"found    gateway response {kind}"
            continue
        request: dict[str, Any] = {
            "restApiId": rest_api_id,
            "responseType": kind,
            "responseParameters": parameters,
            "responseTemplates": templates,
        }
        if wanted.status:
            request["statusCode"] = wanted.status
        apigateway.put_gateway_response(**request)
        yield f"set      gateway response {kind}"


# Stage settings -------------------------------------------------------------


def _routes(apigateway: Any, rest_api_id: str) -> list[tuple[str, str]]:
    """(path, method) of every method the deployed API has."""
    found: list[tuple[str, str]] = []
    pages = apigateway.get_paginator("get_resources").paginate(restApiId=rest_api_id)
    for page in pages:
        for resource in page["items"]:
            for method in resource.get("resourceMethods", {}) or {}:
                found.append((resource["path"], method))
    return found


def _setting_ops(current: dict[str, Any], key: str, limit: Limit) -> list[dict[str, str]]:
    wanted = {
        "throttling/rateLimit": (float(limit.rate), "throttlingRateLimit"),
        "throttling/burstLimit": (int(limit.burst), "throttlingBurstLimit"),
        "logging/dataTrace": (False, "dataTraceEnabled"),
    }
    ops = []
    for path, (value, field) in wanted.items():
        if current.get(field) != value:
            text = str(value).lower() if isinstance(value, bool) else str(value)
            ops.append({"op": "replace", "path": f"/{key}/{path}", "value": text})
    return ops


def _stage_settings(apigateway: Any, target: Target, rest_api_id: str, deployment_id: str) -> Iterator[str]:
    stage = apigateway.get_stage(restApiId=rest_api_id, stageName=target.api_stage)
    settings = stage.get("methodSettings", {}) or {}
    ops = _setting_ops(settings.get("*/*", {}), "*/*", STAGE_LIMIT)
    for key, limit in method_limits(_routes(apigateway, rest_api_id)).items():
        ops += _setting_ops(settings.get(key, {}), key, limit)
    if (stage.get("variables") or {}).get(MARKER_VARIABLE) != deployment_id:
        ops.append({"op": "replace", "path": f"/variables/{MARKER_VARIABLE}", "value": deployment_id})
    if not ops:
        yield f"found    throttling and logging settings on stage {target.api_stage}"
        return
    # A few dozen routes make a long patch; sent in modest batches.
    for start in range(0, len(ops), PATCH_BATCH):
        apigateway.update_stage(
            restApiId=rest_api_id,
            stageName=target.api_stage,
            patchOperations=ops[start : start + PATCH_BATCH],
        )
    default = f"{STAGE_LIMIT.rate:g}/s (burst {STAGE_LIMIT.burst})"
    yield (
        f"set      throttling on stage {target.api_stage}: {default} by default, "
        "stricter on writes and staff routes; data trace off"
    )


def _api(target: Target) -> Iterator[str]:
    if target.rest_api_id is None:
        yield "skipped  API Gateway: this stage has no REST API"
        return
    apigateway = aws.client("apigateway", target.region)
    rest_api_id = target.rest_api_id
    changed = False
    for line in _gateway_responses(apigateway, rest_api_id):
        changed = changed or line.startswith("set")
        yield line
    stage = apigateway.get_stage(restApiId=rest_api_id, stageName=target.api_stage)
    deployment_id = str(stage["deploymentId"])
    # A new `chalice deploy` replaced the stage's deployment (and with it our responses).
    stale = (stage.get("variables") or {}).get(MARKER_VARIABLE) != deployment_id
    if changed or stale:
        deployment = apigateway.create_deployment(
            restApiId=rest_api_id,
            stageName=target.api_stage,
            description="post-deploy: gateway responses in the contract's error shape",
        )
        deployment_id = str(deployment["id"])
        yield f"deployed stage {target.api_stage} again for the gateway responses to apply ({deployment_id})"
    yield from _stage_settings(apigateway, target, rest_api_id, deployment_id)
    yield from waf.apply(
        aws.client("wafv2", target.region),
        target.region,
        rest_api_id,
        target.api_stage,
        target.waf_rate_limit,
    )


# Logs -------------------------------------------------------------------------


def _log_groups(region: str, names: Iterable[str]) -> Iterator[str]:
    logs = aws.client("logs", region)
    for name in names:
        found = [
            group
            for group in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
            if group["logGroupName"] == name
        ]
        if not found:
            try:
                logs.create_log_group(logGroupName=name)
            except ClientError as exc:
                if _code(exc) != "ResourceAlreadyExistsException":
                    raise
            yield f"created  log group {name}"
        if found and found[0].get("retentionInDays") == LOG_RETENTION_DAYS:
            yield f"found    {LOG_RETENTION_DAYS}-day retention on {name}"
            continue
        logs.put_retention_policy(logGroupName=name, retentionInDays=LOG_RETENTION_DAYS)
        yield f"set      {LOG_RETENTION_DAYS}-day retention on {name}"


def apply(target: Target) -> Iterator[str]:
    """Bring the deployed stage to what this module describes; one line per step."""
    yield from _api(target)
    yield from _log_groups(target.region, target.log_groups)
