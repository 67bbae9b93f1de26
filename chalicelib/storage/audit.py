"""The audit trail: one item per staff action, one partition per Beijing day.

Read from a day on by Query, day by day, never by Scan; a page's cursor names
the day and the last event read. Items carry no TTL: the trail outlives the
180-day request logs and the three years the contract asks for.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.errors import Invalid
from chalicelib.storage import keys
from chalicelib.storage.dynamo import dynamodb_errors
from chalicelib.storage.staff_models import AuditItem

PAGE_SIZE = 50
# A page walks at most this many days: a filter that matches nothing in a
# long quiet stretch answers an empty page with a cursor, not a long request.
DAYS_PER_PAGE = 62


@dataclass(frozen=True)
class AuditEvent:
    at: dt.datetime
    staff: str
    role: str
    action: str
    record: dict[str, str] = field(default_factory=dict)
    status: int = 200
    reason: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(timespec="seconds"),
            "staff": self.staff,
            "role": self.role,
            "action": self.action,
            "record": self.record,
            "status": self.status,
            "reason": self.reason,
        }


def record(event: AuditEvent) -> None:
    """Write one event (a plain put: its key is new by construction)."""
    day = event.at.date()
    item = AuditItem(
        keys.audit_pk(day),
        keys.audit_sk(event.at, uuid.uuid4().hex),
        at=event.at.isoformat(timespec="microseconds"),
        staff=event.staff,
        role=event.role,
        action=event.action,
        record=dict(event.record),
        status=event.status,
        reason=event.reason,
    )
    with dynamodb_errors():
        item.save()


def _event(item: AuditItem) -> AuditEvent:
    return AuditEvent(
        at=dt.datetime.fromisoformat(item.at),
        staff=item.staff,
        role=item.role,
        action=item.action,
        record={str(k): str(v) for k, v in (item.record.as_dict() if item.record else {}).items()},
        status=int(item.status),
        reason=item.reason,
    )


def _encode(day: dt.date, after: str | None) -> str:
    raw = json.dumps({"day": day.isoformat(), "after": after}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode(cursor: str) -> tuple[dt.date, str | None]:
    try:
        found = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        day = dt.date.fromisoformat(found["day"])
        after = found["after"]
        if after is not None and not isinstance(after, str):
            raise ValueError(after)
        return day, after
    except (ValueError, KeyError, TypeError) as exc:
        raise Invalid("cursor", "分页参数 cursor 无效，请从第一页重新开始。") from exc


def page(
    since: dt.date, today: dt.date, staff: str | None, cursor: str | None
) -> tuple[list[AuditEvent], str | None]:
    """Events from `since` (or the cursor) on, oldest first; the cursor of the next page or None."""
    day, after = _decode(cursor) if cursor else (since, None)
    events: list[AuditEvent] = []
    walked = 0
    while day <= today:
        condition = AuditItem.sk > after if after else None
        filter_condition = AuditItem.staff == staff if staff else None
        with dynamodb_errors():
            for item in AuditItem.query(
                keys.audit_pk(day), range_key_condition=condition, filter_condition=filter_condition
            ):
                events.append(_event(item))
                if len(events) == PAGE_SIZE:
                    return events, _encode(day, item.sk)
        day, after, walked = day + dt.timedelta(days=1), None, walked + 1
        if walked == DAYS_PER_PAGE and day <= today:
            return events, _encode(day, None)
    return events, None
