"""DynamoDB side of the passers' export: read passers by Query, keep the watermark, mark.

Passers are read from the sparse `passers` index, one period's partition,
page by page: never a Scan, and never the whole period in memory. Their
index sort key is `pending#<submitted_at>#<hash>` until they are exported,
`exported#...` after, so the pending ones of a period are one key range.

Exactly once rests on the period's export state item, written only by the
holder of the period's export lease:

- `through` (the watermark) is the newest pending key included in an e-mail
  SES has accepted, written right after the send in one UpdateItem.
- Global secondary indexes are eventually consistent: a passer marked a
  moment ago may still be listed as pending. Such a listing is at or below
  the watermark, and only those are checked with a consistent GetItem before
  being sent (normally there are none), so nobody is sent twice, and a
  passer who is really still pending is never skipped.
- The passers sent are then marked exported, up to 100 in one
  TransactWriteItems, each item conditional on the passer still being
  pending under the key it was read with (so none is marked twice). A
  transaction is all or nothing: when one condition fails (someone marked
  that passer already), DynamoDB writes none of the 100, and the others are
  marked one UpdateItem each, still conditional (so none is lost). Then
  `marked_through` records that the marks are complete. A run that died
  between the send and the end of the marks leaves `marked_through` behind
  `through`; the next run marks the pending passers up to the watermark
  before anything else.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain.export import Passer
from chalicelib.storage import keys
from chalicelib.storage.dynamo import Transaction, applied, dynamodb_errors, run_transaction
from chalicelib.storage.items import passer_from_item
from chalicelib.storage.models import RegistrationItem
from chalicelib.storage.staff_models import ExportStateItem, LockItem

log = logging.getLogger(__name__)

# Marks per TransactWriteItems: DynamoDB's limit of items in one transaction.
MARK_TRANSACTION = 100
# Keys marked per round (and so held in memory at once), whatever the period's size:
# ten transactions, enough for the workers of a real DynamoDB.
MARK_BATCH = 10 * MARK_TRANSACTION
PAGE_SIZE = 1000
# Only what the export's columns need: the answer sheets stay in the table.
_PASSER_ATTRIBUTES = ["pk", "sk", "gsi2sk", "name", "id_number", "phone", "email", "score", "submitted_at"]
_KEY_ATTRIBUTES = ["pk", "sk", "gsi2sk"]

PasserKey = tuple[str, str, str]  # pk, sk, the pending index sort key


@dataclass(frozen=True)
class ExportState:
    through: str | None = None
    marked_through: str | None = None
    exported: int = 0
    last_run_at: str | None = None

    @property
    def unmarked(self) -> bool:
        """An e-mail was accepted but its passers are not all marked yet."""
        return self.through is not None and self.marked_through != self.through


@dataclass(frozen=True)
class PasserRecord:
    key: PasserKey
    passer: Passer
    # Not exported yet: this run exports (and marks) it.
    new: bool

    @property
    def sort_key(self) -> str:
        return self.key[2]


def _pending_range(upper: str | None = None) -> Condition:
    return RegistrationItem.gsi2sk.between(keys.PASSERS_PENDING_FIRST, upper or keys.PASSERS_PENDING_LAST)


def _mark_actions(pending: str, stamp: str) -> list[Action]:
    return [
        RegistrationItem.gsi2sk.set(keys.exported_sk(pending)),
        RegistrationItem.exported_at.set(stamp),
    ]


class PasserStore:
    """The export's reads and writes, each named for what it means.

    `workers`: how many marks run at once. An emulator takes one (moto is
    not thread-safe); DynamoDB takes many, which keeps the marking of
    thousands of passers to seconds.
    """

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, workers)

    # The lease ------------------------------------------------------------------

    def acquire_lease(self, period_id: str, holder: str, now: dt.datetime, duration: dt.timedelta) -> bool:
        """Take the period's export lease unless someone else holds an unexpired one."""
        item = LockItem(
            keys.lock_pk(keys.export_lease(period_id)),
            keys.LOCK_SK,
            holder=holder,
            lease_until=clock.iso(now + duration),
        )
        condition = LockItem.pk.does_not_exist() | (LockItem.lease_until < clock.iso(now))
        return applied(lambda: item.save(condition=condition))

    def release_lease(self, period_id: str, holder: str) -> None:
        item = LockItem(keys.lock_pk(keys.export_lease(period_id)), keys.LOCK_SK)
        # Refused when the lease expired and someone else took it: theirs to release.
        applied(lambda: item.delete(condition=LockItem.holder == holder))

    # The watermark ----------------------------------------------------------

    def state(self, period_id: str) -> ExportState:
        """The period's export state, read consistently (one GetItem)."""
        with dynamodb_errors():
            try:
                item = ExportStateItem.get(
                    keys.export_state_pk(period_id), keys.EXPORT_STATE_SK, consistent_read=True
                )
            except ExportStateItem.DoesNotExist:
                return ExportState()
        return ExportState(
            through=item.through,
            marked_through=item.marked_through,
            exported=int(item.exported or 0),
            last_run_at=item.last_run_at,
        )

    def record_sent(
        self,
        period_id: str,
        previous: str | None,
        through: str | None,
        new_count: int,
        sent_count: int,
        csv_key: str,
        xlsx_key: str,
        now: dt.datetime,
    ) -> bool:
        """Move the watermark after SES accepted an e-mail (one conditional UpdateItem).

        False when the watermark is no longer where this run found it: another
        run went ahead (this one's lease had expired)."""
        item = ExportStateItem(keys.export_state_pk(period_id), keys.EXPORT_STATE_SK)
        actions: list[Action] = [
            ExportStateItem.last_run_at.set(clock.iso(now)),
            ExportStateItem.last_count.set(sent_count),
            ExportStateItem.last_csv_key.set(csv_key),
            ExportStateItem.last_xlsx_key.set(xlsx_key),
            ExportStateItem.exported.add(new_count),
        ]
        if through is not None:
            actions.append(ExportStateItem.through.set(through))
        condition = (
            ExportStateItem.through.does_not_exist()
            if previous is None
            else ExportStateItem.through == previous
        )
        return applied(lambda: item.update(actions=actions, condition=condition))

    def record_marked(self, period_id: str, through: str) -> None:
        item = ExportStateItem(keys.export_state_pk(period_id), keys.EXPORT_STATE_SK)
        if not applied(
            lambda: item.update(
                actions=[ExportStateItem.marked_through.set(through)],
                condition=ExportStateItem.through == through,
            )
        ):
            log.warning("export watermark moved while marking; the newer run finishes the marks")

    # Reading passers ------------------------------------------------------------

    def passers(self, period_id: str, through: str | None, full: bool) -> Iterator[PasserRecord]:
        """The passers to send, in index order, streamed by Query pages.

        The ones not exported yet; with `full`, every passer of the period
        (those not exported yet flagged `new`). `through` is the watermark."""
        condition = None if full else _pending_range()
        with dynamodb_errors():
            results = RegistrationItem.passers.query(
                keys.passers_pk(period_id),
                range_key_condition=condition,
                attributes_to_get=_PASSER_ATTRIBUTES,
                page_size=PAGE_SIZE,
            )
            for item in results:
                sort_key = item.gsi2sk or ""
                key = (item.pk, item.sk, sort_key)
                new = sort_key.startswith(keys.PASSERS_PENDING_FIRST) and (
                    through is None or sort_key > through or self._still_pending(key)
                )
                if new or full:
                    yield PasserRecord(key, passer_from_item(item), new)

    def _still_pending(self, key: PasserKey) -> bool:
        """A pending listing at or below the watermark: usually an index lagging behind a mark."""
        pk, sk, sort_key = key
        try:
            item = RegistrationItem.get(pk, sk, consistent_read=True, attributes_to_get=["gsi2sk"])
        except RegistrationItem.DoesNotExist:
            return False
        return item.gsi2sk == sort_key

    def count(self, period_id: str, full: bool) -> int:
        """About how many passers `passers` gives (Query with Select=COUNT; for progress bars)."""
        with dynamodb_errors():
            return int(
                RegistrationItem.passers.count(keys.passers_pk(period_id), None if full else _pending_range())
            )

    def _pending_keys(
        self, period_id: str, through: str | None = None, limit: int | None = None
    ) -> Iterator[PasserKey]:
        with dynamodb_errors():
            results = RegistrationItem.passers.query(
                keys.passers_pk(period_id),
                range_key_condition=_pending_range(through),
                attributes_to_get=_KEY_ATTRIBUTES,
                limit=limit,
                page_size=min(limit or PAGE_SIZE, PAGE_SIZE),
            )
            for item in results:
                if item.gsi2sk is not None:
                    yield item.pk, item.sk, item.gsi2sk

    def has_pending(self, period_id: str) -> bool:
        """Whether the index lists any passer as not exported (a Query for one key)."""
        return any(True for _ in self._pending_keys(period_id, limit=1))

    def count_pending(self, period_id: str) -> int:
        return sum(1 for _ in self._pending_keys(period_id))

    # Marking --------------------------------------------------------------------

    def mark(
        self, passers: Iterable[PasserKey], now: dt.datetime, on_progress: Callable[[int], None] | None = None
    ) -> int:
        """Mark these passers exported; how many were (a passer marked already is skipped).

        `MARK_TRANSACTION` passers per TransactWriteItems, each conditional on
        it still being pending under the key it was read with, run on
        `self.workers` threads (botocore clients are thread-safe), `MARK_BATCH`
        at a time. A transaction cancelled for a condition wrote nothing: its
        passers are then marked one by one (`_mark_group`)."""
        stamp = clock.iso(now)
        marked = 0
        remaining = iter(passers)
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            while batch := list(islice(remaining, MARK_BATCH)):
                groups = _groups(batch)
                marked += sum(pool.map(lambda group: self._mark_group(group, stamp), groups))
                if on_progress is not None:
                    on_progress(marked)
        return marked

    def _mark_group(self, group: list[PasserKey], stamp: str) -> int:
        """One transaction of marks; item by item when a condition cancelled it."""
        if len(group) == 1:
            return self._mark_one(group[0], stamp)

        def build() -> Transaction:
            transaction = Transaction()
            for index, (pk, sk, pending) in enumerate(group):
                transaction.update(
                    str(index),
                    RegistrationItem(pk, sk),
                    _mark_actions(pending, stamp),
                    condition=RegistrationItem.gsi2sk == pending,
                )
            return transaction

        failed = run_transaction(build)
        if not failed:
            return len(group)
        # Cancelled, so nothing of it was written. A passer whose condition failed is no
        # longer pending under that key (another run marked it): its own UpdateItem would
        # fail the same way. Every other one is marked now, each still conditional.
        log.info("export marks: %d of %d marked already; the rest one by one", len(failed), len(group))
        return sum(self._mark_one(key, stamp) for index, key in enumerate(group) if str(index) not in failed)

    def _mark_one(self, key: PasserKey, stamp: str) -> int:
        pk, sk, pending = key
        written = applied(
            lambda: RegistrationItem(pk, sk).update(
                actions=_mark_actions(pending, stamp), condition=RegistrationItem.gsi2sk == pending
            )
        )
        return 1 if written else 0

    def mark_pending_through(self, period_id: str, through: str, now: dt.datetime) -> int:
        """After a run died mid-marks: mark every passer still pending up to the watermark."""
        return self.mark(self._pending_keys(period_id, through), now)


def _groups(batch: list[PasserKey]) -> list[list[PasserKey]]:
    """The batch in transactions of `MARK_TRANSACTION`, each item once (a transaction may
    not touch one item twice; a repeated key is marked by its first listing)."""
    seen: set[tuple[str, str]] = set()
    unique: list[PasserKey] = []
    for key in batch:
        if (key[0], key[1]) not in seen:
            seen.add((key[0], key[1]))
            unique.append(key)
    return [unique[start : start + MARK_TRANSACTION] for start in range(0, len(unique), MARK_TRANSACTION)]
