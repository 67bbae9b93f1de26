"""Table items ↔ domain values: every conversion between the two, and the outbox entry factories.

Stores read and write through these, so an attribute's name and format are
decided in one place.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain.identity import Contact, name_key
from chalicelib.domain.periods import Period
from chalicelib.domain.privacy import Consent
from chalicelib.domain.registrations import Change, ExamResult, Registration, SentMail, VoidedAttempt
from chalicelib.storage import keys
from chalicelib.storage.models import OutboxItem, PeriodItem, RegistrationItem

if TYPE_CHECKING:
    # The export's rules are imported by the one conversion the export's store makes: every
    # cold start imports this module, and no request but the export reads a passer.
    from chalicelib.domain.export import Passer

OutboxKind = Literal["confirmation", "result", "reminder", "details_changed"]


def period_item(period: Period, created_at: dt.datetime) -> PeriodItem:
    return PeriodItem(
        keys.PERIOD_PK,
        keys.period_sk(period.id),
        name=period.name,
        exam_date=period.exam_date.isoformat(),
        exam_start=period.exam_start.strftime("%H:%M"),
        exam_end=period.exam_end.strftime("%H:%M"),
        registration_opens=period.registration_opens.isoformat(),
        registration_closes=period.registration_closes.isoformat(),
        notes=period.notes,
        paper_key=period.paper_key,
        created_at=clock.iso(created_at),
    )


def period_from_item(item: PeriodItem) -> Period:
    return Period(
        id=item.sk,
        name=item.name,
        exam_date=dt.date.fromisoformat(item.exam_date),
        exam_start=dt.time.fromisoformat(item.exam_start),
        exam_end=dt.time.fromisoformat(item.exam_end),
        registration_opens=dt.date.fromisoformat(item.registration_opens),
        registration_closes=dt.date.fromisoformat(item.registration_closes),
        notes=item.notes or "",
        paper_key=item.paper_key,
    )


def outbox_entry(kind: OutboxKind, target_pk: str, target_sk: str, period_id: str, stamp: str) -> OutboxItem:
    """The outbox entry that has the schedule send the e-mail of `kind` about one registration."""
    return OutboxItem.from_raw_data(outbox_attributes(kind, target_pk, target_sk, period_id, stamp))


def outbox_attributes(
    kind: OutboxKind, target_pk: str, target_sk: str, period_id: str, stamp: str
) -> dict[str, dict[str, str]]:
    """`outbox_entry` as stored, for a request built without the model (`dynamo.Requests`)."""
    return {
        "pk": {"S": keys.OUTBOX_PK},
        "sk": {"S": keys.outbox_sk(stamp, kind, keys.person_hash(target_pk), period_id)},
        "attempts": {"N": "0"},
        "created_at": {"S": stamp},
        "kind": {"S": kind},
        "target_pk": {"S": target_pk},
        "target_sk": {"S": target_sk},
    }


def mail_due_removed() -> list[Action]:
    """The registration carries no e-mail any more (sent, dropped, or its result removed)."""
    return [
        RegistrationItem.gsi4pk.remove(),
        RegistrationItem.gsi4sk.remove(),
        RegistrationItem.mail_lease_until.remove(),
        RegistrationItem.mail_attempts.remove(),
    ]


def registration_item(
    period: Period,
    contact: Contact,
    id_hash: str,
    now: dt.datetime,
    consent_version: str,
    name_hash: str | None = None,
    consents: tuple[Consent, ...] = (),
) -> RegistrationItem:
    return RegistrationItem.from_raw_data(
        registration_attributes(period, contact, id_hash, now, consent_version, name_hash, consents)
    )


def registration_attributes(
    period: Period,
    contact: Contact,
    id_hash: str,
    now: dt.datetime,
    consent_version: str,
    name_hash: str | None = None,
    consents: tuple[Consent, ...] = (),
) -> dict[str, dict[str, Any]]:
    """A new registration as stored: what `registration_item` is, written without the model
    (registration sends it in a transaction it builds itself, `dynamo.Requests`)."""
    stamp = clock.iso(now)
    stored: dict[str, dict[str, Any]] = {
        "pk": {"S": keys.person_pk(id_hash)},
        "sk": {"S": keys.registration_sk(period.id)},
        "period_id": {"S": period.id},
        "name": {"S": contact.name},
        "name_key": {"S": name_key(contact.name)},
        "id_number": {"S": contact.id_number},
        "phone": {"S": contact.phone},
        "email": {"S": contact.email},
        "registered_at": {"S": stamp},
        "consent_version": {"S": consent_version},
        "consented_at": {"S": stamp},
        "gsi1pk": {"S": keys.by_period_pk(period.id)},
        "gsi1sk": {"S": keys.by_period_sk(stamp, id_hash)},
    }
    if consents:
        stored["consents"] = {
            "L": [
                {"M": {name: {"S": value} for name, value in entry.items()}}
                for entry in consents_item(consents)
            ]
        }
    if name_hash:
        stored["gsi3pk"] = {"S": keys.by_name_pk(name_hash)}
        stored["gsi3sk"] = {"S": keys.by_name_sk(period.id, id_hash)}
    return stored


def _result(item: RegistrationItem) -> ExamResult | None:
    if item.submitted_at is None or item.score is None:
        return None
    return ExamResult(
        score=int(item.score),
        pass_mark=int(item.pass_mark or 0),
        passed=bool(item.passed),
        submitted_at=clock.parse_iso(item.submitted_at),
        correct=tuple(item.correct or ()),
    )


def registration_from_item(item: RegistrationItem) -> Registration:
    # The model's map, or the plain dict an attempt read without the model gives.
    answers = _plain(item.answers) if item.answers is not None else {}
    return Registration(
        period_id=item.period_id,
        contact=Contact(name=item.name, id_number=item.id_number, phone=item.phone, email=item.email),
        registered_at=clock.parse_iso(item.registered_at),
        started_at=clock.parse_iso(item.started_at) if item.started_at else None,
        answers={qid: list(chosen) for qid, chosen in answers.items()},
        seed=item.seed,
        result=_result(item),
        exported_at=clock.parse_iso(item.exported_at) if item.exported_at else None,
        auto_submitted=bool(item.auto_submitted),
        changes=tuple(_change(entry) for entry in item.changes or ()),
        saves=int(item.saves or 0),
        extra_minutes=int(item.extra_minutes or 0),
        mails=tuple(_sent_mail(entry) for entry in item.mails or ()),
        voided=tuple(_voided(entry) for entry in item.voided or ()),
        entered_on=dt.date.fromisoformat(item.entered_on) if item.entered_on else None,
        consents=tuple(_consent(entry) for entry in item.consents or ()),
    )


def consents_item(consents: tuple[Consent, ...]) -> list[dict[str, str]]:
    return [{"purpose": c.purpose, "version": c.version, "at": clock.iso(c.at)} for c in consents]


def _consent(stored: Any) -> Consent:
    entry = _plain(stored)
    purpose = str(entry["purpose"])
    assert purpose in ("processing", "city_system", "cross_border"), purpose
    return Consent(purpose, str(entry["version"]), clock.parse_iso(str(entry["at"])))  # type: ignore[arg-type]


def _plain(stored: Any) -> dict[str, Any]:
    return stored.as_dict() if hasattr(stored, "as_dict") else dict(stored)


def _sent_mail(stored: Any) -> SentMail:
    entry = _plain(stored)
    return SentMail(kind=str(entry["kind"]), at=clock.parse_iso(str(entry["at"])))


def voided_item(attempt: VoidedAttempt) -> dict[str, Any]:
    return {
        "at": clock.iso(attempt.at),
        "reason": attempt.reason,
        "staff": attempt.staff,
        "score": attempt.score,
        "submitted_at": clock.iso(attempt.submitted_at) if attempt.submitted_at else None,
    }


def _voided(stored: Any) -> VoidedAttempt:
    entry = _plain(stored)
    score = entry.get("score")
    submitted = entry.get("submitted_at")
    return VoidedAttempt(
        at=clock.parse_iso(str(entry["at"])),
        reason=str(entry.get("reason") or ""),
        staff=str(entry.get("staff") or ""),
        score=int(score) if score is not None else None,
        submitted_at=clock.parse_iso(str(submitted)) if submitted else None,
    )


def change_item(change: Change) -> dict[str, str]:
    return {"at": clock.iso(change.at), "field": change.field, "old": change.old, "new": change.new}


def _change(stored: Any) -> Change:
    entry = stored.as_dict() if hasattr(stored, "as_dict") else dict(stored)
    return Change(
        at=clock.parse_iso(str(entry["at"])),
        field=str(entry["field"]),
        old=str(entry["old"]),
        new=str(entry["new"]),
    )


def passer_from_item(item: RegistrationItem) -> Passer:
    from chalicelib.domain.export import Passer

    assert item.submitted_at is not None, "the index only holds passers"
    return Passer(
        name=item.name,
        id_number=item.id_number,
        phone=item.phone,
        email=item.email,
        score=int(item.score or 0),
        submitted_at=clock.parse_iso(item.submitted_at),
    )
