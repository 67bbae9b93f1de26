"""DynamoDB side of the passers' export: read passers by Query, keep the watermark, mark.

Passers are read from the sparse `passers` index, one period's partition,
page by page: never a Scan, and never the whole period in memory. Their
index sort key is `pending#<submitted_at>#<hash>` until they are exported,
`exported#...` after, so the pending ones of a period are one key range.

Exactly once rests on the period's export state item, written only by the
holder of the period's export lease:

- `through` (the watermark) is the newest pending key included in an e-mail
  SES has accepted. It is written right after the send, in one UpdateItem,
  so the next run starts after it. Global secondary indexes are eventually
  consistent: a passer marked a moment ago may still be listed as pending,
  but never above the watermark, so it is never sent twice.
- The passers up to the watermark are then marked exported (conditional
  updates, so none is marked twice; one UpdateItem each, not transactions:
  a mark needs no partner write, and moto copies the whole table for every
  transaction), and `marked_through` records that the
  marking finished. A run that died between the two finishes the marking
  before anything else.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain.export import Passer
from chalicelib.storage import keys
from chalicelib.storage.models import ExportStateItem, RegistrationItem
from chalicelib.storage.repository import _dynamodb

log = logging.getLogger(__name__)

# Keys read (and marked) per round: bounds memory whatever the period's size.
MARK_BATCH = 500
PAGE_SIZE = 1000
_PASSER_ATTRIBUTES = ["pk", "sk", "gsi2sk", "name", "id_number", "phone", "email", "score", "submitted_at"]
_KEY_ATTRIBUTES = ["pk", "sk", "gsi2sk"]


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
    sort_key: str
    passer: Passer

    @property
    def pending(self) -> bool:
        return self.sort_key.startswith(keys.PASSERS_PENDING_FIRST)


def _passer(item: RegistrationItem) -> PasserRecord:
    assert item.gsi2sk is not None and item.submitted_at is not None, "the index only holds passers"
    return PasserRecord(
        sort_key=item.gsi2sk,
        passer=Passer(
            name=item.name,
            id_number=item.id_number,
            phone=item.phone,
            email=item.email,
            score=int(item.score or 0),
            submitted_at=clock.parse_iso(item.submitted_at),
        ),
    )


class PasserStore:
    """The export's reads and writes, each named for what it means.

    `workers`: how many marks run at once. An emulator takes one (moto is
    not thread-safe); DynamoDB takes many, which keeps the marking of
    thousands of passers to seconds.
    """

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, workers)

    # The watermark ----------------------------------------------------------

    def state(self, period_id: str) -> ExportState:
        """The period's export state, read consistently (one GetItem)."""
        with _dynamodb():
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
        run went ahead (this one's lease had expired); it owns the marking."""
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
        with _dynamodb():
            try:
                item.update(actions=actions, condition=condition)
            except UpdateError as exc:
                if exc.cause_response_code == "ConditionalCheckFailedException":
                    return False
                raise
        return True

    def record_marked(self, period_id: str, through: str) -> None:
        item = ExportStateItem(keys.export_state_pk(period_id), keys.EXPORT_STATE_SK)
        with _dynamodb():
            try:
                item.update(
                    actions=[ExportStateItem.marked_through.set(through)],
                    condition=ExportStateItem.through == through,
                )
            except UpdateError as exc:
                if exc.cause_response_code != "ConditionalCheckFailedException":
                    raise
                log.warning("export watermark moved while marking; the newer run finishes the marks")

    # Reading passers ------------------------------------------------------------

    def passers(self, period_id: str, after: str | None, full: bool) -> Iterator[PasserRecord]:
        """The period's passers in index order, streamed by Query pages.

        Pending ones after the watermark; with `full`, every passer of the period."""
        with _dynamodb():
            if full:
                results = RegistrationItem.passers.query(
                    keys.passers_pk(period_id), attributes_to_get=_PASSER_ATTRIBUTES, page_size=PAGE_SIZE
                )
            else:
                results = RegistrationItem.passers.query(
                    keys.passers_pk(period_id),
                    range_key_condition=_pending_after(after),
                    attributes_to_get=_PASSER_ATTRIBUTES,
                    page_size=PAGE_SIZE,
                )
            for item in results:
                if item.gsi2sk == after:
                    continue
                yield _passer(item)

    def count(self, period_id: str, after: str | None, full: bool) -> int:
        """How many passers `passers` would give (Query with Select=COUNT; for progress bars)."""
        condition = None if full else _pending_after(after)
        with _dynamodb():
            return int(RegistrationItem.passers.count(keys.passers_pk(period_id), condition))

    def _pending_keys(
        self, period_id: str, after: str | None, through: str | None, limit: int | None = None
    ) -> Iterator[tuple[str, str, str]]:
        upper = through or keys.PASSERS_PENDING_LAST
        lower = after or keys.PASSERS_PENDING_FIRST
        if lower > upper:
            return
        with _dynamodb():
            results = RegistrationItem.passers.query(
                keys.passers_pk(period_id),
                range_key_condition=RegistrationItem.gsi2sk.between(lower, upper),
                attributes_to_get=_KEY_ATTRIBUTES,
                limit=limit,
                page_size=min(limit or PAGE_SIZE, PAGE_SIZE),
            )
            for item in results:
                if item.gsi2sk is None or item.gsi2sk == after:
                    continue
                yield item.pk, item.sk, item.gsi2sk

    def has_pending(self, period_id: str, after: str | None) -> bool:
        """Whether any passer after the watermark awaits export (a Query of at most 2 keys)."""
        # The watermark itself may come back (BETWEEN is inclusive): ask for two.
        return any(True for _ in self._pending_keys(period_id, after, None, limit=2))

    def count_pending(self, period_id: str, after: str | None) -> int:
        return sum(1 for _ in self._pending_keys(period_id, after, None))

    # Marking --------------------------------------------------------------------

    def mark_exported(
        self,
        period_id: str,
        after: str | None,
        through: str,
        now: dt.datetime,
        on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Mark the pending passers in (after, through] exported; how many were marked.

        Each passer is one UpdateItem conditional on it still being pending
        under the key just read, so none is ever marked twice. They run on
        `self.workers` threads (botocore clients are thread-safe); a page of
        keys is read, marked, then the next page is read."""
        stamp = clock.iso(now)

        def mark(key: tuple[str, str, str]) -> int:
            pk, sk, pending = key
            return self._mark_one(pk, sk, pending, stamp)

        marked = 0
        page: list[tuple[str, str, str]] = []
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for key in self._pending_keys(period_id, after, through):
                page.append(key)
                if len(page) == MARK_BATCH:
                    marked += sum(pool.map(mark, page))
                    page = []
                    if on_progress is not None:
                        on_progress(marked)
            marked += sum(pool.map(mark, page))
        if on_progress is not None:
            on_progress(marked)
        return marked

    @staticmethod
    def _mark_one(pk: str, sk: str, pending: str, stamp: str) -> int:
        with _dynamodb():
            try:
                RegistrationItem(pk, sk).update(
                    actions=_mark_actions(pending, stamp), condition=RegistrationItem.gsi2sk == pending
                )
            except UpdateError as exc:
                if exc.cause_response_code == "ConditionalCheckFailedException":
                    return 0
                raise
        return 1


def _pending_after(after: str | None) -> Condition:
    # BETWEEN is inclusive: the watermark itself may come back and is skipped by the caller.
    return RegistrationItem.gsi2sk.between(after or keys.PASSERS_PENDING_FIRST, keys.PASSERS_PENDING_LAST)


def _mark_actions(pending: str, stamp: str) -> list[Action]:
    return [
        RegistrationItem.gsi2sk.set(keys.exported_sk(pending)),
        RegistrationItem.exported_at.set(stamp),
    ]
