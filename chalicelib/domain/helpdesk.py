"""What the helpdesk asks and changes: searches, corrections and incident controls, as pure rules.

Staff answer candidates by phone. They find a person by one detail (ID
number, phone, e-mail or name, exact, normalised as at registration), and
every change they make carries a reason, which the audit trail keeps.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from chalicelib.domain.errors import Invalid
from chalicelib.domain.identity import (
    Contact,
    name_key,
    normalise_email,
    normalise_id_number,
    normalise_name,
    normalise_phone,
)
from chalicelib.domain.text import has_unprintable

SearchKind = Literal["id_number", "phone", "email", "name"]
SEARCH_KINDS: tuple[SearchKind, ...] = ("id_number", "phone", "email", "name")
ClaimKind = Literal["phone", "email"]

REASON_MAX = 500
# More than the longest exam: an incident never needs a second exam's worth of time.
MINUTES_MAX = 180
# A person reference is the keyed hash that stands for the ID number (storage/keys.py).
_PERSON_REF = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Search:
    kind: SearchKind
    value: str

    @property
    def key(self) -> str:
        """What the store compares: names as exam entry compares them, the rest as stored."""
        return name_key(self.value) if self.kind == "name" else self.value


def search_query(query: Mapping[str, str], today: dt.date) -> Search:
    """Exactly one of `id_number`, `phone`, `email`, `name`, normalised as the domain does."""
    given = [kind for kind in SEARCH_KINDS if (query.get(kind) or "").strip()]
    if len(given) != 1:
        raise Invalid(
            given[1] if len(given) > 1 else "id_number",
            "请只填写一项查询条件：身份证号、手机号、电子邮箱或姓名。",
        )
    kind = given[0]
    raw = query[kind]
    if kind == "id_number":
        return Search(kind, normalise_id_number(raw, today))
    if kind == "phone":
        return Search(kind, normalise_phone(raw))
    if kind == "email":
        return Search(kind, normalise_email(raw))
    return Search(kind, normalise_name(raw))


def wants_full(query: Mapping[str, str]) -> bool:
    """Full details are asked for explicitly (`full=1`), never implied."""
    return (query.get("full") or "").strip().lower() in ("1", "true")


def person_ref(text: str) -> str:
    """A person reference from a path, or `Invalid`: it names a key, nothing else."""
    if not _PERSON_REF.fullmatch(text):
        raise Invalid("person", "人员编号无效，请从查询结果中重新打开该人员。")
    return text


def reason(body: Mapping[str, object]) -> str:
    """Why staff made a change: required, one to 500 characters, no control characters."""
    text = body.get("reason")
    if not isinstance(text, str) or not text.strip():
        raise Invalid("reason", "请填写原因（例如：考生来电，身份证上的姓名为……）。")
    text = text.strip()
    if len(text) > REASON_MAX:
        raise Invalid("reason", f"原因最多 {REASON_MAX} 个字符。")
    if has_unprintable(text):
        raise Invalid("reason", "原因中不能包含控制字符或换行。")
    return text


def corrected_contact(current: Contact, body: Mapping[str, object]) -> Contact:
    """The registration's details with the corrections the body names (at least one)."""
    fields = [field for field in ("name", "phone", "email") if field in body]
    if not fields:
        raise Invalid("name", "请填写要更正的姓名、手机号或电子邮箱。")
    return Contact(
        name=normalise_name(body["name"]) if "name" in body else current.name,
        id_number=current.id_number,
        phone=normalise_phone(body["phone"]) if "phone" in body else current.phone,
        email=normalise_email(body["email"]) if "email" in body else current.email,
    )


def claim_kind(text: str) -> ClaimKind:
    if text == "phone":
        return "phone"
    if text == "email":
        return "email"
    raise Invalid("field", "只能释放手机号（phone）或电子邮箱（email）。")


def minutes(body: Mapping[str, object], field: str = "minutes") -> int:
    """A whole number of minutes, 1 to 180."""
    value = body.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MINUTES_MAX:
        raise Invalid(field, f"分钟数应为 1 到 {MINUTES_MAX} 的整数。")
    return value


def target_period(body: Mapping[str, object]) -> str:
    value = body.get("period_id")
    if not isinstance(value, str) or not value.strip():
        raise Invalid("period_id", "请选择要调入的期次。")
    return value.strip()


def minutes_until(end: dt.datetime, now: dt.datetime, wanted: int) -> int:
    """The extra minutes past `end` that leave a candidate `wanted` minutes from `now`."""
    needed = now + dt.timedelta(minutes=wanted) - end
    return max(0, -(-int(needed.total_seconds()) // 60))
