"""Staff names and roles: the rules the CLI and the console share."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import Invalid
from chalicelib.domain.staff import NAME_MAX, Role, StaffMember, staff_name


@pytest.mark.parametrize(
    ("given_name", "kept"),
    [
        ("李老师", "李老师"),
        ("  王 主任 ", "王 主任"),
        ("alice", "alice"),
        ("阿卜杜·热合曼", "阿卜杜·热合曼"),
        ("x" * NAME_MAX, "x" * NAME_MAX),
    ],
)
def test_names_as_people_write_them_are_kept(given_name, kept):
    assert staff_name(given_name) == kept


@pytest.mark.parametrize(
    "bad", ["", "   ", "x" * (NAME_MAX + 1), "李\n老师", "a\tb", "a/b", "a\u200bb", None, 7]
)
def test_names_out_of_rule_are_invalid(bad):
    with pytest.raises(Invalid) as caught:
        staff_name(bad)
    assert caught.value.field == "name"


@given(st.text(max_size=60))
def test_any_text_is_a_valid_name_or_invalid(text):
    try:
        name = staff_name(text)
    except Invalid:
        return
    assert 1 <= len(name) <= NAME_MAX and "/" not in name and name == name.strip()


@pytest.mark.parametrize(
    ("role", "minimum", "allowed"),
    [
        (Role.VIEWER, Role.VIEWER, True),
        (Role.VIEWER, Role.OPERATOR, False),
        (Role.OPERATOR, Role.OPERATOR, True),
        (Role.OPERATOR, Role.ADMIN, False),
        (Role.ADMIN, Role.VIEWER, True),
        (Role.ADMIN, Role.ADMIN, True),
    ],
)
def test_roles_are_ordered(role, minimum, allowed):
    assert StaffMember("李老师", role).may(minimum) is allowed


@pytest.mark.parametrize("text", ["viewer", "operator", "admin"])
def test_roles_parse_from_their_labels(text):
    assert Role.parse(text).label == text


@pytest.mark.parametrize("text", ["Admin", "root", "", None, 3])
def test_other_roles_are_invalid(text):
    with pytest.raises(Invalid):
        Role.parse(text)
