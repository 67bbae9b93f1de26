"""The DynamoDB repository: every read and write of the table, named for what it means.

Uniqueness is decided by the writes themselves, never by reading first: a
registration, the claims on its phone and e-mail, and the person's "not yet
passed" check go in one `TransactWriteItems`, and the cancellation reasons,
which come back one per item in request order, say which field collided.
The toolkit (error mapping, conditional writes, the retrying transaction
runner) is `dynamo.py`; item conversions are `items.py`.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NoReturn, cast

from pynamodb.attributes import MapAttribute

from chalicelib import clock
from chalicelib.domain.errors import (
    AlreadyPassed,
    AlreadySubmitted,
    AttemptVoided,
    Conflict,
    Duplicate,
    Invalid,
    NotFound,
    NotRegistered,
    PeriodChanged,
    PeriodHasRegistrations,
    SavedAnswersChanged,
    Unavailable,
)
from chalicelib.domain.identity import Contact, email_identity, name_key
from chalicelib.domain.messages import DUPLICATE_MESSAGES
from chalicelib.domain.periods import Period
from chalicelib.domain.privacy import Consent
from chalicelib.domain.registrations import Change, ExamResult, Registration, changes_between
from chalicelib.storage import keys
from chalicelib.storage.dynamo import (
    Requests,
    Transaction,
    applied,
    dynamodb_errors,
    query_items,
    request,
    run_transaction,
)
from chalicelib.storage.items import (
    change_item,
    outbox_attributes,
    period_from_item,
    period_item,
    registration_attributes,
    registration_from_item,
)
from chalicelib.storage.models import ClaimItem, PeriodItem, PersonItem, RegistrationItem
from chalicelib.values import value_class

log = logging.getLogger(__name__)


@value_class
class Page:
    """One page of a period's registrations, and the cursor of the next (None: the last)."""

    items: list[Registration]
    cursor: str | None

    def __init__(self, items: list[Registration], cursor: str | None) -> None:
        self.__dict__.update(items=items, cursor=cursor)


class Repository:
    def __init__(
        self, hash_identity: Callable[[str, str], str], sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._hash = hash_identity
        self._sleep = sleep

    # Keyed hashes ----------------------------------------------------------

    def id_hash(self, id_number: str) -> str:
        return self._hash("id", id_number)

    def name_hash(self, name: str) -> str:
        """The keyed hash of a name as exam entry compares it: the helpdesk's name index."""
        return self._hash("name", name_key(name))

    def claim_hash(self, field: keys.ClaimField, value: str) -> str:
        return self._phone_hash(value) if field == "phone" else self._email_hash(value)

    def _phone_hash(self, phone: str) -> str:
        return self._hash("phone", phone)

    def _email_hash(self, email: str) -> str:
        return self._hash("email", email_identity(email))

    def _run(self, build: Callable[[], Transaction | Requests]) -> set[str]:
        """Commit a transaction, retrying on conflicts; the labels whose condition failed."""
        return run_transaction(build, self._sleep)

    # Periods ---------------------------------------------------------------

    def list_periods(self) -> list[Period]:
        with dynamodb_errors():
            items = list(PeriodItem.query(keys.PERIOD_PK, consistent_read=True))
        return sorted((period_from_item(item) for item in items), key=lambda p: p.exam_date)

    def create_period(self, period: Period, created_at: dt.datetime) -> None:
        """Store a period; its exam date is claimed in the same write, so two staff
        members creating the same date at once cannot both succeed."""

        def build() -> Transaction:
            transaction = Transaction()
            transaction.put(
                "exam_date",
                ClaimItem(
                    keys.exam_date_claim_pk(period.exam_date),
                    keys.CLAIM_SK,
                    owner=period.id,
                    claimed_at=clock.iso(created_at),
                ),
                condition=ClaimItem.pk.does_not_exist(),
            )
            transaction.put(
                "period", period_item(period, created_at), condition=PeriodItem.pk.does_not_exist()
            )
            return transaction

        failed = self._run(build)
        if "exam_date" in failed:
            raise _exam_date_taken(period.exam_date)
        if failed:
            raise Unavailable()

    def update_period(self, old: Period, new: Period) -> None:
        """Replace a period's fields. A new exam date moves its claim in the same
        write, and is refused unless the period has no registration (the counter
        each registration increments, plus the index for periods older than it)."""
        if new.exam_date != old.exam_date and self._has_registrations(old.id):
            raise PeriodHasRegistrations()
        item = PeriodItem(keys.PERIOD_PK, keys.period_sk(old.id))
        actions = [
            PeriodItem.name.set(new.name),
            PeriodItem.exam_date.set(new.exam_date.isoformat()),
            PeriodItem.exam_start.set(new.exam_start.strftime("%H:%M")),
            PeriodItem.exam_end.set(new.exam_end.strftime("%H:%M")),
            PeriodItem.registration_opens.set(new.registration_opens.isoformat()),
            PeriodItem.registration_closes.set(new.registration_closes.isoformat()),
            PeriodItem.notes.set(new.notes),
        ]
        condition = PeriodItem.pk.exists() & (PeriodItem.exam_date == old.exam_date.isoformat())
        if new.exam_date != old.exam_date:
            condition = condition & _NO_REGISTRATIONS

        def build() -> Transaction:
            transaction = Transaction()
            if new.exam_date != old.exam_date:
                transaction.put(
                    "exam_date",
                    ClaimItem(
                        keys.exam_date_claim_pk(new.exam_date),
                        keys.CLAIM_SK,
                        owner=old.id,
                        claimed_at=clock.iso(clock.now()),
                    ),
                    condition=ClaimItem.pk.does_not_exist(),
                )
                transaction.delete(
                    "old_claim",
                    ClaimItem(keys.exam_date_claim_pk(old.exam_date), keys.CLAIM_SK),
                    condition=ClaimItem.owner == old.id,
                )
            transaction.update("period", item, actions=actions, condition=condition)
            return transaction

        failed = self._run(build)
        if "exam_date" in failed:
            raise _exam_date_taken(new.exam_date)
        if "period" in failed:
            if self._find_period(old.id) is None:
                raise NotFound("没有找到该期次。", code="period_not_found")
            raise PeriodHasRegistrations()
        if failed:
            raise Unavailable()

    def delete_period(self, period: Period) -> None:
        """Delete a period nobody registered for, with its exam date claim."""
        if self._has_registrations(period.id):
            raise PeriodHasRegistrations()

        def build() -> Transaction:
            transaction = Transaction()
            transaction.delete(
                "period",
                PeriodItem(keys.PERIOD_PK, keys.period_sk(period.id)),
                condition=PeriodItem.pk.exists() & _NO_REGISTRATIONS,
            )
            transaction.delete(
                "claim",
                ClaimItem(keys.exam_date_claim_pk(period.exam_date), keys.CLAIM_SK),
                condition=ClaimItem.owner == period.id,
            )
            return transaction

        failed = self._run(build)
        if "period" in failed:
            if self._find_period(period.id) is None:
                raise NotFound("没有找到该期次。", code="period_not_found")
            raise PeriodHasRegistrations()
        if failed:
            raise Unavailable()

    def _has_registrations(self, period_id: str) -> bool:
        """Periods stored before the counter existed: ask the index (one item suffices)."""
        with dynamodb_errors():
            found = RegistrationItem.by_period.query(keys.by_period_pk(period_id), limit=1)
            return any(True for _ in found)

    def _find_period(self, period_id: str) -> Period | None:
        with dynamodb_errors():
            try:
                return period_from_item(
                    PeriodItem.get(keys.PERIOD_PK, keys.period_sk(period_id), consistent_read=True)
                )
            except PeriodItem.DoesNotExist:
                return None

    def set_period_paper(self, period: Period, paper_key: str) -> bool:
        """Make `paper_key` the period's paper if the period is still as read (one conditional
        UpdateItem): the same exam date and start, and the same paper, or still none.

        False when it changed meanwhile (the caller reads it again and judges the lock anew):
        of two first papers during the exam, one becomes the period's; an upload judged
        before the lock never replaces a paper given after it. The write's condition
        decides, not an earlier read."""
        item = PeriodItem(keys.PERIOD_PK, keys.period_sk(period.id))
        condition = (
            PeriodItem.pk.exists()
            & (PeriodItem.exam_date == period.exam_date.isoformat())
            & (PeriodItem.exam_start == period.exam_start.strftime("%H:%M"))
        )
        if period.paper_key:
            condition = condition & (PeriodItem.paper_key == period.paper_key)
        else:
            condition = condition & PeriodItem.paper_key.does_not_exist()
        if applied(lambda: item.update(actions=[PeriodItem.paper_key.set(paper_key)], condition=condition)):
            return True
        if self._period_exists(period.id):
            return False
        raise NotFound("没有找到该期次。")

    def _period_exists(self, period_id: str) -> bool:
        with dynamodb_errors():
            try:
                PeriodItem.get(keys.PERIOD_PK, keys.period_sk(period_id), consistent_read=True)
            except PeriodItem.DoesNotExist:
                return False
        return True

    # Registration ----------------------------------------------------------

    def register(
        self,
        period: Period,
        contact: Contact,
        now: dt.datetime,
        consent_version: str,
        consents: tuple[Consent, ...] = (),
    ) -> Registration:
        """Write a registration with its uniqueness claims, all or nothing.

        - the registration's own key makes an ID number register once per period;
        - the phone and e-mail claims are taken, or kept when this ID number
          already holds them (the same person registering for a later period);
        - anyone who has passed before is refused: an attempt of theirs that
          passed (read by one consistent Query of the person's partition, and
          repeated as a condition on each attempt read, so a pass landing
          between the read and the write cancels it), or the person record's
          own mark (passes stored before the mark moved to the attempt);
        - the confirmation e-mail is queued in the outbox, sent by a schedule,
          so the candidate's request never waits for (or fails with) SES;
        - the period must still be in the table with the registration window the
          caller saw: the caller decided "open today" from a per-container
          cache, which may be stale.
        """
        id_hash = self.id_hash(contact.id_number)
        stamp = clock.iso(now)
        stored = registration_attributes(
            period,
            contact,
            id_hash,
            now,
            consent_version,
            name_hash=self.name_hash(contact.name),
            consents=consents,
        )
        pk, sk = stored["pk"]["S"], stored["sk"]["S"]

        others = self._other_attempts(pk, sk)
        if any(passed for _, passed in others):
            raise AlreadyPassed()

        # Built as DynamoDB's own request, its expressions fixed (`_REGISTER_*`): PynamoDB's
        # models and expression objects, serialised anew for each of its seven or more items,
        # cost more CPU than the transaction's call itself. Items in the order PynamoDB sent
        # them (checks, puts, updates), so cancellation reasons map to the same labels.
        def build() -> Requests:
            transaction = Requests()
            for other_sk, _ in others:
                transaction.add(
                    f"{_PASSED_LABEL}{other_sk}",
                    "ConditionCheck",
                    {"Key": _key(pk, other_sk), **_REGISTER_NOT_PASSED},
                )
            transaction.add("id_number", "Put", {"Item": stored, **_REGISTER_NEW})
            transaction.add(
                "outbox", "Put", {"Item": outbox_attributes("confirmation", pk, sk, period.id, stamp)}
            )
            # Counting on the period item (already in the transaction for its check)
            # is what lets a delete or an exam date change be refused by a condition.
            transaction.add(
                "period",
                "Update",
                {
                    "Key": _key(keys.PERIOD_PK, keys.period_sk(period.id)),
                    **_REGISTER_COUNT,
                    "ExpressionAttributeValues": {
                        ":opens": {"S": period.registration_opens.isoformat()},
                        ":closes": {"S": period.registration_closes.isoformat()},
                        ":one": {"N": "1"},
                    },
                },
            )
            claims: tuple[tuple[keys.ClaimField, str], ...] = (
                ("phone", self._phone_hash(contact.phone)),
                ("email", self._email_hash(contact.email)),
            )
            for field, value_hash in claims:
                transaction.add(field, "Update", _claim_update(field, value_hash, id_hash, stamp))
            transaction.add(
                "already_passed",
                "Update",
                {
                    "Key": _key(keys.person_pk(id_hash), keys.PERSON_SK),
                    **_REGISTER_PERSON,
                    "ExpressionAttributeValues": {":stamp": {"S": stamp}},
                },
            )
            return transaction

        failed = self._run(build)
        if "period" in failed:
            raise PeriodChanged()
        if "already_passed" in failed or any(label.startswith(_PASSED_LABEL) for label in failed):
            raise AlreadyPassed()
        for field in ("id_number", "phone", "email"):
            if field in failed:
                raise Duplicate(DUPLICATE_MESSAGES[field], field=field)
        # What was just written, as `registration_from_item` reads it back (instants to the
        # second, as stored): decoding the item again cost more than the receipt's own work.
        return Registration(
            period_id=period.id,
            contact=contact,
            registered_at=clock.parse_iso(stamp),
            consents=tuple(Consent(c.purpose, c.version, clock.parse_iso(clock.iso(c.at))) for c in consents),
        )

    @staticmethod
    def _other_attempts(pk: str, own_sk: str) -> list[tuple[str, bool]]:
        """The person's other registrations and whether each passed (one consistent Query of keys).

        The pass mark lives on the attempt alone (a submission is one write on it),
        so this is how a registration learns whether the person has passed."""
        params = {**_ATTEMPTS_PASSED, "ExpressionAttributeValues": _person_registrations(pk)}
        with dynamodb_errors():
            found = query_items(params)
        return [
            (item["sk"]["S"], bool(item.get("passed", {}).get("BOOL")))
            for item in found
            if item["sk"]["S"] != own_sk
        ]

    def run(self, build: Callable[[], Transaction]) -> set[str]:
        """Commit a transaction built by another store (the helpdesk's), retrying on conflicts."""
        return self._run(build)

    @staticmethod
    def claim(
        transaction: Transaction, field: keys.ClaimField, value_hash: str, id_hash: str, stamp: str
    ) -> None:
        """Take a phone or e-mail claim for this ID number, or keep it when already held (the
        helpdesk's corrections; a registration and a submission send `_REGISTER_CLAIM`)."""
        claim = ClaimItem(keys.claim_pk(field, value_hash), keys.CLAIM_SK)
        transaction.update(
            field,
            claim,
            actions=[ClaimItem.owner.set(id_hash), ClaimItem.claimed_at.set(ClaimItem.claimed_at | stamp)],
            condition=ClaimItem.pk.does_not_exist() | (ClaimItem.owner == id_hash),
        )

    def registrations_of(self, id_number: str) -> list[Registration]:
        """Every registration of one ID number, across periods (one Query).

        Sent as built here and read without the model (`_StoredRegistration`), as the
        attempt's GetItem is: every lookup makes this Query."""
        pk = keys.person_pk(self.id_hash(id_number))
        params = {**_PERSON_REGISTRATIONS, "ExpressionAttributeValues": _person_registrations(pk)}
        with dynamodb_errors():
            found = query_items(params)
        return [registration_from_item(cast(RegistrationItem, _StoredRegistration(item))) for item in found]

    def period_registrations(self, period_id: str, cursor: str | None, limit: int = 100) -> Page:
        """One page of a period's registrations, in order of registration (staff only)."""
        start = _decode_cursor(cursor, period_id) if cursor else None
        with dynamodb_errors():
            results = RegistrationItem.by_period.query(
                keys.by_period_pk(period_id), limit=limit, last_evaluated_key=start
            )
            items = [registration_from_item(item) for item in results]
            last = results.last_evaluated_key
        return Page(items, _encode_cursor(last) if last else None)

    def iter_period_registrations(self, period_id: str) -> Iterator[Registration]:
        """Every registration of a period, streamed page by page (a Query on the index)."""
        with dynamodb_errors():
            for item in RegistrationItem.by_period.query(keys.by_period_pk(period_id)):
                yield registration_from_item(item)

    # The exam attempt ------------------------------------------------------

    def start_attempt(
        self, period: Period, id_number: str, name: str, now: dt.datetime, seed: str | None = None
    ) -> Registration:
        """Mark the attempt started (first time only) and return it: one UpdateItem.

        The first entry also stores the attempt's seed (`seed`, or a new random
        one), from which its question and option order derive; later entries
        keep it, so every device and every reload shows the same paper.

        Raises `NotRegistered` when this ID number has no registration for the
        period, and `AlreadySubmitted` (with the stored result) after submission.
        The name is compared inside the write's condition (`name_key`): a wrong name and an
        unregistered ID number make the same single call and both raise `NotRegistered`.

        Sent on the models' client with fixed expressions (the same update and condition
        `Model.update` built from actions): the whole item comes back (`ALL_NEW`), read as the
        attempt read is, without a model.
        """
        params = {
            "Key": _attempt_key(self.id_hash(id_number), period.id),
            "UpdateExpression": _START_UPDATE,
            "ConditionExpression": _START_CONDITION,
            "ExpressionAttributeNames": _START_NAMES,
            "ExpressionAttributeValues": {
                ":name_key": {"S": name_key(name)},
                ":name": {"S": name.strip()},
                ":started_at": {"S": clock.iso(now)},
                ":no_answers": {"M": {}},
                ":seed": {"S": seed or secrets.token_urlsafe(12)},
            },
            "ReturnValues": "ALL_NEW",
        }
        answer: dict[str, Any] = {}
        if not applied(lambda: answer.update(request("update_item", params))):
            raise NotRegistered()
        registration = registration_from_item(
            cast(RegistrationItem, _StoredRegistration(answer["Attributes"]))
        )
        if registration.result is not None:
            raise AlreadySubmitted(registration.result, attempt=registration)
        return registration

    def attempt(self, period_id: str, id_hash: str) -> Registration:
        """The attempt an exam token stands for (one consistent GetItem).

        Read on the models' client and converted from the stored attributes as
        `_StoredRegistration`: a PynamoDB model built and then read costs more CPU than
        the GetItem itself, and every exam request after entry begins here."""
        with dynamodb_errors():
            found = request(
                "get_item", {"Key": _attempt_key(id_hash, period_id), "ConsistentRead": True}
            ).get("Item")
        if found is None:
            raise NotRegistered()
        return registration_from_item(cast(RegistrationItem, _StoredRegistration(found)))

    def save_answers(
        self,
        period_id: str,
        id_hash: str,
        answers: dict[str, list[str]],
        now: dt.datetime,
        seed: str | None = None,
    ) -> None:
        """Replace the saved answer of each question named, keep the others: one UpdateItem.

        With `seed`, only into the attempt of that seed (not one staff voided since).
        Built here rather than by `Model.update`, which asks for the whole item back and
        decodes it: nothing reads it, and the expressions are the same on every save."""
        names = dict(_SAVE_NAMES)
        values: dict[str, Any] = {":saved_at": {"S": clock.iso(now)}, ":one": {"N": "1"}}
        for n, (qid, chosen) in enumerate(answers.items()):
            names[f"#q{n}"] = qid
            values[f":q{n}"] = _strings(chosen)
        if seed is not None:
            names["#seed"] = _SEED
            values[":seed"] = {"S": seed}
        params = {
            "Key": _attempt_key(id_hash, period_id),
            "UpdateExpression": _save_expression(len(answers)),
            "ConditionExpression": _SAVE_INTO_SEED if seed is not None else _SAVE_INTO_ATTEMPT,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ReturnValues": "NONE",
        }
        if not applied(lambda: request("update_item", params)):
            self._refuse_attempt(period_id, id_hash, seed=seed)

    def record_submission(
        self,
        period: Period,
        current: Registration,
        contact: Contact,
        answers: dict[str, list[str]],
        result: ExamResult,
        paper_key: str,
        automatic: bool = False,
    ) -> None:
        """Score an attempt exactly once, with the candidate's latest details.

        Changed details are appended to the registration's history, and when
        the phone or e-mail changed a notice to the previous address is queued
        in the same transaction. `automatic` marks a close from the saved
        answers (自动交卷).

        The attempt's UpdateItem holds everything a submission decides: the
        result, only if none is stored yet (the one condition that makes it
        exactly once), the pass (the `passers` index; registration reads it
        from here), and the result e-mail due (the `mail_due` index, sent by
        the outbox schedule). With the phone and e-mail as registered (nearly
        every submission, and every automatic close) that one conditional
        write is the whole submission: no transaction, which DynamoDB bills
        at twice the writes. When they changed, a transaction adds the
        claims' moves (refused when the new ones belong to another ID
        number: nothing is saved then) and the notice to the old address.
        """
        id_hash = self.id_hash(current.contact.id_number)
        moves = self.claim_moves(current.contact, contact)
        changes = changes_between(current.contact, contact, result.submitted_at)
        contact_changed = any(change.field in ("phone", "email") for change in changes)
        renamed = name_key(contact.name) != name_key(current.contact.name)
        scored = _Scored(
            period_id=period.id,
            id_hash=id_hash,
            read=current,
            contact=contact,
            answers=answers,
            result=result,
            paper_key=paper_key,
            automatic=automatic,
            changes=changes,
            name_hash=self.name_hash(contact.name) if renamed else None,
        )

        if not moves and not contact_changed:
            params = scored.request()
            if not applied(lambda: request("update_item", params)):
                self._refuse_attempt(period.id, id_hash, current.saves, current.seed)
            return

        pk, sk = keys.person_pk(id_hash), keys.registration_sk(period.id)
        update, stamp = scored.update(), scored.stamp

        # The same update as the single write above, with the claims' moves (the new value's
        # taken as a registration takes its claims) and the notice to the old address beside it.
        def build() -> Requests:
            transaction = Requests()
            transaction.add("attempt", "Update", update)
            for field, old, new in moves:
                transaction.add(
                    f"old_{field}",
                    "Delete",
                    {
                        "Key": _key(keys.claim_pk(field, old), keys.CLAIM_SK),
                        **_RELEASE_CLAIM,
                        "ExpressionAttributeValues": {":owner": {"S": id_hash}},
                    },
                )
                transaction.add(field, "Update", _claim_update(field, new, id_hash, stamp))
            if contact_changed:
                transaction.add(
                    "notice", "Put", {"Item": outbox_attributes("details_changed", pk, sk, period.id, stamp)}
                )
            return transaction

        failed = self._run(build)
        if "attempt" in failed:
            self._refuse_attempt(period.id, id_hash, current.saves, current.seed)
        for field in ("phone", "email"):
            if field in failed:
                raise Duplicate(DUPLICATE_MESSAGES[field], field=field)
        if failed:
            # An old claim no longer owned by this ID number: the table
            # disagrees with itself, which no request can cause.
            raise RuntimeError(f"submission refused by {sorted(failed)}")

    def claim_moves(self, old: Contact, new: Contact) -> list[tuple[keys.ClaimField, str, str]]:
        """The claims a change of details moves: (field, old hash, new hash), unchanged ones left out."""
        moves: list[tuple[keys.ClaimField, str, str]] = [
            ("phone", self._phone_hash(old.phone), self._phone_hash(new.phone)),
            ("email", self._email_hash(old.email), self._email_hash(new.email)),
        ]
        return [(field, before, after) for field, before, after in moves if before != after]

    def _refuse_attempt(
        self, period_id: str, id_hash: str, saves: int | None = None, seed: str | None = None
    ) -> NoReturn:
        """An attempt's write was refused: say why (the attempt voided since, submitted
        already, answers saved since the submission read them, or no registration)."""
        stored = self.attempt(period_id, id_hash)
        if seed is not None and stored.seed != seed:
            raise AttemptVoided()
        if stored.result is not None:
            raise AlreadySubmitted(stored.result)
        if saves is not None and stored.saves != saves:
            raise SavedAnswersChanged()
        raise NotRegistered()


class _StoredRegistration:
    """A stored registration's attributes as `RegistrationItem` gives them, read without the model.

    Each attribute is decoded by the model's own attribute, as `Model.from_raw_data` does
    (an absent one is its default; a map is PynamoDB's map), so `registration_from_item`
    reads the same values; skipped are the model's instance machinery and its
    descriptors, which cost more than the decoding."""

    def __init__(self, raw: dict[str, dict[str, Any]]) -> None:
        self.__dict__.update(_REGISTRATION_DEFAULTS)
        for name, make in _REGISTRATION_DEFAULT_FACTORIES.items():
            self.__dict__[name] = make()
        for name, value in raw.items():
            attribute = _REGISTRATION_ATTRIBUTES.get(name)
            if attribute is None or not value or "NULL" in value:
                continue
            python_name, attr, is_map = attribute
            # Most attributes are text, which the attribute gives back as stored; the saved
            # answers (up to one entry per question) as the plain dict `as_dict()` would give.
            # Anything else, or a value not shaped so, is decoded by its attribute.
            decoded = value.get("S") if attr.attr_type == "S" else None
            if decoded is None and python_name == "answers":
                decoded = _plain_answers(value)
            if decoded is None:
                decoded = attr.deserialize(attr.get_value(value))
                if is_map and isinstance(decoded, Mapping):
                    decoded = type(attr)(**decoded)
            self.__dict__[python_name] = decoded


def _plain_answers(value: dict[str, Any]) -> dict[str, list[str]] | None:
    """A stored answers map of option lists, as a plain dict; None when not shaped so."""
    try:
        return {qid: [option["S"] for option in chosen["L"]] for qid, chosen in value["M"].items()}
    except (KeyError, TypeError, AttributeError):
        return None


# The registration's attributes by their stored name (with whether the model keeps the
# value as a map), and the value of each absent one.
_REGISTRATION_ATTRIBUTES = {
    attr.attr_name: (name, attr, isinstance(attr, MapAttribute))
    for name, attr in RegistrationItem.get_attributes().items()
}
_REGISTRATION_DEFAULTS = {
    name: attr.default
    for name, attr in RegistrationItem.get_attributes().items()
    if not callable(attr.default)
}
# A default made by a function (`default=list`) is made for each read, as the model does:
# one shared list would carry one request's changes into the next.
_REGISTRATION_DEFAULT_FACTORIES = {
    name: attr.default for name, attr in RegistrationItem.get_attributes().items() if callable(attr.default)
}

# A save's request, the same on every save but for the questions named: the attempt
# exists (entry wrote its answers map) and is not submitted, and with a seed, is still that one.
_SAVE_NAMES = {
    "#answers": RegistrationItem.answers.attr_name,
    "#saved_at": RegistrationItem.answers_saved_at.attr_name,
    "#saves": RegistrationItem.saves.attr_name,
    "#submitted_at": RegistrationItem.submitted_at.attr_name,
}
_SEED = RegistrationItem.seed.attr_name
_SAVE_INTO_ATTEMPT = "attribute_exists (#answers) AND attribute_not_exists (#submitted_at)"
_SAVE_INTO_SEED = f"{_SAVE_INTO_ATTEMPT} AND #seed = :seed"


@functools.lru_cache(maxsize=256)
def _save_expression(questions: int) -> str:
    """Set each question's answer (`#q0`... for the questions in order) and the time, count the save."""
    sets = [f"#answers.#q{n} = :q{n}" for n in range(questions)]
    return f"SET {', '.join([*sets, '#saved_at = :saved_at'])} ADD #saves :one"


# A registration's check that an attempt of the person read unpassed is still unpassed.
_PASSED_LABEL = "passed:"

# A registration's transaction, the same on every registration but for the values: the
# registration is new; the period is still there with the window the caller saw; a claim is
# free or already this ID number's (its first claim time kept); the person's record
# carries no pass; each attempt read unpassed still is.
_REGISTER_NOT_PASSED = {
    "ConditionExpression": "attribute_not_exists (#passed) OR #passed = :false",
    "ExpressionAttributeNames": {"#passed": RegistrationItem.passed.attr_name},
    "ExpressionAttributeValues": {":false": {"BOOL": False}},
}
_REGISTER_NEW = {
    "ConditionExpression": "attribute_not_exists (#pk)",
    "ExpressionAttributeNames": {"#pk": "pk"},
}
_REGISTER_COUNT = {
    "UpdateExpression": "ADD #registrations :one",
    "ConditionExpression": "attribute_exists (#pk) AND #opens = :opens AND #closes = :closes",
    "ExpressionAttributeNames": {
        "#pk": "pk",
        "#opens": PeriodItem.registration_opens.attr_name,
        "#closes": PeriodItem.registration_closes.attr_name,
        "#registrations": PeriodItem.registrations.attr_name,
    },
}
_REGISTER_CLAIM = {
    "UpdateExpression": "SET #owner = :owner, #claimed_at = if_not_exists (#claimed_at, :stamp)",
    "ConditionExpression": "attribute_not_exists (#pk) OR #owner = :owner",
    "ExpressionAttributeNames": {
        "#pk": "pk",
        "#owner": ClaimItem.owner.attr_name,
        "#claimed_at": ClaimItem.claimed_at.attr_name,
    },
}


def _claim_update(field: keys.ClaimField, value_hash: str, id_hash: str, stamp: str) -> dict[str, Any]:
    """A phone or e-mail claim taken for this ID number, or kept when already its own."""
    return {
        "Key": _key(keys.claim_pk(field, value_hash), keys.CLAIM_SK),
        **_REGISTER_CLAIM,
        "ExpressionAttributeValues": {":owner": {"S": id_hash}, ":stamp": {"S": stamp}},
    }


# A submission's change of phone or e-mail gives up the old value's claim: this ID number's,
# or already gone.
_RELEASE_CLAIM = {
    "ConditionExpression": "attribute_not_exists (#pk) OR #owner = :owner",
    "ExpressionAttributeNames": {"#pk": "pk", "#owner": ClaimItem.owner.attr_name},
}
_REGISTER_PERSON = {
    "UpdateExpression": "SET #last_registered_at = :stamp",
    "ConditionExpression": "attribute_not_exists (#passed_at)",
    "ExpressionAttributeNames": {
        "#passed_at": PersonItem.passed_at.attr_name,
        "#last_registered_at": PersonItem.last_registered_at.attr_name,
    },
}

# The Queries of one person's registrations: the lookup's (whole items), and the
# registration's (consistent, keys and pass only).
_PERSON_REGISTRATIONS = {
    "KeyConditionExpression": "#pk = :pk AND begins_with (#sk, :prefix)",
    "ExpressionAttributeNames": {"#pk": "pk", "#sk": "sk"},
}
_ATTEMPTS_PASSED = {
    **_PERSON_REGISTRATIONS,
    "ProjectionExpression": "#pk, #sk, #passed",
    "ExpressionAttributeNames": {"#pk": "pk", "#sk": "sk", "#passed": RegistrationItem.passed.attr_name},
    "ConsistentRead": True,
}


def _person_registrations(pk: str) -> dict[str, dict[str, str]]:
    return {":pk": {"S": pk}, ":prefix": {"S": keys.REGISTRATION_SK_PREFIX}}


def _key(pk: str, sk: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


_NO_REGISTRATIONS = PeriodItem.registrations.does_not_exist() | (PeriodItem.registrations == 0)


def _exam_date_taken(exam_date: dt.date) -> Conflict:
    return Conflict(
        f"{exam_date} 已有考试期次，每天只能安排一场考试。", field="exam_date", code="exam_date_taken"
    )


@value_class
class _Scored:
    """What a submission writes on the attempt, and on what condition, as DynamoDB's own
    request (fixed names, values encoded as the model's attributes encode them): the one
    UpdateItem of nearly every submission, or the attempt's item in the transaction a changed
    phone or e-mail needs. One form for both, so the two cannot drift apart."""

    period_id: str
    id_hash: str
    read: Registration  # the attempt as the submission read it: its saves and seed are the condition
    contact: Contact
    answers: dict[str, list[str]]
    result: ExamResult
    paper_key: str
    automatic: bool
    changes: tuple[Change, ...]
    name_hash: str | None  # the new name's hash when the name changed: the helpdesk's index moves

    def __init__(
        self,
        period_id: str,
        id_hash: str,
        read: Registration,
        contact: Contact,
        answers: dict[str, list[str]],
        result: ExamResult,
        paper_key: str,
        automatic: bool,
        changes: tuple[Change, ...],
        name_hash: str | None,
    ) -> None:
        self.__dict__.update(
            period_id=period_id,
            id_hash=id_hash,
            read=read,
            contact=contact,
            answers=answers,
            result=result,
            paper_key=paper_key,
            automatic=automatic,
            changes=changes,
            name_hash=name_hash,
        )

    @property
    def stamp(self) -> str:
        return clock.iso(self.result.submitted_at)

    def _mail_due_sk(self) -> str:
        pk = keys.person_pk(self.id_hash)
        return keys.outbox_sk(self.stamp, "result", keys.person_hash(pk), self.period_id)

    def request(self) -> dict[str, Any]:
        """The UpdateItem's parameters, `ReturnValues` NONE (nobody reads the scored item)."""
        return {**self.update(), "ReturnValues": "NONE"}

    def update(self) -> dict[str, Any]:
        """The attempt's update and its condition: no result stored yet (what makes it exactly
        once), no save since the read, not voided. As sent alone or inside a transaction."""
        contact, result, stamp = self.contact, self.result, self.stamp
        sets = list(_SUBMIT_SETS)
        names = dict(_SUBMIT_NAMES)
        values: dict[str, Any] = {
            ":name": {"S": contact.name},
            ":phone": {"S": contact.phone},
            ":email": {"S": contact.email},
            ":answers": {"M": {qid: _strings(chosen) for qid, chosen in self.answers.items()}},
            ":submitted_at": {"S": stamp},
            ":score": {"N": str(result.score)},
            ":pass_mark": {"N": str(result.pass_mark)},
            ":passed": {"BOOL": result.passed},
            ":correct": _strings(result.correct),
            ":paper_key": {"S": self.paper_key},
            ":gsi4pk": {"S": keys.MAIL_DUE_PK},
            ":gsi4sk": {"S": self._mail_due_sk()},
            ":name_key": {"S": name_key(contact.name)},
        }
        if result.passed:
            sets += ["#gsi2pk = :gsi2pk", "#gsi2sk = :gsi2sk"]
            names.update(_SUBMIT_PASSER_NAMES)
            values[":gsi2pk"] = {"S": keys.passers_pk(self.period_id)}
            values[":gsi2sk"] = {"S": keys.passers_sk(keys.PASSER_PENDING, stamp, self.id_hash)}
        if self.name_hash is not None:
            sets += ["#gsi3pk = :gsi3pk", "#gsi3sk = :gsi3sk"]
            names.update(_SUBMIT_RENAMED_NAMES)
            values[":gsi3pk"] = {"S": keys.by_name_pk(self.name_hash)}
            values[":gsi3sk"] = {"S": keys.by_name_sk(self.period_id, self.id_hash)}
        if self.automatic:
            sets.append("#auto_submitted = :auto_submitted")
            names["#auto_submitted"] = RegistrationItem.auto_submitted.attr_name
            values[":auto_submitted"] = {"BOOL": True}
        if self.changes:
            sets.append("#changes = list_append (if_not_exists (#changes, :no_changes), :changes)")
            names["#changes"] = RegistrationItem.changes.attr_name
            values[":no_changes"] = {"L": []}
            values[":changes"] = {
                "L": [
                    {"M": {key: {"S": text} for key, text in change_item(change).items()}}
                    for change in self.changes
                ]
            }
        saves = self.read.saves
        if saves == 0:
            saves_as_read = "(attribute_not_exists (#saves) OR #saves = :saves)"
        else:
            saves_as_read = "#saves = :saves"
        values[":saves"] = {"N": str(saves)}
        if self.read.seed is None:
            same_attempt = "attribute_not_exists (#seed)"
        else:
            same_attempt = "#seed = :seed"
            values[":seed"] = {"S": self.read.seed}
        return {
            "Key": _attempt_key(self.id_hash, self.period_id),
            "UpdateExpression": f"SET {', '.join(sets)} REMOVE #mail_lease_until, #mail_attempts",
            "ConditionExpression": f"{_SUBMIT_UNSCORED} AND {saves_as_read} AND {same_attempt}",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }


def _strings(values: Iterable[str]) -> dict[str, Any]:
    """A list of strings as a raw map's or an untyped list's attribute stores it."""
    return {"L": [{"S": value} for value in values]}


def _attempt_key(id_hash: str, period_id: str) -> dict[str, Any]:
    return _key(keys.person_pk(id_hash), keys.registration_sk(period_id))


def _names(*attributes: str) -> dict[str, str]:
    """`#name` for each of the registration's attributes, by its Python name."""
    fields = RegistrationItem.get_attributes()
    return {f"#{name}": fields[name].attr_name for name in attributes}


# A submission's fixed parts: what every one sets, and the condition's first half.
_SUBMIT_FIELDS = (
    "name",
    "phone",
    "email",
    "answers",
    "submitted_at",
    "score",
    "pass_mark",
    "passed",
    "correct",
    "paper_key",
    "gsi4pk",
    "gsi4sk",
    "name_key",
)
_SUBMIT_SETS = tuple(f"#{field} = :{field}" for field in _SUBMIT_FIELDS)
_SUBMIT_NAMES = _names(*_SUBMIT_FIELDS, "pk", "saves", "seed", "mail_lease_until", "mail_attempts")
_SUBMIT_PASSER_NAMES = _names("gsi2pk", "gsi2sk")
_SUBMIT_RENAMED_NAMES = _names("gsi3pk", "gsi3sk")
_SUBMIT_UNSCORED = "attribute_exists (#pk) AND attribute_not_exists (#submitted_at)"

# Entry's UpdateItem: started (first time only), an answers map to save into, the seed; on
# condition the registration exists under this name (as entry compares it, or as registered
# before `name_key` existed).
_START_UPDATE = (
    "SET #started_at = if_not_exists (#started_at, :started_at),"
    " #answers = if_not_exists (#answers, :no_answers), #seed = if_not_exists (#seed, :seed)"
)
_SAME_NAME = "#name_key = :name_key OR (attribute_not_exists (#name_key) AND #name = :name)"
_START_CONDITION = f"attribute_exists (#pk) AND ({_SAME_NAME})"
_START_NAMES = _names("pk", "name_key", "name", "started_at", "answers", "seed")


# Cursors -------------------------------------------------------------------


def _encode_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def _decode_cursor(cursor: str, period_id: str) -> dict[str, Any]:
    """Read back a cursor, refusing anything this module did not write for this period."""
    refused = Invalid("cursor", "分页参数 cursor 无效，请从第一页重新开始。")
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError, RecursionError) as exc:
        raise refused from exc
    expected = {"pk", "sk", "gsi1pk", "gsi1sk"}
    if (
        not isinstance(key, dict)
        or set(key) != expected
        or not all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values())
        or key["gsi1pk"]["S"] != keys.by_period_pk(period_id)
    ):
        raise refused
    return key
