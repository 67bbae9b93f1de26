"""The helpdesk: find a person across periods, correct their records, handle exam-day incidents.

Searching by ID number or phone is no way around the masking: the answer is
masked unless the caller's role sees full details and asks for them
(`full=1`), and such a view is audited like a write (the middleware records
it, with the people it showed). Every change needs a reason, which the audit
trail keeps beside who made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.domain import helpdesk
from chalicelib.domain.errors import Forbidden, RegistrationNotFound
from chalicelib.domain.periods import Period
from chalicelib.domain.registrations import Registration
from chalicelib.domain.staff import Role
from chalicelib.runtime import Runtime
from chalicelib.storage.helpdesk import Helpdesk

FULL_DETAILS_ROLE = Role.ADMIN
FULL_REFUSED = "只有管理员可以查看完整的身份证号、手机号和电子邮箱；请不勾选「显示完整信息」后重新查询。"


@dataclass(frozen=True)
class SearchAnswer:
    body: dict[str, Any]
    people: list[str]
    full: bool


def _store(rt: Runtime) -> Helpdesk:
    return Helpdesk(rt.repo)


def search(rt: Runtime, query: Mapping[str, str], role: Role) -> SearchAnswer:
    """The people one detail finds, each with their registrations across periods, newest first."""
    wanted = helpdesk.search_query(query, clock.today())
    full = helpdesk.wants_full(query)
    if full and role < FULL_DETAILS_ROLE:
        raise Forbidden(FULL_REFUSED)
    store = _store(rt)
    if wanted.kind == "id_number":
        people = [store.id_hash(wanted.value)]
    elif wanted.kind == "name":
        people = store.named(wanted.value)
    else:
        owner = store.owner(wanted.kind, wanted.value)
        people = [owner] if owner else []
    cards = [card for card in (_card(rt, store, ref, full) for ref in people) if card is not None]
    return SearchAnswer(body={"people": cards, "full": full}, people=[c["person"] for c in cards], full=full)


def _card(rt: Runtime, store: Helpdesk, ref: str, full: bool) -> dict[str, Any] | None:
    registrations = store.registrations(ref)
    if not registrations:
        return None
    now = clock.now()
    shown: list[dict[str, Any]] = []
    for registration in registrations:
        period = rt.periods.find(registration.period_id)
        if period is None:
            continue
        view = registration.staff_view(period, now, full=full)
        view["period"] = period.public()
        view["ends_at"] = clock.iso(registration.ends_at(period, clock.BEIJING))
        shown.append(view)
    if not shown:
        return None
    shown.sort(key=lambda view: view["period"]["exam_date"], reverse=True)
    latest = shown[0]
    return {
        "person": ref,
        "name": latest["name"],
        "id_number": latest["id_number"],
        "phone": latest["phone"],
        "email": latest["email"],
        "masked": not full,
        "registrations": shown,
    }


def _one(rt: Runtime, store: Helpdesk, ref: str, period_id: str) -> dict[str, Any]:
    """The registration as the helpdesk shows it after a change (masked: a write shows no more)."""
    period = rt.periods.get(period_id)
    for registration in store.registrations(ref):
        if registration.period_id == period.id:
            return _view(rt, registration)
    return {}


def _view(rt: Runtime, registration: Registration) -> dict[str, Any]:
    period = rt.periods.get(registration.period_id)
    view = registration.staff_view(period, clock.now(), full=False)
    view["period"] = period.public()
    view["ends_at"] = clock.iso(registration.ends_at(period, clock.BEIJING))
    return view


# Corrections and releases ----------------------------------------------------


def correct(rt: Runtime, person: str, period_id: str, body: Mapping[str, object]) -> dict[str, Any]:
    """Correct the registration's name, phone or e-mail (with a reason), claims moved in the same write."""
    ref = helpdesk.person_ref(person)
    helpdesk.reason(body)
    period = rt.periods.get(period_id)
    store = _store(rt)
    current = _registration(store, ref, period.id)
    contact = helpdesk.corrected_contact(current.contact, body)
    return _view(rt, store.correct(period, ref, contact, clock.now()))


def withdraw(rt: Runtime, person: str, period_id: str, body: Mapping[str, object]) -> None:
    """Withdraw a registration (with a reason); its claims are freed unless another registration uses them."""
    ref = helpdesk.person_ref(person)
    helpdesk.reason(body)
    period = rt.periods.get(period_id)
    _store(rt).withdraw(period, ref)


def release(rt: Runtime, person: str, field: str, body: Mapping[str, object]) -> dict[str, Any]:
    """Release the person's phone or e-mail claim, judged a squat: the real owner may register it."""
    ref = helpdesk.person_ref(person)
    kind = helpdesk.claim_kind(field)
    helpdesk.reason(body)
    registrations = _store(rt).release(ref, kind, clock.now())
    return {"registrations": [_view(rt, registration) for registration in registrations]}


def move(rt: Runtime, person: str, period_id: str, body: Mapping[str, object]) -> dict[str, Any]:
    """Move a registration to another period (with a reason)."""
    ref = helpdesk.person_ref(person)
    helpdesk.reason(body)
    source = rt.periods.get(period_id)
    target = rt.periods.get(helpdesk.target_period(body))
    if target.id == source.id:
        return _one(rt, _store(rt), ref, source.id)
    return _view(rt, _store(rt).move(source, target, ref, clock.now()))


# Exam-day incidents ----------------------------------------------------------


def extra_time(rt: Runtime, person: str, period_id: str, body: Mapping[str, object]) -> dict[str, Any]:
    """Give one candidate `minutes` more (added to what they have): their own end moves, the
    server accepts their answers until it plus the grace, and their page counts down to it."""
    ref = helpdesk.person_ref(person)
    added = helpdesk.minutes(body)
    helpdesk.reason(body)
    period = rt.periods.get(period_id)
    store = _store(rt)
    current = _registration(store, ref, period.id)
    total = min(current.extra_minutes + added, helpdesk.MINUTES_MAX)
    return _view(rt, store.set_extra_minutes(period, ref, total))


def late_entry(rt: Runtime, person: str, period_id: str, body: Mapping[str, object]) -> dict[str, Any]:
    """Let a candidate enter after the exam ended: their own end becomes `minutes` from now."""
    store, period, ref, extra = _minutes_from_now(rt, person, period_id, body)
    return _view(rt, store.set_extra_minutes(period, ref, extra))


def reopen(rt: Runtime, person: str, period_id: str, body: Mapping[str, object]) -> dict[str, Any]:
    """Reopen an attempt closed automatically by mistake, with `minutes` from now to finish."""
    store, period, ref, extra = _minutes_from_now(rt, person, period_id, body)
    return _view(rt, store.reopen(period, ref, extra))


def _minutes_from_now(
    rt: Runtime, person: str, period_id: str, body: Mapping[str, object]
) -> tuple[Helpdesk, Period, str, int]:
    """The extra minutes that end this candidate's exam `minutes` from now (never fewer than
    already granted), with what the write needs; the body's reason is required."""
    ref = helpdesk.person_ref(person)
    wanted = helpdesk.minutes(body)
    helpdesk.reason(body)
    period = rt.periods.get(period_id)
    store = _store(rt)
    current = _registration(store, ref, period.id)
    extra = helpdesk.minutes_until(period.exam_ends_at(clock.BEIJING), clock.now(), wanted)
    return store, period, ref, max(current.extra_minutes, extra)


def void(rt: Runtime, person: str, period_id: str, body: Mapping[str, object], staff: str) -> dict[str, Any]:
    """Void the attempt (kept with the reason, never exported) so the real person can sit the exam."""
    ref = helpdesk.person_ref(person)
    why = helpdesk.reason(body)
    period = rt.periods.get(period_id)
    return _view(rt, _store(rt).void(period, ref, why, staff, clock.now()))


def _registration(store: Helpdesk, ref: str, period_id: str) -> Registration:
    for registration in store.registrations(ref):
        if registration.period_id == period_id:
            return registration
    raise RegistrationNotFound()
