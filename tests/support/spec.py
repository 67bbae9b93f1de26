"""Check real responses against docs/openapi.yaml.

Every response the API tests receive goes through `check_response`, so the
spec cannot drift from what the app really answers.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
SPEC_URI = "urn:hr-exam:openapi"


@functools.cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


@functools.cache
def _registry() -> Registry:
    return Registry().with_resource(SPEC_URI, Resource.from_contents(spec(), DRAFT202012))


@functools.cache
def _routes() -> list[tuple[re.Pattern[str], str]]:
    routes = []
    for template in spec()["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        routes.append((re.compile(pattern), template))
    return routes


def template_for(path: str) -> str | None:
    bare = path.split("?", 1)[0]
    for pattern, template in _routes():
        if pattern.match(bare):
            return template
    return None


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target: Any = spec()
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def response_schema(method: str, template: str, status: int) -> tuple[str | None, dict[str, Any] | None]:
    """(pointer to the JSON schema or None, the response object) for a documented status."""
    operation = spec()["paths"][template][method.lower()]
    responses = operation["responses"]
    key = str(status)
    if key not in responses:
        raise AssertionError(f"{method} {template} answered {status}, which the spec does not document")
    response = _resolve(responses[key])
    content = response.get("content", {})
    if "application/json" not in content:
        return None, response
    raw = responses[key]
    if "$ref" in raw:
        pointer = raw["$ref"][1:] + "/content/application~1json/schema"
    else:
        escaped = template.replace("~", "~0").replace("/", "~1")
        pointer = f"/paths/{escaped}/{method.lower()}/responses/{key}/content/application~1json/schema"
    return pointer, response


def check_response(method: str, path: str, status: int, headers: dict[str, str], body: bytes) -> None:
    """Fail unless this response is one the spec allows."""
    template = template_for(path)
    if template is None:
        return  # pages and static files are HTML, not part of the JSON spec
    pointer, response = response_schema(method, template, status)
    content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    if pointer is None:
        if response and response.get("content"):
            documented = list(response["content"])
            assert any(content_type.startswith(kind) for kind in documented), (content_type, documented)
        return
    assert content_type.startswith("application/json"), f"{method} {path}: {content_type}"
    document = json.loads(body)
    validator = jsonschema.Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"}, registry=_registry(),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, f"{method} {path} {status}: {errors[0].message} at {list(errors[0].path)}"
