"""Keep the privacy notice's promises: delete what has expired, and one person on request.

`purge_expired` is the daily schedule: every registration whose period's exam
lies more than `RETENTION_YEARS` before today goes, with its attempt and its
queued e-mails, and a person's record and phone/e-mail claims once no
registration of theirs remains; audit events older than
`AUDIT_RETENTION_YEARS` go too, and so do answered rights requests closed
longer ago than that. It works in bounded steps and stops when its
time is up: whatever is left is found again by the next run. Exports in S3
expire by the bucket's lifecycle rule (ops/provision.py), not here.

`delete_person` is an admin's deletion of everything of one identity, with a
reason; it answers counts by kind and never logs the ID number.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.domain import retention as rules
from chalicelib.domain.errors import Invalid, NotFound
from chalicelib.domain.identity import mask_id_number, normalise_id_number
from chalicelib.runtime import Runtime
from chalicelib.storage.retention import Counts
from chalicelib.storage.rights import RightsRequests

log = logging.getLogger("hr_exam.retention")
# The run's counts are the operator's record of what was deleted: keep them in the log.
log.setLevel(logging.INFO)

# The schedule's Lambda may run 15 minutes (.chalice/config.json): stop well before.
PURGE_BUDGET_SECONDS = 600.0
# A daily run deletes the audit days that have just expired; a window catches up missed runs.
AUDIT_WINDOW_DAYS = 62
AUDIT_BATCH = 100
RIGHTS_BATCH = 100
REASON_MAX = 500


@dataclass(frozen=True)
class PurgeReport:
    deleted: Counts
    # False when the run stopped for time or for its limit: the next run continues.
    finished: bool
    periods: tuple[str, ...] = ()

    def public(self) -> dict[str, Any]:
        return {"deleted": self.deleted.public(), "finished": self.finished, "periods": list(self.periods)}


@dataclass
class _Budget:
    seconds: float
    limit: int | None
    monotonic: Callable[[], float]
    started: float = 0.0
    used: int = 0
    stopped: bool = False

    def __post_init__(self) -> None:
        self.started = self.monotonic()

    def take(self, counted: bool = True) -> bool:
        """One more step, if time (and, for a `counted` step, the limit) allows."""
        if self.monotonic() - self.started >= self.seconds or (
            counted and self.limit is not None and self.used >= self.limit
        ):
            self.stopped = True
            return False
        self.used += counted
        return True


def purge_expired(
    rt: Runtime,
    budget_seconds: float = PURGE_BUDGET_SECONDS,
    limit: int | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> PurgeReport:
    """Delete what has expired today, person by person, until done or `budget_seconds` (or
    `limit` people; audit days do not count) are used up."""
    today = clock.today()
    budget = _Budget(budget_seconds, limit, monotonic)
    rt.periods.invalidate()
    expired = rules.expired(rt.periods.all(), today, rt.settings.retention_years)
    expired_ids = {period.id for period in expired}
    deleted = Counts()
    store = rt.retention_store()
    if expired:
        outbox = store.outbox_targets()
        for period in expired:
            for pk in store.people_registered_for(period.id):
                if not budget.take():
                    break
                deleted.add(store.purge_person(pk, expired_ids, outbox))
            if budget.stopped:
                break
    if not budget.stopped:
        for day in rules.audit_days_due(today, rt.settings.audit_retention_years, AUDIT_WINDOW_DAYS):
            done = False
            while not done:
                if not budget.take(counted=False):
                    break
                count, done = store.purge_audit_day(day, AUDIT_BATCH)
                deleted.audit += count
            if budget.stopped:
                break
    if not budget.stopped:
        through = rules.answered_requests_through(today, rt.settings.audit_retention_years)
        requests = RightsRequests(rt.repo)
        done = False
        while not done and budget.take(counted=False):
            count, done = requests.purge_closed(through, RIGHTS_BATCH)
            deleted.rights_requests += count
    report = PurgeReport(deleted, finished=not budget.stopped, periods=tuple(sorted(expired_ids)))
    log.info("purge_expired %s", report.public())
    return report


@dataclass(frozen=True)
class Deletion:
    masked_id_number: str
    deleted: Counts
    reason: str

    def public(self) -> dict[str, Any]:
        return {"person": {"id_number": self.masked_id_number}, "deleted": self.deleted.public()}

    def audit_record(self) -> dict[str, str]:
        """What the audit trail keeps of it: the masked ID number and the counts, never the number."""
        return {"person": self.masked_id_number, **{k: str(v) for k, v in self.deleted.public().items()}}


def reason_of(body: Mapping[str, object]) -> str:
    """A deletion's reason, required."""
    raw_reason = body.get("reason")
    reason = raw_reason.strip()[:REASON_MAX] if isinstance(raw_reason, str) else ""
    if not reason:
        raise Invalid("reason", "请填写删除原因（例如：本人申请删除个人信息）。")
    return reason


def delete_person(rt: Runtime, body: Mapping[str, object]) -> Deletion:
    """Delete every item of one person's identity: `{"id_number", "reason"}`, the reason required."""
    id_number = normalise_id_number(body.get("id_number"), clock.today())
    reason = reason_of(body)
    deleted = rt.retention_store().delete_person(rt.repo.id_hash(id_number))
    if deleted.total == 0:
        raise NotFound("没有找到该身份证号的任何个人信息。", code="person_not_found")
    deletion = Deletion(mask_id_number(id_number), deleted, reason)
    log.info("delete_person %s", deletion.public()["deleted"])
    return deletion
