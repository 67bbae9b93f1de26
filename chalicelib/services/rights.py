"""Rights requests: filed by a candidate from the lookup page, answered by staff from the queue.

Filing checks the ID number and phone exactly as the lookup does (the same
failure limit, the same answer whichever was wrong), so it reveals nothing a
lookup would not. The answer is e-mailed to the address the candidate
registered; a copy of their data goes only there, never to a screen.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from chalicelib import clock
from chalicelib.domain import attempts
from chalicelib.domain.errors import Conflict, MailFailed, NotFound, Unavailable
from chalicelib.domain.mails import rights_outcome_mail
from chalicelib.domain.periods import Period
from chalicelib.domain.registrations import Registration
from chalicelib.domain.rights import (
    BEING_ANSWERED,
    KINDS,
    NOT_A_DELETION,
    STILL_HELD,
    Outcome,
    RightsRequest,
    answer_by,
    new_request,
    outcome_form,
    queue_order,
    request_form,
)
from chalicelib.runtime import Runtime
from chalicelib.services.audit import record_action
from chalicelib.services.calendar import work_calendar
from chalicelib.services.mail import mailer
from chalicelib.services.registration import LOOKUP_NOT_FOUND
from chalicelib.services.retention import Deletion, reason_of
from chalicelib.storage.helpdesk import Helpdesk
from chalicelib.storage.rights import RightsRequests

log = logging.getLogger("hr_exam.rights")

# How long one staff member's answer holds the request while its e-mail goes out: longer than
# any API function may run (.chalice/config.json), so a hold lapses only once its holder has
# stopped, and a crashed answer can be given again a minute later.
ANSWER_HOLD = dt.timedelta(seconds=60)


def _store(rt: Runtime) -> RightsRequests:
    return RightsRequests(rt.repo)


def file_request(rt: Runtime, body: Mapping[str, object], address: str | None) -> dict[str, Any]:
    """`POST /api/rights-requests`: after the lookup's own check, the request joins the staff queue."""
    now = clock.now()
    form = request_form(body, now.date())
    seen, arrivals = rt.limits.arrive("lookup", form.id_number, address, now)
    attempts.check(seen, now)
    attempts.check_burst(arrivals, now)
    registrations = rt.repo.registrations_of(form.id_number)
    if not any(hmac.compare_digest(r.contact.phone, form.phone) for r in registrations):
        attempts.check(rt.limits.record_failure("lookup", form.id_number, address, seen, now), now)
        raise NotFound(LOOKUP_NOT_FOUND)
    latest = max(registrations, key=lambda r: r.registered_at)
    calendar = work_calendar(rt)
    due = answer_by(now.date(), rt.settings.rights_answer_working_days, calendar.is_working_day)
    person = rt.repo.id_hash(form.id_number)
    request = new_request(
        secrets.token_hex(8), person, form, latest.contact.name, latest.contact.email, now, due
    )
    _store(rt).file(request)
    # The candidate files it, not staff: the trail still shows when it came in, without the person's details.
    try:
        record_action("考生", "candidate", "POST /api/rights-requests", _record(request), 201)
    except Unavailable:
        log.error("rights request filed but not recorded in the audit trail: kind=%s", request.kind)
    log.info("rights request filed: kind=%s", request.kind)
    return {"request": request.candidate_view()}


def _record(request: RightsRequest) -> dict[str, str]:
    return {"request": request.id, "kind": request.kind, "person": request.person}


def queue(rt: Runtime) -> dict[str, Any]:
    """`GET /api/admin/rights-requests`: open requests by answer date, then the answered ones."""
    today = clock.today()
    return {"requests": [r.staff_view(today) for r in queue_order(_store(rt).queue())]}


def answer(
    rt: Runtime, request_id: str, body: Mapping[str, object], staff: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Answer a request: e-mail the outcome (with the copy, for a copy done), then close it.

    A deletion is answered "done" only once the person's registrations are gone
    (the delete-person tool, or withdrawing them in the helpdesk)."""
    outcome = outcome_form(body)
    store = _store(rt)
    request = store.find(request_id)
    if request.status != "open":
        raise Conflict("该申请已答复。", code="rights_request_answered")
    # One conditional write decides who answers: only its winner e-mails the outcome.
    holder = secrets.token_hex(8)
    if not store.begin_answer(request, holder, clock.now(), ANSWER_HOLD):
        raise Conflict(BEING_ANSWERED, code="rights_request_answered")
    try:
        _send_outcome(rt, request, outcome)
    except Exception:
        store.release(request, holder)
        raise
    closed = store.close(request, outcome, staff, holder, clock.now())
    return {"request": closed.staff_view(clock.today())}, _record(closed)


def _send_outcome(rt: Runtime, request: RightsRequest, outcome: Outcome) -> None:
    held = Helpdesk(rt.repo).registrations(request.person)
    done = outcome.status == "done"
    if done and request.kind == "deletion" and held:
        raise Conflict(STILL_HELD, code="rights_request_still_held")
    copy = _copy(rt, held) if done and request.kind == "copy" else None
    mail = rights_outcome_mail(
        request.name,
        KINDS[request.kind],
        request.received_at,
        done,
        outcome.note,
        rt.settings.handler_name,
        copy,
    )
    try:
        mailer(rt).send_text([request.email], mail)
    except MailFailed as exc:
        raise Unavailable("答复邮件没有发送成功，申请仍为待办理。请稍后重试。") from exc


def _copy(rt: Runtime, held: list[Registration]) -> list[tuple[Period, Registration]]:
    entries = []
    for registration in held:
        period = rt.periods.find(registration.period_id)
        if period is not None:
            entries.append((period, registration))
    entries.sort(key=lambda entry: entry[0].exam_date, reverse=True)
    return entries


def delete_requester(rt: Runtime, request_id: str, body: Mapping[str, object]) -> Deletion:
    """The delete-person tool for the person who asked (the queue holds no full ID number):
    every item of their identity, with a reason, counted and audited like `delete_person`."""
    request = _store(rt).find(request_id)
    if request.kind not in ("deletion", "withdraw") or request.status != "open":
        raise Conflict(NOT_A_DELETION, code="rights_request_answered")
    reason = reason_of(body)
    deleted = rt.retention_store().delete_person(request.person)
    if deleted.total == 0:
        raise NotFound("没有找到该考生的任何个人信息（可能已经删除），请直接答复。", code="person_not_found")
    log.info("delete_person for rights request %s", deleted.public())
    return Deletion(request.id_number_masked, deleted, reason)
