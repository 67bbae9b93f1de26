"""Every staff route needs a valid staff token; refusals are 401 in the contract's shape."""

from __future__ import annotations

import re

import pytest

from app import app
from chalicelib import runtime
from tests.api.conftest import body


def admin_routes() -> list[tuple[str, str]]:
    found = []
    for path, methods in app.routes.items():
        if path.startswith("/api/admin"):
            for method in methods:
                found.append((method, re.sub(r"\{[^}]+\}", "some-id", path)))
    return sorted(found)


def test_the_admin_routes_are_found():
    # Guards the walk below against silently checking nothing.
    assert ("POST", "/api/admin/periods") in admin_routes()
    assert ("GET", "/api/admin/qr.png") in admin_routes()


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic abc", "hrx_x"])
def test_every_admin_route_refuses_without_a_valid_token(api, header):
    for method, path in admin_routes():
        headers = {"Authorization": header} if header else {}
        response = api.request(method, path, body={}, headers=headers)
        assert response.status_code == 401, (method, path)
        error = body(response)["error"]
        assert error["code"] == "unauthorized"
        assert error["message"]


def test_a_revoked_token_stops_working(api):
    secrets = runtime.current().secrets
    token = secrets.add_staff_token("leaver")
    assert api.get("/api/admin/periods", token=token).status_code == 200
    assert secrets.revoke_staff_token("leaver")
    assert api.get("/api/admin/periods", token=token).status_code == 401


def test_only_a_hash_of_the_token_is_stored(api):
    import json

    import boto3

    from chalicelib.storage.secrets import hash_staff_token, staff_parameter_key

    token = runtime.current().secrets.add_staff_token("李老师")
    settings = runtime.current().settings
    ssm = boto3.client("ssm", region_name=settings.region)
    name = f"{settings.ssm_prefix}/staff-tokens/{staff_parameter_key('李老师')}"
    stored = ssm.get_parameter(Name=name, WithDecryption=True)
    value = stored["Parameter"]["Value"]
    assert token not in value
    assert json.loads(value) == {"hash": hash_staff_token(token), "name": "李老师", "role": "admin"}
    assert stored["Parameter"]["Type"] == "SecureString"


def test_a_token_stored_before_roles_existed_still_works_as_admin(api):
    import boto3

    from chalicelib.storage.secrets import hash_staff_token

    settings = runtime.current().settings
    token = "hrx_" + "x" * 43
    boto3.client("ssm", region_name=settings.region).put_parameter(
        Name=f"{settings.ssm_prefix}/staff-tokens/old-timer",
        Value=hash_staff_token(token),
        Type="SecureString",
    )
    member = runtime.current().secrets.staff_for(token)
    assert member is not None and (member.name, member.role.label) == ("old-timer", "admin")
    assert runtime.current().secrets.revoke_staff_token("old-timer")
    assert runtime.current().secrets.staff_for(token) is None


def test_candidate_routes_need_no_token(api):
    assert api.get("/api/today").status_code == 200
