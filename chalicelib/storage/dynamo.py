"""The DynamoDB toolkit every store uses: error mapping, conditional writes, transactions.

Every PynamoDB or botocore failure leaves storage as a domain error:
`Unavailable` (503, safe to retry) when DynamoDB itself failed. A condition
that refused a write is an answer, not a failure: `applied()` says False and
`run_transaction()` returns the labels of the items whose condition failed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import DomainError, Unavailable
from chalicelib.storage import aws
from chalicelib.storage.models import RegistrationItem

log = logging.getLogger(__name__)

# DynamoDB cancels a transaction that touches an item another transaction is
# writing at the same moment (TransactionConflict). That is contention, not a
# refusal: try again a few times before answering 503.
TRANSACTION_ATTEMPTS = 4
RETRY_BASE_SECONDS = 0.02


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


def request(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """One request a hot path builds itself (`update_item`, `get_item`), on the models' own
    client and table: fixed expressions made once, nothing asked back that nobody reads,
    and no model built from the answer. Its failures are PynamoDB's exception, as any
    other call's, so `applied` and `dynamodb_errors` read them the same way."""
    connection = RegistrationItem._get_connection()
    call = getattr(connection.connection.client, method)
    try:
        answer: dict[str, Any] = call(TableName=connection.table_name, **params)
    except (BotoCoreError, ClientError) as exc:
        raise PynamoDBException(f"{method} failed: {exc}", exc) from exc
    return answer


def query_items(params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item a Query built by a hot path answers (`request`), page after page, as stored."""
    items: list[dict[str, Any]] = []
    while True:
        answer = request("query", params)
        items.extend(answer.get("Items", ()))
        last = answer.get("LastEvaluatedKey")
        if not last:
            return items
        params = {**params, "ExclusiveStartKey": last}


class Transaction:
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


class Requests:
    """A transaction a hot path builds as DynamoDB's own `TransactItems` (see `request`), each
    with a label; sent in the order added, which is the order of the cancellation reasons.

    The same runner retries it and reads its refusals as a `Transaction`'s."""

    def __init__(self) -> None:
        self._items: list[tuple[str, str, dict[str, Any]]] = []

    def add(self, label: str, action: str, params: dict[str, Any]) -> None:
        """`action` is `ConditionCheck`, `Put`, `Update` or `Delete`; `params` without the table."""
        self._items.append((label, action, params))

    @property
    def labels(self) -> list[str]:
        return [label for label, _, _ in self._items]

    def commit(self, connection: Any) -> None:
        table = RegistrationItem._get_connection().table_name
        items = [{action: {"TableName": table, **params}} for _, action, params in self._items]
        try:
            connection.client.transact_write_items(TransactItems=items)
        except (BotoCoreError, ClientError) as exc:
            raise PynamoDBException(f"transact_write_items failed: {exc}", exc) from exc


def _reason_codes(error: PynamoDBException) -> list[str | None]:
    """The cancellation reasons' codes, one per item in order (None: that item was fine)."""
    if isinstance(error, TransactWriteError):
        return [reason.code if reason is not None else None for reason in error.cancellation_reasons]
    response = getattr(error.cause, "response", None) or {}
    return [
        r.get("Code") if r.get("Code") != "None" else None for r in response.get("CancellationReasons", ())
    ]


def _failed_labels(error: PynamoDBException, labels: Sequence[str]) -> tuple[set[str], bool]:
    """Which items' conditions failed, and whether any item hit a conflict."""
    failed: set[str] = set()
    conflict = False
    for label, code in zip(labels, _reason_codes(error), strict=False):
        if code == "ConditionalCheckFailed":
            failed.add(label)
        elif code == "TransactionConflict":
            conflict = True
    return failed, conflict


def run_transaction(
    build: Callable[[], Transaction | Requests], sleep: Callable[[float], None] = time.sleep
) -> set[str]:
    """Commit a transaction, rebuilt and retried on conflicts; the labels whose condition failed."""
    connection = RegistrationItem._get_connection().connection
    for attempt in range(TRANSACTION_ATTEMPTS):
        transaction = build()
        with dynamodb_errors():
            try:
                transaction.commit(connection)
                return set()
            except PynamoDBException as exc:
                if aws.error_code(exc) != "TransactionCanceledException":
                    raise
                failed, conflict = _failed_labels(exc, transaction.labels)
                if failed:
                    return failed
                if not conflict:
                    raise
        log.info("transaction conflict, attempt %d", attempt + 1)
        sleep(RETRY_BASE_SECONDS * (2**attempt))
    raise Unavailable()
