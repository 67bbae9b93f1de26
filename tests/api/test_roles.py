"""Every staff route declares its least role; a lesser role gets 403 forbidden, the least role gets in."""

from __future__ import annotations

import pytest

from chalicelib import runtime
from chalicelib.domain.staff import Role
from chalicelib.web.http import minimum_role
from tests.api.conftest import body
from tests.api.test_registration import FIRST_EXAM, IN_FIRST_WINDOW, create_period, register
from tests.api.test_staff_access import admin_routes
from tests.support.people import person

SOME_ID = "some-id"


def declared(method: str, concrete: str) -> Role | None:
    from app import app

    for path, methods in app.routes.items():
        if method in methods and _same_shape(path, concrete):
            return minimum_role(method, path)
    return None


def _same_shape(template: str, concrete: str) -> bool:
    left, right = template.split("/"), concrete.split("/")
    return len(left) == len(right) and all(
        a == b or (a.startswith("{") and b == SOME_ID) for a, b in zip(left, right, strict=True)
    )


def test_every_staff_route_declares_a_least_role():
    missing = [(method, path) for method, path in admin_routes() if declared(method, path) is None]
    assert not missing, f"staff routes without a role (route(..., role=Role.X)): {missing}"


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("GET", "/api/admin/periods", Role.VIEWER),
        ("POST", "/api/admin/periods", Role.OPERATOR),
        ("PUT", "/api/admin/periods/some-id/paper", Role.OPERATOR),
        ("POST", "/api/admin/periods/some-id/export", Role.OPERATOR),
        ("GET", "/api/admin/periods/some-id/stats", Role.VIEWER),
        ("GET", "/api/admin/calendar/some-id", Role.VIEWER),
        ("PUT", "/api/admin/calendar/some-id", Role.OPERATOR),
        ("GET", "/api/admin/staff", Role.ADMIN),
        ("POST", "/api/admin/staff", Role.ADMIN),
        ("DELETE", "/api/admin/staff/some-id", Role.ADMIN),
        ("GET", "/api/admin/entries", Role.VIEWER),
        ("GET", "/api/admin/periods/some-id/entries", Role.VIEWER),
        ("POST", "/api/admin/periods/some-id/entries", Role.OPERATOR),
    ],
)
def test_the_contract_roles(method, path, role):
    assert declared(method, path) == role


# Chalice answers a binary route 400 unless the request accepts its type.
BINARY_TYPES = {
    ".png": "image/png",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def test_a_lesser_role_is_forbidden_and_the_least_role_gets_past_the_check(api):
    secrets = runtime.current().secrets
    tokens = {role: secrets.add_staff_token(f"角色{role.label}", role) for role in Role}
    for method, path in admin_routes():
        least = declared(method, path)
        assert least is not None
        for role, token in tokens.items():
            ending = path[path.rfind(".") :]
            accept = {"Accept": BINARY_TYPES[ending]} if ending in BINARY_TYPES else {}
            response = api.request(
                method, path, body=None if method == "GET" else {}, token=token, headers=accept
            )
            if role < least:
                assert response.status_code == 403, (method, path, role)
                assert body(response)["error"]["code"] == "forbidden"
                assert body(response)["error"]["message"]
            else:
                assert response.status_code not in (401, 403), (method, path, role)


def test_a_route_without_a_role_is_refused_to_everyone(api):
    from chalice.app import Request

    from chalicelib.domain.errors import Forbidden
    from chalicelib.domain.staff import StaffMember
    from chalicelib.web.middleware import _check_role

    event = {
        "requestContext": {"resourcePath": "/api/admin/undeclared", "httpMethod": "GET"},
        "httpMethod": "GET",
        "headers": {},
        "queryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "body": None,
        "isBase64Encoded": False,
        "multiValueQueryStringParameters": None,
    }
    with pytest.raises(Forbidden):
        _check_role(Request(event), StaffMember("管理员", Role.ADMIN))


def test_viewers_see_registrations_masked_and_admins_in_full(api, travel):
    travel(IN_FIRST_WINDOW)
    first_period = create_period(api, FIRST_EXAM)
    someone = person(1)
    assert register(api, someone).status_code == 201
    path = f"/api/admin/periods/{first_period['id']}/registrations"
    viewer = runtime.current().secrets.add_staff_token("王同学", Role.VIEWER)
    (masked,) = body(api.get(path, token=viewer))["registrations"]
    assert masked["masked"] is True
    for field in ("id_number", "phone", "email"):
        assert masked[field] != getattr(someone, field)
    assert someone.id_number not in api.get(path, token=viewer).body.decode()
    (full,) = body(api.staff("GET", path))["registrations"]
    assert full["masked"] is False and full["id_number"] == someone.id_number
