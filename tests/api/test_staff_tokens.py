"""Staff tokens from the console (admins): create with a Chinese name and a role, list, revoke.

A created token works at once in every container; a revoked one stops within 60 seconds
(contract v2, Staff). Each change is in the audit trail, without the token.
"""

from __future__ import annotations

from chalicelib import runtime
from chalicelib.config import load_settings
from chalicelib.domain.staff import Role
from chalicelib.storage.secrets import STAFF_TOKEN_TTL_SECONDS, SecretStore
from tests.api.conftest import Api, body


def create(api: Api, name: object, role: object = None, token: str | None = None):
    sent = {"name": name, **({"role": role} if role is not None else {})}
    return api.request("POST", "/api/admin/staff", sent, token=token or api.staff_token)


def listed(api: Api) -> list[dict[str, str]]:
    response = api.staff("GET", "/api/admin/staff")
    assert response.status_code == 200, response.body
    staff: list[dict[str, str]] = body(response)["staff"]
    return staff


def test_an_admin_creates_a_token_that_works_at_once_in_another_container(api: Api) -> None:
    clock = [1000.0]
    other = SecretStore(load_settings(), monotonic=lambda: clock[0])
    assert other.staff_name_for(api.staff_token or "") == "tester"  # its cache is fresh now
    clock[0] += 5
    created = create(api, " 李老师 ", "operator")
    assert created.status_code == 201, created.body
    answer = body(created)
    assert answer["staff"] == {"name": "李老师", "role": "operator"}
    token = answer["token"]
    member = other.staff_for(token)
    assert member is not None and (member.name, member.role) == ("李老师", Role.OPERATOR)
    assert api.get("/api/admin/periods", token=token).status_code == 200
    assert api.get("/api/admin/staff", token=token).status_code == 403  # an operator, not an admin
    roles = {entry["name"]: entry["role"] for entry in listed(api)}
    assert roles == {"tester": "admin", "李老师": "operator"}
    assert token not in str(listed(api))
    assert body(create(api, "赵老师"))["staff"]["role"] == "admin"  # the default role


def test_a_name_that_holds_a_token_is_not_replaced_and_bad_input_is_named(api: Api) -> None:
    first = body(create(api, "李老师", "viewer"))["token"]
    again = create(api, "李老师", "admin")
    assert again.status_code == 409 and body(again)["error"]["code"] == "staff_exists"
    assert runtime.current().secrets.staff_name_for(first) == "李老师"  # still works
    legacy = create(api, "tester")  # an ASCII name that already holds a token
    assert legacy.status_code == 409 and body(legacy)["error"]["code"] == "staff_exists"
    for name, role, field in [
        ("", None, "name"),
        ("李" * 41, None, "name"),
        ("李老师\n", "viewer", None),
        ("a/b", None, "name"),
        (7, None, "name"),
        ("周老师", "root", "role"),
        ("周老师", 3, "role"),
    ]:
        response = create(api, name, role)
        if field is None:  # the trailing line break is trimmed: the name exists
            assert response.status_code == 409, response.body
            continue
        assert response.status_code == 422, (name, role, response.body)
        assert body(response)["error"]["field"] == field
    assert [entry["name"] for entry in listed(api)] == ["tester", "李老师"]


def test_a_revoked_token_stops_within_a_minute_everywhere(api: Api) -> None:
    token = body(create(api, "钱老师", "viewer"))["token"]
    clock = [1000.0]
    other = SecretStore(load_settings(), monotonic=lambda: clock[0])
    assert other.staff_name_for(token) == "钱老师"
    [entry] = [entry for entry in listed(api) if entry["name"] == "钱老师"]
    revoked = api.staff("DELETE", f"/api/admin/staff/{entry['id']}")
    assert revoked.status_code == 204, revoked.body
    assert api.get("/api/admin/periods", token=token).status_code == 401  # this container: at once
    clock[0] += STAFF_TOKEN_TTL_SECONDS
    assert other.staff_name_for(token) is None  # another: by the minute's re-read
    gone = api.staff("DELETE", f"/api/admin/staff/{entry['id']}")
    assert gone.status_code == 404 and body(gone)["error"]["code"] == "staff_not_found"
    for bad in ("nope", "a%20b"):
        assert api.staff("DELETE", f"/api/admin/staff/{bad}").status_code == 404
    assert [e["name"] for e in listed(api)] == ["tester"]


def test_an_admin_cannot_revoke_their_own_token_but_another_admin_can(api: Api) -> None:
    [me] = listed(api)
    own = api.staff("DELETE", f"/api/admin/staff/{me['id']}")
    assert own.status_code == 409 and body(own)["error"]["code"] == "own_staff_token"
    other_admin = body(create(api, "孙主任", "admin"))["token"]
    assert api.request("DELETE", f"/api/admin/staff/{me['id']}", token=other_admin).status_code == 204
    assert api.staff("GET", "/api/admin/periods").status_code == 401


def test_creating_and_revoking_are_audited_without_the_token(api: Api) -> None:
    token = body(create(api, "李老师", "operator"))["token"]
    [entry] = [entry for entry in listed(api) if entry["name"] == "李老师"]
    assert api.staff("DELETE", f"/api/admin/staff/{entry['id']}").status_code == 204
    events = body(api.staff("GET", "/api/admin/audit"))["events"]
    staff_events = [
        (e["staff"], e["action"], e["record"]) for e in events if "/api/admin/staff" in e["action"]
    ]
    assert staff_events == [
        ("tester", "POST /api/admin/staff", {"staff_name": "李老师", "role": "operator"}),
        (
            "tester",
            "DELETE /api/admin/staff/{staff_id}",
            {"staff_id": entry["id"], "staff_name": "李老师", "role": "operator"},
        ),
    ]
    assert token not in str(events)
