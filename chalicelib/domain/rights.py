"""Candidates' rights requests (PIPL Art. 15, 44–47): a copy, a correction, deletion, withdrawing consent.

A candidate asks from the lookup page after the same ID number + phone check
as the lookup; staff answer from a queue by a date counted in working days
(`RIGHTS_ANSWER_WORKING_DAYS`, default 15, inside GB/T 35273's 30 days) and
act through the helpdesk tools; the candidate is e-mailed the outcome at the
address they registered. A copy is only ever e-mailed there, never shown on a
screen: whoever holds someone's ID number and phone cannot read their data.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from chalicelib.domain.errors import CalendarUnknown, Invalid
from chalicelib.domain.identity import mask_email, mask_id_number, normalise_id_number, normalise_phone

Kind = Literal["copy", "correction", "deletion", "withdraw"]
Status = Literal["open", "done", "refused"]
KINDS: dict[str, str] = {
    "copy": "复制个人信息（发送到报名邮箱）",
    "correction": "更正或补充个人信息",
    "deletion": "删除个人信息",
    "withdraw": "撤回同意",
}
OUTCOMES: dict[str, str] = {"done": "已办理", "refused": "不予办理"}
DETAILS_MAX = 500
NOTE_MAX = 500

KIND_INVALID = "请选择要申请的事项：复制、更正、删除个人信息或撤回同意。"
DETAILS_NEEDED = "请写明需要更正的内容，例如：姓名应为“张三”。"
DETAILS_INVALID = f"说明最多 {DETAILS_MAX} 个字，且不能含有控制字符。"
OUTCOME_INVALID = "请选择办理结果：已办理或不予办理。"
ALREADY_OPEN = "您已提交过同类申请，工作人员正在办理，请留意报名邮箱中的答复，无需重复提交。"
ALREADY_ANSWERED = "该申请已由其他工作人员答复，请刷新队列。"
BEING_ANSWERED = "其他工作人员正在答复该申请，请稍后刷新队列。"
NOT_FOUND = "没有找到该申请，请刷新队列。"
STILL_HELD = (
    "该考生仍有报名记录。请先在「删除个人信息」中删除（或在咨询服务中撤销报名），再答复“已办理”；"
    "不予删除的（例如法律要求保存），请选择“不予办理”并写明理由。"
)
NOT_A_DELETION = "只有待办理的删除或撤回同意申请可以在这里删除个人信息。"
NOTE_NEEDED = "请填写答复内容：已办理的，写明办理了什么；不予办理的，写明理由。"


@dataclass(frozen=True)
class RequestForm:
    id_number: str
    phone: str
    kind: Kind
    details: str


def _text(value: object, limit: int) -> str | None:
    """Trimmed text within `limit` characters and without control characters (line breaks allowed)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) > limit:
        return None
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in text):
        return None
    return text


def request_form(body: Mapping[str, object], today: dt.date) -> RequestForm:
    """The request, checked field by field: ID number, phone, kind, details."""
    id_number = normalise_id_number(body.get("id_number"), today)
    phone = normalise_phone(body.get("phone"))
    kind = body.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise Invalid("kind", KIND_INVALID)
    details = _text(body.get("details"), DETAILS_MAX)
    if details is None:
        raise Invalid("details", DETAILS_INVALID)
    if kind == "correction" and not details:
        raise Invalid("details", DETAILS_NEEDED)
    return RequestForm(id_number, phone, kind, details)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Outcome:
    status: Literal["done", "refused"]
    note: str


def outcome_form(body: Mapping[str, object]) -> Outcome:
    status = body.get("outcome")
    if status not in OUTCOMES:
        raise Invalid("outcome", OUTCOME_INVALID)
    note = _text(body.get("note"), NOTE_MAX)
    if not note:
        raise Invalid("note", NOTE_NEEDED)
    return Outcome(status, note)  # type: ignore[arg-type]


def answer_by(received: dt.date, working_days: int, is_working_day: Callable[[dt.date], bool]) -> dt.date:
    """The `working_days`-th working day after the request's day.

    A year the calendar does not know yet counts Monday to Friday: holidays
    would only push the date later, so the promise made is never too late."""
    day = received
    left = working_days
    while left:
        day += dt.timedelta(days=1)
        try:
            working = is_working_day(day)
        except CalendarUnknown:
            working = day.weekday() < 5
        if working:
            left -= 1
    return day


@dataclass(frozen=True)
class RightsRequest:
    id: str
    person: str
    kind: Kind
    details: str
    received_at: dt.datetime
    answer_by: dt.date
    name: str
    id_number_masked: str
    email: str
    status: Status = "open"
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    note: str | None = None

    def candidate_view(self) -> dict[str, object]:
        """What the lookup page shows after asking: what was asked, when it will be answered."""
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "received_at": self.received_at.isoformat(timespec="seconds"),
            "answer_by": self.answer_by.isoformat(),
            "email_masked": mask_email(self.email) if self.email else "",
        }

    def staff_view(self, today: dt.date) -> dict[str, object]:
        """The queue's row: masked like the helpdesk's default view; `person` opens the helpdesk."""
        return {
            **self.candidate_view(),
            "person": self.person,
            "name": self.name,
            "id_number_masked": self.id_number_masked,
            "details": self.details,
            "overdue": self.status == "open" and today > self.answer_by,
            "closed_at": self.closed_at.isoformat(timespec="seconds") if self.closed_at else None,
            "closed_by": self.closed_by,
            "note": self.note,
        }


def new_request(
    request_id: str,
    person: str,
    form: RequestForm,
    name: str,
    email: str,
    received_at: dt.datetime,
    due: dt.date,
) -> RightsRequest:
    return RightsRequest(
        id=request_id,
        person=person,
        kind=form.kind,
        details=form.details,
        received_at=received_at,
        answer_by=due,
        name=name,
        id_number_masked=mask_id_number(form.id_number),
        email=email,
    )


def queue_order(requests: Sequence[RightsRequest]) -> list[RightsRequest]:
    """Open requests first, the earliest answer date first; then the closed ones, newest first."""
    opened = sorted((r for r in requests if r.status == "open"), key=lambda r: (r.answer_by, r.received_at))
    closed = sorted((r for r in requests if r.status != "open"), key=lambda r: r.received_at, reverse=True)
    return [*opened, *closed]
