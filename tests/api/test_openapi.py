"""docs/openapi.yaml is a valid OpenAPI 3.1 document that matches the app's routes."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from app import app
from tests.support import spec


def test_the_spec_is_valid_openapi_3_1():
    validate(spec.spec())
    assert spec.spec()["openapi"].startswith("3.1")


def _shape(path: str) -> str:
    # Path parameter names are the code's business; the shape of the path is the contract's.
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_every_json_route_of_the_app_is_in_the_spec():
    documented = {
        (_shape(path), method.lower())
        for path, ops in spec.spec()["paths"].items()
        for method in ops
        if method != "parameters"
    }
    served = {
        (_shape(path), method.lower())
        for path, methods in app.routes.items()
        for method in methods
        if path.startswith("/api/")
    }
    assert served - documented == set()


def test_the_response_check_refuses_what_the_spec_does_not_allow():
    # The checker every API test relies on must be able to fail.
    good = b'{"date": "2026-12-01", "mode": "closed", "period": null}'
    spec.check_response("GET", "/api/today", 200, {"Content-Type": "application/json"}, good)
    with pytest.raises(AssertionError):
        spec.check_response(
            "GET",
            "/api/today",
            200,
            {"Content-Type": "application/json"},
            b'{"date": "2026-12-01", "mode": "open", "period": null}',
        )
    with pytest.raises(AssertionError):
        spec.check_response("GET", "/api/today", 418, {"Content-Type": "application/json"}, good)
    with pytest.raises(AssertionError):
        spec.check_response(
            "POST",
            "/api/admin/periods",
            401,
            {"Content-Type": "application/json"},
            b'{"message": "Unauthorized"}',
        )
