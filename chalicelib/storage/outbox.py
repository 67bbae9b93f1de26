"""The e-mail outbox: candidates' e-mails, queued with the change they report.

A registration and a submission write their outbox entry in their own
transaction (repository.py; every entry is built by `items.outbox_entry`),
so the candidate's request never waits for SES and never fails because of it.
A scheduled sender works through the entries that are due: it claims one
with a conditional update (a short lease, which also delays the retry after
a failure), sends it, and deletes it. Entries live in one partition, ordered
by when they are due, so finding the due ones is one Query. A reminder is
queued in a transaction with its registration's mark, retried on conflicts
like every other transaction (`dynamo.run_transaction`).

The result e-mail is not an outbox item: the submission's one UpdateItem puts
it on the attempt itself (`gsi4pk`/`gsi4sk`, the sparse `mail_due` index, keyed
like the outbox), so exam day writes no transaction (issue 19). The sender
reads both, in due order; an entry is claimed, retried and removed on
whichever item holds it, and the claim is a conditional write on that item,
never on the index: an index entry still showing a mail already sent (GSIs are
eventually consistent) finds the item's key gone and is skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain.errors import Unavailable
from chalicelib.domain.registrations import Registration
from chalicelib.storage import aws, keys
from chalicelib.storage.dynamo import Transaction, applied, dynamodb_errors, run_transaction
from chalicelib.storage.items import mail_due_removed, outbox_entry, registration_from_item
from chalicelib.storage.models import OutboxItem, RegistrationItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxEntry:
    sk: str
    kind: str
    target_pk: str
    target_sk: str
    attempts: int
    # Held by the registration it is about (the `mail_due` index), not an outbox item.
    on_registration: bool = False


class Outbox:
    def due(self, now: dt.datetime, limit: int) -> list[OutboxEntry]:
        """Entries due by `now` that nobody holds, oldest first: the outbox's (one consistent
        Query) and the registrations' (one Query of the `mail_due` index)."""
        stamp = clock.iso(now)
        entries = [*self._queued(stamp, limit), *self._carried(stamp, limit)]
        return sorted(entries, key=lambda entry: entry.sk)[:limit]

    @staticmethod
    def _carried(stamp: str, limit: int) -> list[OutboxEntry]:
        try:
            return Outbox._carried_by_index(stamp, limit)
        except Unavailable as unavailable:
            if not _index_not_ready(unavailable.__cause__):
                raise
            # A release that adds the index deploys before DynamoDB has built it
            # (or before `bootstrap` ran): the result e-mails wait on their
            # attempts, and the outbox's own (confirmations, notices) still go.
            log.warning("the %s index is not ready: result e-mails wait", keys.MAIL_DUE_INDEX)
            return []

    @staticmethod
    def _carried_by_index(stamp: str, limit: int) -> list[OutboxEntry]:
        with dynamodb_errors():
            results = RegistrationItem.mail_due.query(
                keys.MAIL_DUE_PK,
                RegistrationItem.gsi4sk <= f"{stamp}#~",
                filter_condition=(
                    RegistrationItem.mail_lease_until.does_not_exist()
                    | (RegistrationItem.mail_lease_until < stamp)
                ),
                limit=limit,
            )
            return [
                OutboxEntry(
                    sk=item.gsi4sk,
                    kind=keys.outbox_kind(item.gsi4sk),
                    target_pk=item.pk,
                    target_sk=item.sk,
                    attempts=int(item.mail_attempts or 0),
                    on_registration=True,
                )
                for item in results
                if item.gsi4sk
            ]

    @staticmethod
    def _queued(stamp: str, limit: int) -> list[OutboxEntry]:
        with dynamodb_errors():
            results = OutboxItem.query(
                keys.OUTBOX_PK,
                # Every key due at `stamp` is `stamp#kind#...`, which sorts below `stamp#~`.
                OutboxItem.sk <= f"{stamp}#~",
                filter_condition=(OutboxItem.lease_until.does_not_exist() | (OutboxItem.lease_until < stamp)),
                consistent_read=True,
                limit=limit,
            )
            return [
                OutboxEntry(
                    sk=item.sk,
                    kind=item.kind,
                    target_pk=item.target_pk,
                    target_sk=item.target_sk,
                    attempts=int(item.attempts or 0),
                )
                for item in results
            ]

    def claim(self, entry: OutboxEntry, now: dt.datetime, hold: dt.timedelta) -> bool:
        """Take an entry for `hold` (one conditional UpdateItem); False when someone else has it,
        or when it is gone (sent, or its registration withdrawn or its attempt voided)."""
        stamp = clock.iso(now)
        if entry.on_registration:
            carrier = RegistrationItem(entry.target_pk, entry.target_sk)
            held = (RegistrationItem.gsi4sk == entry.sk) & (
                RegistrationItem.mail_lease_until.does_not_exist()
                | (RegistrationItem.mail_lease_until < stamp)
            )
            taken: list[Action] = [
                RegistrationItem.mail_lease_until.set(clock.iso(now + hold)),
                RegistrationItem.mail_attempts.add(1),
            ]
            return applied(lambda: carrier.update(actions=taken, condition=held))
        item = OutboxItem(keys.OUTBOX_PK, entry.sk)
        condition = OutboxItem.pk.exists() & (
            OutboxItem.lease_until.does_not_exist() | (OutboxItem.lease_until < stamp)
        )
        actions: list[Action] = [
            OutboxItem.lease_until.set(clock.iso(now + hold)),
            OutboxItem.attempts.add(1),
        ]
        return applied(lambda: item.update(actions=actions, condition=condition))

    def remove(self, entry: OutboxEntry) -> None:
        """Sent (or no longer sendable): the entry goes (from its registration: only that one,
        not a later result e-mail a new attempt queued meanwhile)."""
        if entry.on_registration:
            carrier = RegistrationItem(entry.target_pk, entry.target_sk)
            applied(
                lambda: carrier.update(
                    actions=mail_due_removed(), condition=RegistrationItem.gsi4sk == entry.sk
                )
            )
            return
        applied(lambda: OutboxItem(keys.OUTBOX_PK, entry.sk).delete())

    def record_sent(self, entry: OutboxEntry, now: dt.datetime) -> None:
        """Note on the registration which e-mail went out when, for the helpdesk (one UpdateItem;
        a registration withdrawn meanwhile is left alone)."""
        sent: Any = {"kind": entry.kind, "at": clock.iso(now)}
        item = RegistrationItem(entry.target_pk, entry.target_sk)
        actions: list[Action] = [RegistrationItem.mails.set((RegistrationItem.mails | []).append([sent]))]
        applied(lambda: item.update(actions=actions, condition=RegistrationItem.pk.exists()))

    def registration(self, entry: OutboxEntry) -> Registration | None:
        """The registration an entry reports on, as it is now (one consistent GetItem)."""
        with dynamodb_errors():
            try:
                item = RegistrationItem.get(entry.target_pk, entry.target_sk, consistent_read=True)
            except RegistrationItem.DoesNotExist:
                return None
        return registration_from_item(item)

    def queue_reminders(self, period_id: str, now: dt.datetime) -> int:
        """Queue a reminder for every registration of the period not yet reminded nor submitted.

        Each registration is marked `reminded_at` in the same transaction as
        its entry, conditionally, so a reminder is queued once however often
        the daily schedule runs (or however many run at once)."""
        stamp = clock.iso(now)
        queued = 0
        with dynamodb_errors():
            results = RegistrationItem.by_period.query(
                keys.by_period_pk(period_id),
                attributes_to_get=["pk", "sk", "reminded_at", "submitted_at"],
            )
            for item in results:
                if item.reminded_at is None and item.submitted_at is None:
                    queued += self._queue_reminder(item.pk, item.sk, period_id, stamp)
        return queued

    def queue_for_period(self, period_id: str, kind: str, now: dt.datetime) -> int:
        """Queue one e-mail of `kind` for every registration of the period not yet submitted."""
        stamp = clock.iso(now)
        queued = 0
        with dynamodb_errors():
            results = RegistrationItem.by_period.query(
                keys.by_period_pk(period_id), attributes_to_get=["pk", "sk", "submitted_at"]
            )
            with OutboxItem.batch_write() as batch:
                for item in results:
                    if item.submitted_at is not None:
                        continue
                    batch.save(
                        OutboxItem(
                            keys.OUTBOX_PK,
                            keys.outbox_sk(stamp, kind, keys.person_hash(item.pk), period_id),
                            kind=kind,
                            target_pk=item.pk,
                            target_sk=item.sk,
                            created_at=stamp,
                        )
                    )
                    queued += 1
        return queued

    @staticmethod
    def _queue_reminder(pk: str, sk: str, period_id: str, stamp: str) -> int:
        def build() -> Transaction:
            transaction = Transaction()
            transaction.update(
                "registration",
                RegistrationItem(pk, sk),
                actions=[RegistrationItem.reminded_at.set(stamp)],
                condition=(
                    RegistrationItem.pk.exists()
                    & RegistrationItem.reminded_at.does_not_exist()
                    & RegistrationItem.submitted_at.does_not_exist()
                ),
            )
            transaction.put("outbox", outbox_entry("reminder", pk, sk, period_id, stamp))
            return transaction

        # Refused: reminded (or submitted) meanwhile.
        return 0 if run_transaction(build) else 1


def _index_not_ready(error: BaseException | None) -> bool:
    """DynamoDB's answer to a Query of an index the table lacks, or one still being built
    ("The table does not have the specified index", "Cannot read from backfilling global
    secondary index"; moto says ResourceNotFoundException "Invalid index"): a deployment step
    not finished, not a failure of DynamoDB. A missing table still fails: its message names no index."""
    if error is None or aws.error_code(error) not in ("ValidationException", "ResourceNotFoundException"):
        return False
    cause = getattr(error, "cause", None) or error
    message = str(getattr(cause, "response", {}).get("Error", {}).get("Message", ""))
    return "index" in message.lower()
