"""Staff tokens managed from the console (admins): create with a name and a role, list, revoke.

A created token works at once in every container (a container re-reads the
tokens on a miss); a revoked one stops within a minute (they are re-read at
least that often). Only the token's hash is stored; the token itself is shown
once, in the answer to its creation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.domain.errors import OwnStaffToken
from chalicelib.domain.staff import DEFAULT_ROLE, Role, StaffMember, staff_name
from chalicelib.runtime import Runtime


def _public(key: str, member: StaffMember) -> dict[str, str]:
    return {"id": key, "name": member.name, "role": member.role.label}


def list_staff(rt: Runtime) -> list[dict[str, str]]:
    """Every staff token's holder and role, by name (never a token or its hash)."""
    return [_public(key, member) for key, member in rt.secrets.staff_entries()]


def create(rt: Runtime, body: Mapping[str, object]) -> dict[str, Any]:
    """A new token for `name` (1–40 characters, Chinese included) with `role` (default admin).

    Refused with `staff_exists` when the name already holds one: the console never takes a
    token away from someone by creating another."""
    name = staff_name(body.get("name"))
    raw_role = body.get("role")
    role = DEFAULT_ROLE if raw_role is None or raw_role == "" else Role.parse(raw_role)
    token = rt.secrets.add_staff_token(name, role, replace=False)
    return {"staff": {"name": name, "role": role.label}, "token": token}


def revoke(rt: Runtime, key: str, by: str) -> StaffMember:
    """Revoke the token listed under `key`; an admin cannot revoke the one they are using."""
    entries = dict(rt.secrets.staff_entries())
    held = entries.get(key)
    if held is not None and held.name == by:
        raise OwnStaffToken()
    return rt.secrets.revoke_staff_key(key)
