"""The DynamoDB repository: every read and write of the table, named for what it means.

Uniqueness is decided by the writes themselves, never by reading first: a
registration, the claims on its phone and e-mail, and the person's "not yet
passed" check go in one `TransactWriteItems`, and the cancellation reasons,
which come back one per item in request order, say which field collided.
Every PynamoDB or botocore failure leaves this module as a domain error:
`Unavailable` (503, safe to retry) when DynamoDB itself failed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import clock
from chalicelib.domain.errors import Conflict, DomainError, Invalid, NotFound, Unavailable
from chalicelib.domain.identity import Contact, email_identity
from chalicelib.domain.periods import Period
from chalicelib.domain.registrations import ExamResult, Registration
from chalicelib.storage import aws, keys
from chalicelib.storage.models import (
    ClaimItem,
    LockItem,
    OutboxItem,
    PeriodItem,
    PersonItem,
    RegistrationItem,
)

log = logging.getLogger(__name__)

# DynamoDB cancels a transaction that touches an item another transaction is
# writing at the same moment (TransactionConflict). That is contention, not a
# refusal: try again a few times before answering 503.
TRANSACTION_ATTEMPTS = 4
RETRY_BASE_SECONDS = 0.02


class Duplicate(Conflict):
    """A unique value belongs to someone else (or this ID number is registered already)."""

    code = "duplicate"


class AlreadyPassed(Conflict):
    code = "already_passed"
    default_message = (
        "您已通过此前的考试，无需再次报名。通过人员的信息会在考试后 5 个工作日内"
        "录入北京市人力资源市场管理信息系统；成绩可在「查询报名与成绩」中查看。"
    )


class PeriodChanged(Conflict):
    """The cached period no longer matches the table (changed or gone): read again."""

    code = "registration_closed"


class AlreadySubmitted(Conflict):
    code = "already_submitted"
    default_message = "您已交卷，成绩如下，无需重复提交。"

    def __init__(self, result: ExamResult) -> None:
        super().__init__(extra={"result": result.public()})
        self.result = result


class NotRegistered(NotFound):
    code = "not_registered"
    default_message = (
        "没有找到您本期考试的报名记录。请核对身份证号；如未报名，请在下一个工作日起报名下一期考试。"
    )


# In the words of the FAQ (templates/faq.html): what happened, and what to do.
DUPLICATE_MESSAGES = {
    "id_number": "该身份证号已报名本期考试，说明您本人（或同事替您）已经报过名，无需重复报名。"
    "请记下考试时间，继续学习课程；忘记考试时间可在「查询报名与成绩」中查看。",
    "phone": "该手机号已被其他身份证号使用，可能是同事用您的手机号替他人报了名。请填写您本人的手机号。",
    "email": "该邮箱已被其他身份证号使用，可能是同事用您的邮箱替他人报了名。请填写您本人的电子邮箱。",
}


@dataclass(frozen=True)
class Page:
    items: list[Registration]
    cursor: str | None


@contextmanager
def dynamodb_errors() -> Iterator[None]:
    """Any failure of DynamoDB itself becomes a 503 the client may retry."""
    try:
        yield
    except DomainError:
        raise
    except PynamoDBException as exc:
        log.warning("dynamodb call failed: %s", aws.error_code(exc) or type(exc.cause).__name__)
        raise Unavailable() from exc


def applied(write: Callable[[], object]) -> bool:
    """Run one conditional write: True when DynamoDB applied it, False when its
    condition refused it. Any other failure is `Unavailable`."""
    with dynamodb_errors():
        try:
            write()
        except PynamoDBException as exc:
            if aws.error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
    return True


class _Transaction:
    """A TransactWrite that remembers a label for each item, in the order DynamoDB sees them.

    PynamoDB sends condition checks first, then deletes, puts and updates;
    cancellation reasons come back in that order, one per item.
    """

    def __init__(self) -> None:
        self._checks: list[tuple[str, Any]] = []
        self._deletes: list[tuple[str, Any]] = []
        self._puts: list[tuple[str, Any]] = []
        self._updates: list[tuple[str, Any]] = []

    def check(self, label: str, model: Any, hash_key: str, range_key: str, condition: Condition) -> None:
        self._checks.append((label, (model, hash_key, range_key, condition)))

    def put(self, label: str, item: Any, condition: Condition | None = None) -> None:
        self._puts.append((label, (item, condition)))

    def update(self, label: str, item: Any, actions: list[Any], condition: Condition | None = None) -> None:
        self._updates.append((label, (item, actions, condition)))

    def delete(self, label: str, item: Any, condition: Condition | None = None) -> None:
        self._deletes.append((label, (item, condition)))

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self._checks + self._deletes + self._puts + self._updates]

    def commit(self, connection: Any) -> None:
        with TransactWrite(connection=connection) as transaction:
            for _, (model, hash_key, range_key, condition) in self._checks:
                transaction.condition_check(model, hash_key, range_key, condition=condition)
            for _, (item, condition) in self._deletes:
                transaction.delete(item, condition=condition)
            for _, (item, condition) in self._puts:
                transaction.save(item, condition=condition)
            for _, (item, actions, condition) in self._updates:
                transaction.update(item, actions=actions, condition=condition)


def _failed_labels(error: TransactWriteError, labels: Sequence[str]) -> tuple[set[str], bool]:
    """Which items' conditions failed, and whether any item hit a conflict."""
    failed: set[str] = set()
    conflict = False
    for label, reason in zip(labels, error.cancellation_reasons, strict=False):
        if reason is None:
            continue
        if reason.code == "ConditionalCheckFailed":
            failed.add(label)
        elif reason.code == "TransactionConflict":
            conflict = True
    return failed, conflict


class Repository:
    def __init__(
        self, hash_identity: Callable[[str, str], str], sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._hash = hash_identity
        self._sleep = sleep

    # Keyed hashes ----------------------------------------------------------

    def id_hash(self, id_number: str) -> str:
        return self._hash("id", id_number)

    def _phone_hash(self, phone: str) -> str:
        return self._hash("phone", phone)

    def _email_hash(self, email: str) -> str:
        return self._hash("email", email_identity(email))

    def _run(self, build: Callable[[], _Transaction]) -> set[str]:
        """Commit a transaction, retrying on conflicts; the labels whose condition failed."""
        connection = RegistrationItem._get_connection().connection
        for attempt in range(TRANSACTION_ATTEMPTS):
            transaction = build()
            with dynamodb_errors():
                try:
                    transaction.commit(connection)
                    return set()
                except TransactWriteError as exc:
                    if aws.error_code(exc) != "TransactionCanceledException":
                        raise
                    failed, conflict = _failed_labels(exc, transaction.labels)
                    if failed:
                        return failed
                    if not conflict:
                        raise
            log.info("transaction conflict, attempt %d", attempt + 1)
            self._sleep(RETRY_BASE_SECONDS * (2**attempt))
        raise Unavailable()

    # Periods ---------------------------------------------------------------

    def list_periods(self) -> list[Period]:
        with dynamodb_errors():
            items = list(PeriodItem.query(keys.PERIOD_PK, consistent_read=True))
        return sorted((_period(item) for item in items), key=lambda p: p.exam_date)

    def create_period(self, period: Period, created_at: dt.datetime) -> None:
        """Store a period; its exam date is claimed in the same write, so two staff
        members creating the same date at once cannot both succeed."""

        def build() -> _Transaction:
            transaction = _Transaction()
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
                "period", _period_item(period, created_at), condition=PeriodItem.pk.does_not_exist()
            )
            return transaction

        failed = self._run(build)
        if "exam_date" in failed:
            raise Conflict(
                f"{period.exam_date} 已有考试期次，每天只能安排一场考试。",
                field="exam_date",
                code="exam_date_taken",
            )
        if failed:
            raise Unavailable()

    def set_period_paper(self, period_id: str, paper_key: str) -> None:
        item = PeriodItem(keys.PERIOD_PK, keys.period_sk(period_id))
        if not applied(
            lambda: item.update(
                actions=[PeriodItem.paper_key.set(paper_key)], condition=PeriodItem.pk.exists()
            )
        ):
            raise NotFound("没有找到该期次。")

    # Registration ----------------------------------------------------------

    def register(
        self, period: Period, contact: Contact, now: dt.datetime, consent_version: str
    ) -> Registration:
        """Write a registration with its uniqueness claims, all or nothing.

        - the registration's own key makes an ID number register once per period;
        - the phone and e-mail claims are taken, or kept when this ID number
          already holds them (the same person registering for a later period);
        - the person record refuses anyone who has passed before;
        - the confirmation e-mail is queued in the outbox, sent by a schedule,
          so the candidate's request never waits for (or fails with) SES;
        - the period must still be in the table with the registration window the
          caller saw: the caller decided "open today" from a per-container
          cache, which may be stale.
        """
        id_hash = self.id_hash(contact.id_number)
        stamp = clock.iso(now)
        item = _registration_item(period, contact, id_hash, now, consent_version)

        as_seen = (
            PeriodItem.pk.exists()
            & (PeriodItem.registration_opens == period.registration_opens.isoformat())
            & (PeriodItem.registration_closes == period.registration_closes.isoformat())
        )

        def build() -> _Transaction:
            transaction = _Transaction()
            transaction.check("period", PeriodItem, keys.PERIOD_PK, keys.period_sk(period.id), as_seen)
            transaction.put("id_number", item, condition=RegistrationItem.pk.does_not_exist())
            self._claim(transaction, "phone", self._phone_hash(contact.phone), id_hash, stamp)
            self._claim(transaction, "email", self._email_hash(contact.email), id_hash, stamp)
            transaction.put("outbox", _confirmation_entry(item, id_hash, period.id, stamp))
            person = PersonItem(keys.person_pk(id_hash), keys.PERSON_SK)
            transaction.update(
                "already_passed",
                person,
                actions=[PersonItem.last_registered_at.set(stamp)],
                condition=PersonItem.passed_at.does_not_exist(),
            )
            return transaction

        failed = self._run(build)
        if "period" in failed:
            raise PeriodChanged()
        if "already_passed" in failed:
            raise AlreadyPassed()
        for field in ("id_number", "phone", "email"):
            if field in failed:
                raise Duplicate(DUPLICATE_MESSAGES[field], field=field)
        return registration_from_item(item)

    @staticmethod
    def _claim(
        transaction: _Transaction, field: keys.ClaimField, value_hash: str, id_hash: str, stamp: str
    ) -> None:
        claim = ClaimItem(keys.claim_pk(field, value_hash), keys.CLAIM_SK)
        transaction.update(
            field,
            claim,
            actions=[ClaimItem.owner.set(id_hash), ClaimItem.claimed_at.set(ClaimItem.claimed_at | stamp)],
            condition=ClaimItem.pk.does_not_exist() | (ClaimItem.owner == id_hash),
        )

    def registrations_of(self, id_number: str) -> list[Registration]:
        """Every registration of one ID number, across periods (one Query)."""
        id_hash = self.id_hash(id_number)
        with dynamodb_errors():
            items = list(
                RegistrationItem.query(
                    keys.person_pk(id_hash),
                    RegistrationItem.sk.startswith(keys.REGISTRATION_SK_PREFIX),
                )
            )
        return [registration_from_item(item) for item in items]

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

    def start_attempt(self, period: Period, id_number: str, now: dt.datetime) -> Registration:
        """Mark the attempt started (first time only) and return it: one UpdateItem.

        Raises `NotRegistered` when this ID number has no registration for the
        period, and `AlreadySubmitted` (with the stored result) after submission.
        """
        id_hash = self.id_hash(id_number)
        item = RegistrationItem(keys.person_pk(id_hash), keys.registration_sk(period.id))
        stamp = clock.iso(now)
        actions: list[Action] = [
            RegistrationItem.started_at.set(RegistrationItem.started_at | stamp),
            RegistrationItem.answers.set(RegistrationItem.answers | {}),
        ]
        if not applied(lambda: item.update(actions=actions, condition=RegistrationItem.pk.exists())):
            raise NotRegistered()
        registration = registration_from_item(item)
        if registration.result is not None:
            raise AlreadySubmitted(registration.result)
        return registration

    def attempt(self, period_id: str, id_hash: str) -> Registration:
        """The attempt an exam token stands for (one consistent GetItem)."""
        with dynamodb_errors():
            try:
                item = RegistrationItem.get(
                    keys.person_pk(id_hash), keys.registration_sk(period_id), consistent_read=True
                )
            except RegistrationItem.DoesNotExist as exc:
                raise NotRegistered() from exc
        return registration_from_item(item)

    def save_answers(
        self, period_id: str, id_hash: str, answers: dict[str, list[str]], now: dt.datetime
    ) -> None:
        """Replace the saved answer of each question named, keep the others: one UpdateItem."""
        item = RegistrationItem(keys.person_pk(id_hash), keys.registration_sk(period_id))
        actions = [RegistrationItem.answers[qid].set(chosen) for qid, chosen in answers.items()]
        actions.append(RegistrationItem.answers_saved_at.set(clock.iso(now)))
        condition = RegistrationItem.answers.exists() & RegistrationItem.submitted_at.does_not_exist()
        if not applied(lambda: item.update(actions=actions, condition=condition)):
            stored = self.attempt(period_id, id_hash)
            if stored.result is not None:
                raise AlreadySubmitted(stored.result)
            raise NotRegistered()

    def record_submission(
        self,
        period: Period,
        current: Registration,
        contact: Contact,
        answers: dict[str, list[str]],
        result: ExamResult,
        paper_key: str,
    ) -> None:
        """Score an attempt exactly once, with the candidate's latest details.

        One transaction: the attempt's result (only if none is stored yet),
        the phone and e-mail claims moved when they changed (refused when the
        new ones belong to another ID number: nothing is saved then), the
        person marked passed, and the result e-mail queued.
        """
        id_hash = self.id_hash(current.contact.id_number)
        stamp = clock.iso(result.submitted_at)
        old_phone = self._phone_hash(current.contact.phone)
        new_phone = self._phone_hash(contact.phone)
        old_email = self._email_hash(current.contact.email)
        new_email = self._email_hash(contact.email)
        registration = RegistrationItem(keys.person_pk(id_hash), keys.registration_sk(period.id))
        actions = [
            RegistrationItem.name.set(contact.name),
            RegistrationItem.phone.set(contact.phone),
            RegistrationItem.email.set(contact.email),
            RegistrationItem.answers.set(answers),
            RegistrationItem.submitted_at.set(stamp),
            RegistrationItem.score.set(result.score),
            RegistrationItem.pass_mark.set(result.pass_mark),
            RegistrationItem.passed.set(result.passed),
            RegistrationItem.correct.set(list(result.correct)),
            RegistrationItem.paper_key.set(paper_key),
        ]
        if result.passed:
            actions += [
                RegistrationItem.gsi2pk.set(keys.passers_pk(period.id)),
                RegistrationItem.gsi2sk.set(keys.passers_sk(keys.PASSER_PENDING, stamp, id_hash)),
            ]

        def build() -> _Transaction:
            transaction = _Transaction()
            transaction.update(
                "attempt",
                registration,
                actions=actions,
                condition=(RegistrationItem.pk.exists() & RegistrationItem.submitted_at.does_not_exist()),
            )
            for field, old, new in (("phone", old_phone, new_phone), ("email", old_email, new_email)):
                if old == new:
                    continue
                claim_field: keys.ClaimField = "phone" if field == "phone" else "email"
                transaction.delete(
                    f"old_{field}",
                    ClaimItem(keys.claim_pk(claim_field, old), keys.CLAIM_SK),
                    condition=(ClaimItem.pk.does_not_exist() | (ClaimItem.owner == id_hash)),
                )
                self._claim(transaction, claim_field, new, id_hash, stamp)
            if result.passed:
                transaction.update(
                    "person",
                    PersonItem(keys.person_pk(id_hash), keys.PERSON_SK),
                    actions=[PersonItem.passed_period_id.set(period.id), PersonItem.passed_at.set(stamp)],
                )
            transaction.put(
                "outbox",
                OutboxItem(
                    keys.OUTBOX_PK,
                    keys.outbox_sk(stamp, "result", id_hash, period.id),
                    kind="result",
                    target_pk=registration.pk,
                    target_sk=registration.sk,
                    created_at=stamp,
                ),
            )
            return transaction

        failed = self._run(build)
        if "attempt" in failed:
            stored = self.attempt(period.id, id_hash)
            if stored.result is not None:
                raise AlreadySubmitted(stored.result)
            raise NotRegistered()
        for field in ("phone", "email"):
            if field in failed:
                raise Duplicate(DUPLICATE_MESSAGES[field], field=field)
        if failed:
            # An old claim no longer owned by this ID number: the table
            # disagrees with itself, which no request can cause.
            raise RuntimeError(f"submission refused by {sorted(failed)}")

    # Leases ----------------------------------------------------------------

    def acquire_lease(self, name: str, holder: str, now: dt.datetime, duration: dt.timedelta) -> bool:
        """Take a named lease unless someone else holds an unexpired one."""
        item = LockItem(
            keys.lock_pk(name), keys.LOCK_SK, holder=holder, lease_until=clock.iso(now + duration)
        )
        condition = LockItem.pk.does_not_exist() | (LockItem.lease_until < clock.iso(now))
        return applied(lambda: item.save(condition=condition))

    def release_lease(self, name: str, holder: str) -> None:
        item = LockItem(keys.lock_pk(name), keys.LOCK_SK)
        # Refused when the lease expired and someone else took it: theirs to release.
        applied(lambda: item.delete(condition=LockItem.holder == holder))


# Conversions ---------------------------------------------------------------


def _period_item(period: Period, created_at: dt.datetime) -> PeriodItem:
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


def _period(item: PeriodItem) -> Period:
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


def _confirmation_entry(item: RegistrationItem, id_hash: str, period_id: str, stamp: str) -> OutboxItem:
    """The outbox entry that has the schedule send a new registration its confirmation."""
    return OutboxItem(
        keys.OUTBOX_PK,
        keys.outbox_sk(stamp, "confirmation", id_hash, period_id),
        kind="confirmation",
        target_pk=item.pk,
        target_sk=item.sk,
        created_at=stamp,
    )


def _registration_item(
    period: Period, contact: Contact, id_hash: str, now: dt.datetime, consent_version: str
) -> RegistrationItem:
    stamp = clock.iso(now)
    return RegistrationItem(
        keys.person_pk(id_hash),
        keys.registration_sk(period.id),
        period_id=period.id,
        name=contact.name,
        id_number=contact.id_number,
        phone=contact.phone,
        email=contact.email,
        registered_at=stamp,
        consent_version=consent_version,
        consented_at=stamp,
        gsi1pk=keys.by_period_pk(period.id),
        gsi1sk=keys.by_period_sk(stamp, id_hash),
    )


def registration_from_item(item: RegistrationItem) -> Registration:
    result = None
    if item.submitted_at is not None and item.score is not None:
        result = ExamResult(
            score=int(item.score),
            pass_mark=int(item.pass_mark or 0),
            passed=bool(item.passed),
            submitted_at=clock.parse_iso(item.submitted_at),
            correct=tuple(item.correct or ()),
        )
    answers = item.answers.as_dict() if item.answers is not None else {}
    return Registration(
        period_id=item.period_id,
        contact=Contact(name=item.name, id_number=item.id_number, phone=item.phone, email=item.email),
        registered_at=clock.parse_iso(item.registered_at),
        started_at=clock.parse_iso(item.started_at) if item.started_at else None,
        answers={qid: list(chosen) for qid, chosen in answers.items()},
        result=result,
        exported_at=clock.parse_iso(item.exported_at) if item.exported_at else None,
    )


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
