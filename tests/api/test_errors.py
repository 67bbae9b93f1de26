"""Bad input gets the contract's error shape, never a 500 or Chalice's own body."""

from __future__ import annotations

import pytest

from tests.api.conftest import body
from tests.conftest import beijing


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ('"a string"', "application/json"),
        ("", "application/json"),
        ("null", "application/json"),
        ("name=x", "application/x-www-form-urlencoded"),
        ('{"name": "x"}', "text/plain; charset=gbk"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(api, travel, raw, content_type):
    travel(beijing(2026, 11, 27))
    response = api.staff("POST", "/api/admin/periods", raw=raw, headers={"Content-Type": content_type})
    if raw.startswith("{") and not raw.startswith("{not"):
        # A JSON object with a misleading content type is still read as JSON.
        assert response.status_code == 422
        return
    assert response.status_code == 400
    error = body(response)["error"]
    assert error["code"] == "bad_request"
    assert error["message"]


def test_invalid_utf8_is_400(api):
    response = api.staff("POST", "/api/admin/periods", raw=b"\xff\xfe{}")
    assert response.status_code == 400


def test_an_oversized_body_is_413_in_the_contract_shape(api):
    response = api.staff("POST", "/api/admin/periods", raw='{"name": "' + "x" * 1_100_000 + '"}')
    assert response.status_code == 413
    assert body(response)["error"]["code"] == "payload_too_large"


def test_every_response_carries_the_security_headers(api):
    for response in (api.get("/api/today"), api.get("/"), api.get("/api/admin/periods")):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
