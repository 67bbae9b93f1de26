"""A REST API in moto shaped like the one `chalice deploy` creates, built from the app's route table.

moto cannot import Chalice's Swagger 2.0 definition (it takes OpenAPI 3 only),
so the tests build the same resource tree and proxy methods directly: one
resource per path segment, each route's methods integrated with the API
handler, deployed to the stage. What `.chalice/deployed/<stage>.json` would
record comes with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ops.deployment import Function

ACCOUNT = "123456789012"


def lambda_arn(region: str, function_name: str) -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT}:function:{function_name}"


def build(apigateway: Any, region: str, routes: Iterable[tuple[str, str]], handler: str, stage: str) -> str:
    """Create the API, its resources and methods, and deploy it to `stage`; returns its id."""
    api_id = str(
        apigateway.create_rest_api(name="hr-exam", endpointConfiguration={"types": ["REGIONAL"]})["id"]
    )
    root = next(r for r in apigateway.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    ids = {"/": root["id"]}
    uri = (
        f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
        f"{lambda_arn(region, handler)}/invocations"
    )
    for path, method in routes:
        parent = "/"
        for segment in [s for s in path.split("/") if s]:
            full = parent.rstrip("/") + "/" + segment
            if full not in ids:
                ids[full] = apigateway.create_resource(
                    restApiId=api_id, parentId=ids[parent], pathPart=segment
                )["id"]
            parent = full
        apigateway.put_method(
            restApiId=api_id, resourceId=ids[path], httpMethod=method, authorizationType="NONE"
        )
        apigateway.put_integration(
            restApiId=api_id,
            resourceId=ids[path],
            httpMethod=method,
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=uri,
        )
    apigateway.create_deployment(restApiId=api_id, stageName=stage)
    return api_id


def deployed_record(region: str, api_id: str, functions: Iterable[Function]) -> dict[str, Any]:
    """`.chalice/deployed/<stage>.json` as Chalice writes it after a deploy."""
    resources: list[dict[str, Any]] = [
        {
            "name": f.name,
            "resource_type": "lambda_function",
            "lambda_arn": lambda_arn(region, f.function_name),
        }
        for f in functions
    ]
    resources.append(
        {
            "name": "rest_api",
            "resource_type": "rest_api",
            "rest_api_id": api_id,
            "rest_api_url": f"https://{api_id}.execute-api.{region}.amazonaws.com/v1/",
        }
    )
    return {"resources": resources, "schema_version": "2.0", "backend": "api"}
