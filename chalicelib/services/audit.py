"""The audit trail: every staff write, export and full-detail view, and the admins' view of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib import clock
from chalicelib.domain.errors import Invalid
from chalicelib.domain.staff import staff_name
from chalicelib.runtime import Runtime
from chalicelib.storage import audit

DEFAULT_DAYS = 30
REASON_MAX = 500


def record_action(
    staff: str,
    role: str,
    action: str,
    record: dict[str, str],
    status: int,
    reason: object = None,
) -> None:
    """Record one staff action now. `record` names what it touched (keys and ids, no personal data)."""
    kept = reason.strip()[:REASON_MAX] if isinstance(reason, str) and reason.strip() else None
    audit.record(
        audit.AuditEvent(
            at=clock.now(), staff=staff, role=role, action=action, record=record, status=status, reason=kept
        )
    )


def events_page(rt: Runtime, query: dict[str, str]) -> dict[str, Any]:
    """`GET /api/admin/audit`: events from `since` on, optionally of one staff member, by cursor."""
    today = clock.today()
    raw_since = query.get("since")
    if raw_since:
        try:
            since = dt.date.fromisoformat(raw_since)
        except ValueError as exc:
            raise Invalid("since", "since 应为 YYYY-MM-DD 格式的日期。") from exc
    else:
        since = today - dt.timedelta(days=DEFAULT_DAYS)
    staff = staff_name(query["staff"], field="staff") if query.get("staff") else None
    events, cursor = audit.page(since, today, staff, query.get("cursor") or None)
    return {"events": [event.public() for event in events], "cursor": cursor}
