"""Deleting personal data from the table: expired registrations, and one person on request.

Everything of one person lives under their `person#<hash>` key (the person
item and one registration per period, which carries the attempt), plus the
claims on their phones and e-mails and any e-mail still queued about them.

Deletes go in transactions whose conditions protect what a concurrent request
writes, so nothing is decided by the read that came before:

- the person item goes only if no registration touched it since it was read
  (`last_registered_at` as read: every registration sets it in its own
  transaction), so a person registering at that moment keeps their record and
  their claims, and the purge simply finds them again next time;
- a claim goes only while this person still owns it (staff may have released
  it to someone else);
- a period's registration count goes down only while it is above zero.

A refused transaction leaves everything as it was; a later run reads again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields

from chalicelib.domain.errors import Unavailable
from chalicelib.domain.identity import email_identity
from chalicelib.storage import keys
from chalicelib.storage.dynamo import Transaction, dynamodb_errors, run_transaction
from chalicelib.storage.models import (
    ClaimItem,
    OutboxItem,
    PeriodItem,
    PersonItem,
    RegistrationItem,
)
from chalicelib.storage.staff_models import AuditItem

log = logging.getLogger(__name__)

# DynamoDB's limit on the items of one transaction.
TRANSACTION_ITEMS = 100
PAGE_SIZE = 25
_REGISTRATION_ATTRIBUTES = ["pk", "sk", "period_id", "phone", "email"]

# (target_pk, target_sk) -> the sort keys of the outbox entries about that registration.
OutboxTargets = dict[tuple[str, str], list[str]]


@dataclass
class Counts:
    """What was deleted, by kind of item."""

    registrations: int = 0
    people: int = 0
    claims: int = 0
    outbox: int = 0
    audit: int = 0
    rights_requests: int = 0

    def add(self, other: Counts) -> None:
        for name in (f.name for f in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    def public(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class _Registration:
    sk: str
    period_id: str
    phone: str
    email: str


@dataclass
class _Unit:
    """The items that go with one registration: itself, its queued e-mails, its period's count."""

    registration: _Registration
    outbox: list[str] = field(default_factory=list)
    count_down: bool = True

    @property
    def size(self) -> int:
        return 1 + len(self.outbox) + (1 if self.count_down else 0)


class RetentionStore:
    def __init__(self, hash_identity: Callable[[str, str], str]) -> None:
        self._hash = hash_identity

    # Finding ---------------------------------------------------------------

    def people_registered_for(self, period_id: str) -> Iterator[str]:
        """The person keys of a period's registrations, page by page (the index, keys only).

        Each one the purge deletes leaves the index, so a run that stopped
        resumes by asking again: what is left is what was not done."""
        with dynamodb_errors():
            for item in RegistrationItem.by_period.query(
                keys.by_period_pk(period_id), limit=None, page_size=PAGE_SIZE, attributes_to_get=["pk", "sk"]
            ):
                yield item.pk

    def outbox_targets(self, target_pk: str | None = None) -> OutboxTargets:
        """Queued e-mails by the registration they are about (one Query of the outbox partition)."""
        condition = OutboxItem.target_pk == target_pk if target_pk else None
        found: OutboxTargets = {}
        with dynamodb_errors():
            for item in OutboxItem.query(
                keys.OUTBOX_PK,
                filter_condition=condition,
                attributes_to_get=["pk", "sk", "target_pk", "target_sk"],
                consistent_read=True,
            ):
                found.setdefault((item.target_pk, item.target_sk), []).append(item.sk)
        return found

    def _read(self, pk: str) -> tuple[list[_Registration], PersonItem | None]:
        with dynamodb_errors():
            registrations = [
                _Registration(item.sk, item.period_id, item.phone, item.email)
                for item in RegistrationItem.query(
                    pk,
                    RegistrationItem.sk.startswith(keys.REGISTRATION_SK_PREFIX),
                    consistent_read=True,
                    attributes_to_get=_REGISTRATION_ATTRIBUTES,
                )
            ]
            try:
                person: PersonItem | None = PersonItem.get(pk, keys.PERSON_SK, consistent_read=True)
            except PersonItem.DoesNotExist:
                person = None
        return registrations, person

    def _owned_claims(self, id_hash: str, registrations: list[_Registration]) -> list[str]:
        """The claim keys on this person's phones and e-mails that they still own."""
        wanted = sorted(
            {keys.claim_pk("phone", self._hash("phone", r.phone)) for r in registrations}
            | {keys.claim_pk("email", self._hash("email", email_identity(r.email))) for r in registrations}
        )
        owned = []
        with dynamodb_errors():
            for pk in wanted:
                try:
                    claim = ClaimItem.get(pk, keys.CLAIM_SK, consistent_read=True)
                except ClaimItem.DoesNotExist:
                    continue
                if claim.owner == id_hash:
                    owned.append(pk)
        return owned

    # Deleting --------------------------------------------------------------

    def purge_person(self, pk: str, expired_periods: set[str], outbox: OutboxTargets) -> Counts:
        """Delete the person's registrations of expired periods; and, when none of theirs
        remains, the person item and the claims they own."""
        registrations, person = self._read(pk)
        due = [r for r in registrations if r.period_id in expired_periods]
        if not due:
            return Counts()
        if len(due) < len(registrations):
            return self._delete_registrations(pk, due, outbox)
        counts, _ = self._delete_everything(pk, registrations, person, outbox)
        return counts

    def delete_person(self, id_hash: str, attempts: int = 3) -> Counts:
        """Delete every item of one person's identity (a request by the person, through staff).

        A registration of theirs written meanwhile refuses the final write;
        then everything is read and tried again."""
        pk = keys.person_pk(id_hash)
        counts = Counts()
        for _ in range(attempts):
            registrations, person = self._read(pk)
            outbox = self.outbox_targets(pk)
            done, complete = self._delete_everything(pk, registrations, person, outbox)
            counts.add(done)
            if complete:
                return counts
        raise Unavailable()

    def _units(self, pk: str, registrations: list[_Registration], outbox: OutboxTargets) -> list[_Unit]:
        return [_Unit(r, list(outbox.get((pk, r.sk), []))) for r in registrations]

    def _delete_registrations(self, pk: str, due: list[_Registration], outbox: OutboxTargets) -> Counts:
        counts = Counts()
        for batch in _batches(self._units(pk, due, outbox), room=TRANSACTION_ITEMS):
            counts.add(self._commit(pk, batch, final=None) or Counts())
        return counts

    def _delete_everything(
        self,
        pk: str,
        registrations: list[_Registration],
        person: PersonItem | None,
        outbox: OutboxTargets,
    ) -> tuple[Counts, bool]:
        """Delete it all; what went, and whether the last write (the person and claims) was applied."""
        id_hash = keys.person_hash(pk)
        claims = self._owned_claims(id_hash, registrations)
        final = _Final(person is not None, person.last_registered_at if person else None, claims)
        units = self._units(pk, registrations, outbox)
        # The person item and the claims go in the last transaction, after every registration.
        batches = _batches(units, room=TRANSACTION_ITEMS - final.size) or [[]]
        counts = Counts()
        for batch in batches[:-1]:
            counts.add(self._commit(pk, batch, final=None) or Counts())
        last = self._commit(pk, batches[-1], final=final)
        counts.add(last or Counts())
        return counts, last is not None

    def _commit(self, pk: str, units: list[_Unit], final: _Final | None) -> Counts | None:
        """One transaction, or None when a condition refused it. A period whose count
        cannot go down (periods older than the count have none) is left out of it."""
        while True:

            def build() -> Transaction:
                transaction = Transaction()
                for unit in units:
                    r = unit.registration
                    transaction.delete(f"reg:{r.sk}", RegistrationItem(pk, r.sk))
                    for n, sk in enumerate(unit.outbox):
                        transaction.delete(f"outbox:{r.sk}:{n}", OutboxItem(keys.OUTBOX_PK, sk))
                    if unit.count_down:
                        transaction.update(
                            f"period:{r.period_id}",
                            PeriodItem(keys.PERIOD_PK, keys.period_sk(r.period_id)),
                            actions=[PeriodItem.registrations.add(-1)],
                            condition=PeriodItem.pk.exists() & (PeriodItem.registrations > 0),
                        )
                if final is not None:
                    if final.person_seen:
                        seen = (
                            PersonItem.last_registered_at == final.last_registered_at
                            if final.last_registered_at is not None
                            else PersonItem.last_registered_at.does_not_exist()
                        )
                        transaction.delete(
                            "person", PersonItem(pk, keys.PERSON_SK), condition=PersonItem.pk.exists() & seen
                        )
                    else:
                        # No person item was read: one written meanwhile means a new registration.
                        transaction.check(
                            "person", PersonItem, pk, keys.PERSON_SK, PersonItem.pk.does_not_exist()
                        )
                    for claim in final.claims:
                        transaction.delete(
                            f"claim:{claim}",
                            ClaimItem(claim, keys.CLAIM_SK),
                            condition=ClaimItem.owner == keys.person_hash(pk),
                        )
                return transaction

            failed = run_transaction(build)
            if not failed:
                return _counted(units, final)
            uncountable = {label.removeprefix("period:") for label in failed if label.startswith("period:")}
            if uncountable and failed == {f"period:{p}" for p in uncountable}:
                for unit in units:
                    if unit.registration.period_id in uncountable:
                        unit.count_down = False
                continue
            # A concurrent registration or claim change: leave it all for a later run.
            log.info("deletion refused by %d condition(s); left for a later run", len(failed))
            return None

    # The audit trail -------------------------------------------------------

    def purge_audit_day(self, day: dt.date, limit: int) -> tuple[int, bool]:
        """Delete up to `limit` events of one day; how many, and whether the day is now empty."""
        deleted = 0
        with dynamodb_errors():
            found = list(AuditItem.query(keys.audit_pk(day), limit=limit + 1, attributes_to_get=["pk", "sk"]))
            with AuditItem.batch_write() as batch:
                for item in found[:limit]:
                    batch.delete(AuditItem(item.pk, item.sk))
                    deleted += 1
        return deleted, len(found) <= limit


@dataclass(frozen=True)
class _Final:
    person_seen: bool
    last_registered_at: str | None
    claims: list[str]

    @property
    def size(self) -> int:
        return 1 + len(self.claims)


def _batches(units: list[_Unit], room: int) -> list[list[_Unit]]:
    """Units packed in order into transactions of at most `room` items."""
    batches: list[list[_Unit]] = []
    current: list[_Unit] = []
    used = 0
    for unit in units:
        if current and used + unit.size > room:
            batches.append(current)
            current, used = [], 0
        current.append(unit)
        used += unit.size
    if current:
        batches.append(current)
    return batches


def _counted(units: list[_Unit], final: _Final | None) -> Counts:
    counts = Counts(registrations=len(units), outbox=sum(len(unit.outbox) for unit in units))
    if final is not None:
        counts.people = 1 if final.person_seen else 0
        counts.claims = len(final.claims)
    return counts
