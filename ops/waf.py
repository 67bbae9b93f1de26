"""Per-address rate limiting at the edge: an AWS WAF regional web ACL on the API stage.

The app limits failed entries and lookups per (ID number, address) pair
(domain/attempts.py), never per address alone, because a company's Wi-Fi or a
carrier's NAT puts many candidates behind one address. What stays is a script
sending thousands of requests a minute from one address: that is the edge's
job, where it costs no Lambda time. The rule's limit is generous (a whole
office sitting the exam behind one address stays far below it) and a stage
setting, `WAF_RATE_LIMIT` (requests per address per 5 minutes; `0` leaves the
stage without a web ACL).

Blocked requests get 429 in the contract's error shape, like API Gateway's
own throttling (ops.gateway).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ops.deployment import partition
from ops.gateway import THROTTLED_MESSAGE

DEFAULT_RATE_LIMIT = 2000
# WAF's own bounds for a rate-based rule's limit.
MIN_RATE_LIMIT = 10
MAX_RATE_LIMIT = 2_000_000_000
RULE_NAME = "per-address-rate"
BODY_KEY = "throttled"
RETRY_AFTER_SECONDS = "300"
# WAF refuses a description with parentheses (its pattern allows letters, digits, spaces and
# `=:#@/-,.` only); moto does not check, cfn-lint does.
DESCRIPTION = "hr-exam: per-address rate limit, see ops/waf.py"


def rate_limit(env: Mapping[str, str]) -> int:
    """The stage's per-address limit; SystemExit naming the setting when it is malformed."""
    raw = env.get("WAF_RATE_LIMIT", "").strip() or str(DEFAULT_RATE_LIMIT)
    try:
        limit = int(raw)
    except ValueError as exc:
        raise SystemExit(f"WAF_RATE_LIMIT is not a whole number: {raw!r}") from exc
    if limit != 0 and not MIN_RATE_LIMIT <= limit <= MAX_RATE_LIMIT:
        raise SystemExit(
            f"WAF_RATE_LIMIT must be 0 (no web ACL) or between {MIN_RATE_LIMIT} and {MAX_RATE_LIMIT}: {limit}"
        )
    return limit


def acl_name(api_stage: str, rest_api_id: str) -> str:
    return f"hr-exam-{rest_api_id}-{api_stage}-rate"


def stage_arn(region: str, rest_api_id: str, api_stage: str) -> str:
    return f"arn:{partition(region)}:apigateway:{region}::/restapis/{rest_api_id}/stages/{api_stage}"


def _visibility(metric: str) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": metric}


def rules(limit: int) -> list[dict[str, Any]]:
    """The web ACL's one rule: block an address above `limit` requests in 5 minutes."""
    return [
        {
            "Name": RULE_NAME,
            "Priority": 0,
            "Statement": {"RateBasedStatement": {"Limit": limit, "AggregateKeyType": "IP"}},
            "Action": {
                "Block": {
                    "CustomResponse": {
                        "ResponseCode": 429,
                        "CustomResponseBodyKey": BODY_KEY,
                        "ResponseHeaders": [{"Name": "Retry-After", "Value": RETRY_AFTER_SECONDS}],
                    }
                }
            },
            "VisibilityConfig": _visibility(RULE_NAME),
        }
    ]


def response_bodies() -> dict[str, Any]:
    body = {"error": {"code": "throttled", "message": THROTTLED_MESSAGE, "field": None}}
    return {BODY_KEY: {"ContentType": "APPLICATION_JSON", "Content": json.dumps(body, ensure_ascii=False)}}


def sam_resources(limit: int, api_stage: str) -> dict[str, Any]:
    """The same web ACL as CloudFormation resources, for the SAM template `make package` writes.

    Named as `apply` names it, so a `post-deploy` after a SAM deploy finds it rather than
    adding a second one; nothing when the stage's limit is 0."""
    if limit == 0:
        return {}
    name = {"Fn::Sub": f"hr-exam-${{RestAPI}}-{api_stage}-rate"}
    return {
        "RateLimitWebACL": {
            "Type": "AWS::WAFv2::WebACL",
            "Properties": {
                "Name": name,
                "Scope": "REGIONAL",
                "DefaultAction": {"Allow": {}},
                "Description": DESCRIPTION,
                "Rules": rules(limit),
                "VisibilityConfig": {**_visibility(RULE_NAME), "MetricName": name},
                "CustomResponseBodies": response_bodies(),
            },
        },
        "RateLimitWebACLAssociation": {
            "Type": "AWS::WAFv2::WebACLAssociation",
            "Properties": {
                "WebACLArn": {"Fn::GetAtt": ["RateLimitWebACL", "Arn"]},
                "ResourceArn": {
                    "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::"
                    "/restapis/${RestAPI}/stages/${RestAPI.Stage}"
                },
            },
        },
    }


def _current_limit(acl: Mapping[str, Any]) -> int | None:
    for rule in acl.get("Rules", []):
        if rule.get("Name") == RULE_NAME:
            found = rule.get("Statement", {}).get("RateBasedStatement", {}).get("Limit")
            return int(found) if found is not None else None
    return None


def _find(wafv2: Any, name: str) -> dict[str, Any] | None:
    request: dict[str, Any] = {"Scope": "REGIONAL", "Limit": 100}
    while True:
        page = wafv2.list_web_acls(**request)
        for summary in page.get("WebACLs", []):
            if summary["Name"] == name:
                return dict(summary)
        marker = page.get("NextMarker")
        if not marker:
            return None
        request["NextMarker"] = marker


def apply(wafv2: Any, region: str, rest_api_id: str, api_stage: str, limit: int) -> Iterator[str]:
    """Bring the stage's web ACL to `limit`; idempotent, one line per step."""
    if limit == 0:
        yield "skipped  WAF web ACL: WAF_RATE_LIMIT is 0 for this stage"
        return
    name = acl_name(api_stage, rest_api_id)
    summary = _find(wafv2, name)
    if summary is None:
        created = wafv2.create_web_acl(
            Name=name,
            Scope="REGIONAL",
            DefaultAction={"Allow": {}},
            Description=DESCRIPTION,
            Rules=rules(limit),
            VisibilityConfig=_visibility(name),
            CustomResponseBodies=response_bodies(),
        )["Summary"]
        arn = str(created["ARN"])
        yield f"created  WAF web ACL {name}: at most {limit} requests per address in 5 minutes"
    else:
        arn = str(summary["ARN"])
        found = wafv2.get_web_acl(Name=name, Scope="REGIONAL", Id=summary["Id"])
        if _current_limit(found["WebACL"]) == limit:
            yield f"found    WAF web ACL {name} at {limit} requests per address in 5 minutes"
        else:
            wafv2.update_web_acl(
                Name=name,
                Scope="REGIONAL",
                Id=summary["Id"],
                DefaultAction={"Allow": {}},
                Rules=rules(limit),
                VisibilityConfig=_visibility(name),
                CustomResponseBodies=response_bodies(),
                LockToken=found["LockToken"],
            )
            yield f"set      WAF web ACL {name} to {limit} requests per address in 5 minutes"
    resource = stage_arn(region, rest_api_id, api_stage)
    attached = wafv2.get_web_acl_for_resource(ResourceArn=resource).get("WebACL") or {}
    if attached.get("ARN") == arn:
        yield f"found    WAF web ACL on stage {api_stage}"
        return
    wafv2.associate_web_acl(WebACLArn=arn, ResourceArn=resource)
    yield f"attached WAF web ACL to stage {api_stage}"
