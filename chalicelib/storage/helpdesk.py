"""The helpdesk's reads and writes: finding a person, correcting and releasing, exam-day incidents.

Finding a person costs a GetItem (a phone or e-mail claim names its owner)
or a Query (the person's own partition, or the name index); never a Scan.

Every change is one transaction with the claims it touches, never a read
followed by an unconditional write. What the change was decided from (the
registration's details, whether the person registered again since) is
repeated as conditions in that transaction, so a registration, a submission
or another staff member racing it makes one of the two fail, never both win.
"""

from __future__ import annotations

import datetime as dt

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain.errors import (
    AttemptNotReopenable,
    ClaimNotHeld,
    Conflict,
    Duplicate,
    NoAttempt,
    RegistrationHasResult,
    RegistrationNotFound,
)
from chalicelib.domain.identity import Contact, name_key
from chalicelib.domain.messages import DUPLICATE_MESSAGES
from chalicelib.domain.periods import Period
from chalicelib.domain.registrations import Change, Registration, VoidedAttempt
from chalicelib.storage import keys
from chalicelib.storage.dynamo import Transaction, dynamodb_errors
from chalicelib.storage.items import (
    change_item,
    consents_item,
    mail_due_removed,
    outbox_entry,
    registration_from_item,
    voided_item,
)
from chalicelib.storage.models import ClaimItem, PeriodItem, PersonItem, RegistrationItem
from chalicelib.storage.repository import Repository

CHANGED_MEANWHILE = "该记录刚刚被其他操作修改（考生交卷、重新报名或其他工作人员的操作），请刷新后重试。"


class Helpdesk:
    def __init__(self, repo: Repository) -> None:
        self._repo = repo

    # Finding people ------------------------------------------------------

    def id_hash(self, id_number: str) -> str:
        return self._repo.id_hash(id_number)

    def owner(self, field: keys.ClaimField, value: str) -> str | None:
        """Whoever holds the claim on a phone or e-mail (one consistent GetItem)."""
        with dynamodb_errors():
            try:
                pk = keys.claim_pk(field, self._repo.claim_hash(field, value))
                claim = ClaimItem.get(pk, keys.CLAIM_SK, consistent_read=True)
            except ClaimItem.DoesNotExist:
                return None
        return claim.owner

    def named(self, name: str) -> list[str]:
        """The people with a registration under this name, as entry compares names (one Query)."""
        found: list[str] = []
        with dynamodb_errors():
            for item in RegistrationItem.by_name.query(
                keys.by_name_pk(self._repo.name_hash(name)), attributes_to_get=["pk", "sk"]
            ):
                id_hash = keys.person_hash(item.pk)
                if id_hash not in found:
                    found.append(id_hash)
        return found

    def registrations(self, id_hash: str) -> list[Registration]:
        """Every registration of one person, across periods (one consistent Query)."""
        with dynamodb_errors():
            items = list(
                RegistrationItem.query(
                    keys.person_pk(id_hash),
                    RegistrationItem.sk.startswith(keys.REGISTRATION_SK_PREFIX),
                    consistent_read=True,
                )
            )
        return [registration_from_item(item) for item in items]

    def _person_seen(self, id_hash: str) -> Condition:
        """The person as read now: no registration of theirs is added (or passed) before the write."""
        with dynamodb_errors():
            try:
                person = PersonItem.get(keys.person_pk(id_hash), keys.PERSON_SK, consistent_read=True)
            except PersonItem.DoesNotExist:
                return PersonItem.pk.does_not_exist()
        seen = person.last_registered_at
        if seen is None:
            return PersonItem.last_registered_at.does_not_exist()
        return PersonItem.last_registered_at == seen

    @staticmethod
    def _marked_passed_by(id_hash: str, period_id: str) -> bool:
        """Whether the person record carries this period's pass (one consistent GetItem).

        Only passes stored before the mark moved to the attempt do: a submission
        now marks the attempt alone, and removing its result undoes the pass."""
        with dynamodb_errors():
            try:
                person = PersonItem.get(
                    keys.person_pk(id_hash),
                    keys.PERSON_SK,
                    consistent_read=True,
                    attributes_to_get=["pk", "sk", "passed_period_id"],
                )
            except PersonItem.DoesNotExist:
                return False
        return person.passed_period_id == period_id

    def _registration(self, id_hash: str, period_id: str) -> Registration:
        for registration in self.registrations(id_hash):
            if registration.period_id == period_id:
                return registration
        raise RegistrationNotFound()

    # Corrections and releases --------------------------------------------

    def correct(self, period: Period, id_hash: str, contact: Contact, now: dt.datetime) -> Registration:
        """Correct a registration's name, phone or e-mail, moving its claims in the same transaction.

        A claim on the old value is given up only when no other registration of
        the person still uses it; the person's record is checked unchanged, so a
        registration of theirs arriving meanwhile cannot lose its claim.
        """
        current = self._registration(id_hash, period.id)
        others = [r for r in self.registrations(id_hash) if r.period_id != period.id]
        person = self._person_seen(id_hash)
        stamp = clock.iso(now)
        changes = [
            Change(at=now, field=field, old=before, new=after)
            for field, before, after in (
                ("name", current.contact.name, contact.name),
                ("phone", current.contact.phone, contact.phone),
                ("email", current.contact.email, contact.email),
            )
            if before != after
        ]
        if not changes:
            return current
        item = RegistrationItem(keys.person_pk(id_hash), keys.registration_sk(period.id))
        actions: list[Action] = [
            RegistrationItem.name.set(contact.name),
            RegistrationItem.name_key.set(name_key(contact.name)),
            RegistrationItem.phone.set(contact.phone),
            RegistrationItem.email.set(contact.email),
            RegistrationItem.gsi3pk.set(keys.by_name_pk(self._repo.name_hash(contact.name))),
            RegistrationItem.gsi3sk.set(keys.by_name_sk(period.id, id_hash)),
            RegistrationItem.changes.set(
                (RegistrationItem.changes | []).append([change_item(change) for change in changes])
            ),
        ]
        moves = self._repo.claim_moves(current.contact, contact)
        # An old value another registration of the person still uses keeps its claim; one
        # released as a squat (and perhaps taken by someone else since) is not ours to free.
        freed = {
            field
            for field, _, _ in moves
            if not any(_value(other.contact, field) == _value(current.contact, field) for other in others)
            and self.owner(field, _value(current.contact, field)) == id_hash
        }

        def build() -> Transaction:
            transaction = Transaction()
            transaction.update("registration", item, actions=actions, condition=_unchanged(current))
            transaction.check("person", PersonItem, keys.person_pk(id_hash), keys.PERSON_SK, person)
            for field, old, new in moves:
                if field in freed:
                    transaction.delete(
                        f"old_{field}",
                        ClaimItem(keys.claim_pk(field, old), keys.CLAIM_SK),
                        condition=ClaimItem.owner == id_hash,
                    )
                Repository.claim(transaction, field, new, id_hash, stamp)
            return transaction

        failed = self._repo.run(build)
        _refuse(failed)
        return self._registration(id_hash, period.id)

    def withdraw(self, period: Period, id_hash: str) -> None:
        """Delete a registration without a result; its claims go when no other registration uses them."""
        current = self._registration(id_hash, period.id)
        if current.result is not None:
            raise RegistrationHasResult()
        others = [r for r in self.registrations(id_hash) if r.period_id != period.id]
        person = self._person_seen(id_hash)
        freed: list[keys.ClaimField] = [
            field
            for field in ("phone", "email")
            if not any(_value(other.contact, field) == _value(current.contact, field) for other in others)
            and self.owner(field, _value(current.contact, field)) == id_hash
        ]

        def build() -> Transaction:
            transaction = Transaction()
            _delete_unscored(transaction, id_hash, period.id, current)
            transaction.check("person", PersonItem, keys.person_pk(id_hash), keys.PERSON_SK, person)
            _count(transaction, "period", period.id, -1)
            for field in freed:
                value = _value(current.contact, field)
                transaction.delete(
                    f"old_{field}",
                    ClaimItem(keys.claim_pk(field, self._repo.claim_hash(field, value)), keys.CLAIM_SK),
                    condition=ClaimItem.owner == id_hash,
                )
            return transaction

        _refuse(self._repo.run(build))

    def release(self, id_hash: str, field: keys.ClaimField, now: dt.datetime) -> list[Registration]:
        """Give up the person's claim on their phone or e-mail (a squat): someone else may register it.

        Each registration that used the value records the release in its history."""
        registrations = self.registrations(id_hash)
        values = sorted({_value(r.contact, field) for r in registrations})
        if not values:
            raise RegistrationNotFound()

        def build() -> Transaction:
            transaction = Transaction()
            for n, value in enumerate(values):
                transaction.delete(
                    f"claim_{n}",
                    ClaimItem(keys.claim_pk(field, self._repo.claim_hash(field, value)), keys.CLAIM_SK),
                    condition=ClaimItem.owner == id_hash,
                )
            for registration in registrations:
                released = Change(at=now, field=field, old=_value(registration.contact, field), new="")
                transaction.update(
                    f"registration_{registration.period_id}",
                    RegistrationItem(keys.person_pk(id_hash), keys.registration_sk(registration.period_id)),
                    actions=[
                        RegistrationItem.changes.set(
                            (RegistrationItem.changes | []).append([change_item(released)])
                        )
                    ],
                    condition=_unchanged(registration),
                )
            return transaction

        failed = self._repo.run(build)
        if any(label.startswith("claim_") for label in failed):
            raise ClaimNotHeld()
        _refuse(failed)
        return self.registrations(id_hash)

    def move(self, source: Period, target: Period, id_hash: str, now: dt.datetime) -> Registration:
        """Move a registration without a result to another period, in one transaction.

        The person keeps their claims; the target period must not hold a
        registration of theirs already (`duplicate`, field `id_number`)."""
        current = self._registration(id_hash, source.id)
        if current.result is not None:
            raise RegistrationHasResult()
        stamp = clock.iso(now)
        moved = Change(at=now, field="period", old=source.id, new=target.id)
        history = [change_item(change) for change in (*current.changes, moved)]
        new = RegistrationItem(
            keys.person_pk(id_hash),
            keys.registration_sk(target.id),
            period_id=target.id,
            name=current.contact.name,
            name_key=name_key(current.contact.name),
            id_number=current.contact.id_number,
            phone=current.contact.phone,
            email=current.contact.email,
            registered_at=clock.iso(current.registered_at),
            consent_version=self._consent(id_hash, source.id),
            consented_at=clock.iso(current.registered_at),
            consents=consents_item(current.consents) if current.consents else None,
            gsi1pk=keys.by_period_pk(target.id),
            gsi1sk=keys.by_period_sk(stamp, id_hash),
            gsi3pk=keys.by_name_pk(self._repo.name_hash(current.contact.name)),
            gsi3sk=keys.by_name_sk(target.id, id_hash),
            changes=history,
        )

        def build() -> Transaction:
            transaction = Transaction()
            _delete_unscored(transaction, id_hash, source.id, current)
            transaction.put("id_number", new, condition=RegistrationItem.pk.does_not_exist())
            _count(transaction, "period", source.id, -1)
            _count(transaction, "target", target.id, +1)
            transaction.put("outbox", outbox_entry("confirmation", new.pk, new.sk, target.id, stamp))
            return transaction

        failed = self._repo.run(build)
        if "id_number" in failed:
            raise Duplicate(DUPLICATE_MESSAGES["id_number"], field="id_number")
        _refuse(failed)
        return self._registration(id_hash, target.id)

    @staticmethod
    def _consent(id_hash: str, period_id: str) -> str:
        with dynamodb_errors():
            try:
                item = RegistrationItem.get(
                    keys.person_pk(id_hash),
                    keys.registration_sk(period_id),
                    consistent_read=True,
                    attributes_to_get=["consent_version"],
                )
            except RegistrationItem.DoesNotExist as exc:
                raise RegistrationNotFound() from exc
        return item.consent_version

    # Exam-day incidents --------------------------------------------------

    def set_extra_minutes(self, period: Period, id_hash: str, extra: int) -> Registration:
        """This candidate's own end becomes the period's plus `extra` minutes (until submission)."""
        current = self._registration(id_hash, period.id)
        if current.result is not None:
            raise RegistrationHasResult()

        def build() -> Transaction:
            transaction = Transaction()
            transaction.update(
                "registration",
                RegistrationItem(keys.person_pk(id_hash), keys.registration_sk(period.id)),
                actions=[RegistrationItem.extra_minutes.set(extra)],
                condition=RegistrationItem.pk.exists() & RegistrationItem.submitted_at.does_not_exist(),
            )
            return transaction

        if self._repo.run(build):
            raise RegistrationHasResult()
        return self._registration(id_hash, period.id)

    def reopen(self, period: Period, id_hash: str, extra: int) -> Registration:
        """Undo an automatic submission (自动交卷) made by mistake: the result goes, the answers stay,
        and the candidate's own end moves so they can go on. Refused once exported."""
        current = self._registration(id_hash, period.id)
        if current.result is None or not current.auto_submitted or current.exported_at is not None:
            raise AttemptNotReopenable()
        condition = (
            (RegistrationItem.auto_submitted == True)  # noqa: E712 (a DynamoDB condition, not a test)
            & RegistrationItem.exported_at.does_not_exist()
            & (RegistrationItem.submitted_at == clock.iso(current.result.submitted_at))
        )
        actions = [*_result_removed(), RegistrationItem.extra_minutes.set(extra)]
        legacy_pass = current.result.passed and self._marked_passed_by(id_hash, period.id)

        def build() -> Transaction:
            transaction = Transaction()
            transaction.update(
                "registration",
                RegistrationItem(keys.person_pk(id_hash), keys.registration_sk(period.id)),
                actions=actions,
                condition=condition,
            )
            if legacy_pass:
                _unpass(transaction, id_hash, period.id)
            return transaction

        if self._repo.run(build):
            raise AttemptNotReopenable()
        return self._registration(id_hash, period.id)

    def void(self, period: Period, id_hash: str, reason: str, staff: str, now: dt.datetime) -> Registration:
        """Void the attempt (sat by the wrong person, say): its answers and result go, a record of it
        with the reason stays, it leaves the passers (never exported again), and the registration
        can be sat anew."""
        current = self._registration(id_hash, period.id)
        if current.started_at is None:
            raise NoAttempt()
        result = current.result
        record = VoidedAttempt(
            at=now,
            reason=reason,
            staff=staff,
            score=result.score if result else None,
            submitted_at=result.submitted_at if result else None,
        )
        seen = (
            RegistrationItem.submitted_at == clock.iso(result.submitted_at)
            if result
            else RegistrationItem.submitted_at.does_not_exist()
        )
        legacy_pass = result is not None and result.passed and self._marked_passed_by(id_hash, period.id)
        actions: list[Action] = [
            *_result_removed(),
            RegistrationItem.started_at.remove(),
            RegistrationItem.seed.remove(),
            RegistrationItem.answers.remove(),
            RegistrationItem.answers_saved_at.remove(),
            RegistrationItem.paper_key.remove(),
            RegistrationItem.exported_at.remove(),
            RegistrationItem.voided.set((RegistrationItem.voided | []).append([voided_item(record)])),
        ]

        def build() -> Transaction:
            transaction = Transaction()
            transaction.update(
                "registration",
                RegistrationItem(keys.person_pk(id_hash), keys.registration_sk(period.id)),
                actions=actions,
                condition=RegistrationItem.started_at.exists() & seen,
            )
            if legacy_pass:
                _unpass(transaction, id_hash, period.id)
            return transaction

        _refuse(self._repo.run(build))
        return self._registration(id_hash, period.id)


def _value(contact: Contact, field: str) -> str:
    return contact.phone if field == "phone" else contact.email


def _unchanged(registration: Registration) -> Condition:
    """The registration still holds the details the change was decided from."""
    contact = registration.contact
    condition: Condition = (
        RegistrationItem.pk.exists()
        & (RegistrationItem.name == contact.name)
        & (RegistrationItem.phone == contact.phone)
        & (RegistrationItem.email == contact.email)
    )
    return condition


def _count(transaction: Transaction, label: str, period_id: str, delta: int) -> None:
    """Keep the period's registration counter (what lets a delete or a date change be refused)."""
    transaction.update(
        label,
        PeriodItem(keys.PERIOD_PK, keys.period_sk(period_id)),
        actions=[PeriodItem.registrations.set((PeriodItem.registrations | max(0, -delta)) + delta)],
        condition=PeriodItem.pk.exists(),
    )


def _result_removed() -> list[Action]:
    return [
        RegistrationItem.submitted_at.remove(),
        RegistrationItem.score.remove(),
        RegistrationItem.pass_mark.remove(),
        RegistrationItem.passed.remove(),
        RegistrationItem.correct.remove(),
        RegistrationItem.auto_submitted.remove(),
        RegistrationItem.gsi2pk.remove(),
        RegistrationItem.gsi2sk.remove(),
        # The result e-mail not sent yet goes with the result: there is none to tell.
        *mail_due_removed(),
    ]


def _unpass(transaction: Transaction, id_hash: str, period_id: str) -> None:
    """The person record says they passed with this attempt (a pass stored before the mark
    moved to the attempt): that is undone with it."""
    transaction.update(
        "person",
        PersonItem(keys.person_pk(id_hash), keys.PERSON_SK),
        actions=[PersonItem.passed_at.remove(), PersonItem.passed_period_id.remove()],
        condition=PersonItem.passed_period_id == period_id,
    )


def _refuse(failed: set[str]) -> None:
    for field in ("phone", "email"):
        if field in failed:
            raise Duplicate(DUPLICATE_MESSAGES[field], field=field)
    if "target" in failed:
        raise RegistrationNotFound("没有找到要调入的期次。")
    if failed:
        raise Conflict(CHANGED_MEANWHILE, code="changed_meanwhile")
    return None


def _delete_unscored(transaction: Transaction, id_hash: str, period_id: str, current: Registration) -> None:
    """Delete a registration (withdrawn or moved) only as it was read and while it has no result."""
    transaction.delete(
        "registration",
        RegistrationItem(keys.person_pk(id_hash), keys.registration_sk(period_id)),
        condition=_unchanged(current) & RegistrationItem.submitted_at.does_not_exist(),
    )
