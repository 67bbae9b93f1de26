"""DynamoDB side of entry into the city's system: mark exported passers entered, count them.

A passer is marked on its registration item (`entered_on`, `entered_by`,
`entered_at`) by one UpdateItem whose condition is the whole rule: the item
is an exported passer of this period (`gsi2pk`, `gsi2sk` begins with
`exported#`) and has no entry yet. So an ID number that is no exported
passer of the period changes nothing, and a passer is marked once however
many staff mark it at the same time. Only after a refusal is the item read
(consistently), to tell the staff member whether it was entered already or
is no exported passer: the read reports, it never decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain.entries import ALREADY, MARKED, NOT_PASSER, Entry, EntryCounts, count_entries
from chalicelib.storage import keys
from chalicelib.storage.dynamo import applied, dynamodb_errors
from chalicelib.storage.models import RegistrationItem

PAGE_SIZE = 1000
_COUNT_ATTRIBUTES = ["pk", "sk", "gsi2sk", "entered_on"]


class EntryStore:
    """`id_hash`: the keyed hash that stands for an ID number in keys (the repository's).
    `workers`: how many marks run at once (an emulator takes one)."""

    def __init__(self, id_hash: Callable[[str], str], workers: int = 1) -> None:
        self._id_hash = id_hash
        self.workers = max(1, workers)

    def _condition(self, period_id: str) -> Condition:
        condition: Condition = (
            (RegistrationItem.gsi2pk == keys.passers_pk(period_id))
            & RegistrationItem.gsi2sk.startswith(keys.PASSERS_EXPORTED_FIRST)
            & RegistrationItem.entered_on.does_not_exist()
        )
        return condition

    def _mark_key(self, period_id: str, pk: str, sk: str, entry: Entry) -> bool:
        item = RegistrationItem(pk, sk)
        actions: list[Action] = [
            RegistrationItem.entered_on.set(entry.entered_on.isoformat()),
            RegistrationItem.entered_by.set(entry.staff),
            RegistrationItem.entered_at.set(clock.iso(entry.at)),
        ]
        return applied(lambda: item.update(actions=actions, condition=self._condition(period_id)))

    def _refused(self, period_id: str, pk: str, sk: str) -> str:
        """Why a mark was refused: entered already, or no exported passer of the period."""
        with dynamodb_errors():
            try:
                item = RegistrationItem.get(
                    pk, sk, consistent_read=True, attributes_to_get=["gsi2pk", "gsi2sk", "entered_on"]
                )
            except RegistrationItem.DoesNotExist:
                return NOT_PASSER
        exported = item.gsi2pk == keys.passers_pk(period_id) and (item.gsi2sk or "").startswith(
            keys.PASSERS_EXPORTED_FIRST
        )
        return ALREADY if exported and item.entered_on else NOT_PASSER

    def mark(self, period_id: str, id_numbers: Sequence[str], entry: Entry) -> list[str]:
        """Mark these ID numbers' passers of the period entered: one outcome per ID number, in order
        (`marked`, `already` or `not_passer`)."""
        sk = keys.registration_sk(period_id)

        def one(id_number: str) -> str:
            pk = keys.person_pk(self._id_hash(id_number))
            if self._mark_key(period_id, pk, sk, entry):
                return MARKED
            return self._refused(period_id, pk, sk)

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return list(pool.map(one, id_numbers))

    def mark_all(self, period_id: str, entry: Entry) -> tuple[int, int]:
        """Mark every exported passer of the period not entered yet: (marked, entered already)."""
        listed = list(self._exported(period_id))
        already = sum(1 for _, _, entered in listed if entered)
        todo = [(pk, sk) for pk, sk, entered in listed if not entered]
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            written = list(pool.map(lambda key: self._mark_key(period_id, key[0], key[1], entry), todo))
        marked = sum(written)
        # A refusal here is a passer marked meanwhile (the index lags a moment behind).
        return marked, already + len(written) - marked

    def _exported(self, period_id: str) -> Iterator[tuple[str, str, bool]]:
        with dynamodb_errors():
            results = RegistrationItem.passers.query(
                keys.passers_pk(period_id),
                range_key_condition=RegistrationItem.gsi2sk.startswith(keys.PASSERS_EXPORTED_FIRST),
                attributes_to_get=_COUNT_ATTRIBUTES,
                page_size=PAGE_SIZE,
            )
            for item in results:
                yield item.pk, item.sk, bool(item.entered_on)

    def counts(self, period_id: str) -> EntryCounts:
        """The period's passers, exported and entered: one Query of the passers index, by pages."""
        with dynamodb_errors():
            results = RegistrationItem.passers.query(
                keys.passers_pk(period_id), attributes_to_get=_COUNT_ATTRIBUTES, page_size=PAGE_SIZE
            )
            return count_entries(
                ((item.gsi2sk or "").startswith(keys.PASSERS_EXPORTED_FIRST), bool(item.entered_on))
                for item in results
            )
