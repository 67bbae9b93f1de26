"""Staff members: their names, their roles and what each role may do.

Roles are ordered: `viewer` reads statistics and masked lists; `operator`
also manages periods, papers, the calendar and candidates' records; `admin`
also manages staff tokens and sees full details. Every staff route declares
the least role that may use it (`chalicelib/web/http.py`, `route(..., role=)`).
"""

from __future__ import annotations

import enum
import unicodedata

from chalicelib.domain.errors import Invalid
from chalicelib.values import value_class

NAME_MAX = 40


class Role(enum.IntEnum):
    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: object, field: str = "role") -> Role:
        if isinstance(text, str):
            for role in cls:
                if role.label == text:
                    return role
        raise Invalid(field, "角色只能是 viewer（只读）、operator（操作员）或 admin（管理员）。")


DEFAULT_ROLE = Role.ADMIN


@value_class
class StaffMember:
    """A signed-in member of staff and their role."""

    name: str
    role: Role

    def __init__(self, name: str, role: Role) -> None:
        self.__dict__.update(name=name, role=role)

    def may(self, minimum: Role) -> bool:
        return self.role >= minimum


def staff_name(text: object, field: str = "name") -> str:
    """A staff member's name as people write it (`李老师`): 1–40 characters after NFC
    and trimming, no control characters, no line breaks, no `/` (it names a record)."""
    if not isinstance(text, str):
        raise Invalid(field, "请填写工作人员姓名。")
    name = unicodedata.normalize("NFC", text).strip()
    if not name:
        raise Invalid(field, "请填写工作人员姓名。")
    if len(name) > NAME_MAX:
        raise Invalid(field, f"工作人员姓名最多 {NAME_MAX} 个字符。")
    for char in name:
        if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"} or char == "/":
            raise Invalid(field, "工作人员姓名不能包含控制字符、换行或“/”。")
    return name
