"""The export's marks on moto: 100 passers a conditional transaction, item by item when one
condition cancels it, so nobody is marked twice and nobody is left unmarked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib.runtime import Runtime
from chalicelib.storage.exports import MARK_TRANSACTION, PasserKey, PasserStore
from chalicelib.storage.models import RegistrationItem
from tests.conftest import beijing
from tests.support import calls
from tests.support.export_data import bulk_passers, make_period

EXAM_DAY = dt.date(2026, 12, 18)
EVENING = beijing(2026, 12, 18, 19)
EARLIER = beijing(2026, 12, 18, 18)


def pending_keys(store: PasserStore, period_id: str) -> list[PasserKey]:
    return [record.key for record in store.passers(period_id, None, full=False)]


def stamps(keys: list[PasserKey]) -> list[str | None]:
    return [RegistrationItem.get(pk, sk, consistent_read=True).exported_at for pk, sk, _ in keys]


def test_passers_are_marked_a_hundred_to_a_conditional_transaction(rt: Runtime, travel: Any) -> None:
    travel(beijing(2026, 12, 18, 12))
    period = make_period(rt, EXAM_DAY)
    bulk_passers(rt, period, 2 * MARK_TRANSACTION + 1)
    store = PasserStore()
    keys = pending_keys(store, period.id)

    with calls.operations(calls.app_clients(rt)) as counted:
        marked = store.mark(keys, EVENING)

    assert marked == len(keys) == 201
    assert counted["dynamodb:TransactWriteItems"] == 2  # 100 + 100
    assert counted["dynamodb:UpdateItem"] == 1  # the last one alone needs no transaction
    assert store.count_pending(period.id) == 0
    assert set(stamps(keys)) == {EVENING.isoformat()}


def test_one_passer_marked_already_cancels_the_transaction_and_the_rest_are_marked_one_by_one(
    rt: Runtime, travel: Any
) -> None:
    travel(beijing(2026, 12, 18, 12))
    period = make_period(rt, EXAM_DAY)
    bulk_passers(rt, period, MARK_TRANSACTION + 20)
    store = PasserStore()
    keys = pending_keys(store, period.id)
    # Another run marked passer 37 a moment ago (as a run that died mid-marks would have).
    assert store.mark([keys[37]], EARLIER) == 1

    with calls.operations(calls.app_clients(rt)) as counted:
        marked = store.mark(keys, EVENING)

    # The first 100 in a transaction that passer 37's condition cancels: nothing of it written,
    # then 99 UpdateItem (37 is skipped: its condition already said it is not pending); the
    # last 20 in a transaction of their own.
    assert marked == len(keys) - 1
    assert counted["dynamodb:TransactWriteItems"] == 2
    assert counted["dynamodb:UpdateItem"] == MARK_TRANSACTION - 1
    assert store.count_pending(period.id) == 0
    found = stamps(keys)
    assert found[37] == EARLIER.isoformat()  # not marked twice
    assert found[:37] + found[38:] == [EVENING.isoformat()] * (len(keys) - 1)  # nobody lost

    # Marking them all again marks nobody: every transaction is cancelled, every fallback refused.
    with calls.operations(calls.app_clients(rt)) as counted:
        assert store.mark(keys, EVENING + dt.timedelta(hours=1)) == 0
    assert counted["dynamodb:TransactWriteItems"] == 2 and counted["dynamodb:UpdateItem"] == 0
    assert stamps(keys) == found


def test_a_key_listed_twice_in_one_batch_is_marked_once(rt: Runtime, travel: Any) -> None:
    travel(beijing(2026, 12, 18, 12))
    period = make_period(rt, EXAM_DAY)
    bulk_passers(rt, period, 3)
    store = PasserStore()
    keys = pending_keys(store, period.id)

    assert store.mark([keys[0], *keys, keys[2]], EVENING) == 3
    assert store.count_pending(period.id) == 0
