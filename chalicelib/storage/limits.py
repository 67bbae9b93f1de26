"""Where failed entries and lookups are counted: one small item per ID number and address.

The rule is `domain/attempts.py`; this module only counts arrivals and
appends the failures, so the count holds across containers (and DynamoDB's
TTL clears it). Each request first counts itself in (one UpdateItem that
returns the failures too, so a success costs that one call); a failure adds
one UpdateItem, which appends atomically (`list_append`), so failures
arriving at once are all counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from chalicelib import clock
from chalicelib.domain import attempts
from chalicelib.storage import keys
from chalicelib.storage.dynamo import applied, dynamodb_errors, request
from chalicelib.storage.models import FailureItem

Kind = Literal["entry", "lookup"]
# API Gateway always gives a source address; `chalice local` and odd proxies may not.
UNKNOWN_ADDRESS = "unknown"


class FailureLimits:
    def __init__(self, hash_identity: Callable[[str, str], str]) -> None:
        self._hash = hash_identity

    def _pk(self, kind: Kind, id_number: str, address: str | None) -> str:
        address_hash = self._hash("ip", address or UNKNOWN_ADDRESS)
        return keys.failures_pk(kind, self._hash("id", id_number), address_hash)

    def _item(self, kind: Kind, id_number: str, address: str | None) -> FailureItem:
        return FailureItem(self._pk(kind, id_number, address), keys.FAILURES_SK)

    def _key(self, kind: Kind, id_number: str, address: str | None) -> dict[str, dict[str, str]]:
        return {"pk": {"S": self._pk(kind, id_number, address)}, "sk": {"S": keys.FAILURES_SK}}

    def arrive(
        self, kind: Kind, id_number: str, address: str | None, now: dt.datetime
    ) -> tuple[list[dt.datetime], int]:
        """Count this request in: (the failures stored for the pair, this burst window's
        arrivals including this one).

        One UpdateItem for the first request of a window (nearly every real one): it
        starts the window's count at 1. Later requests of the same window add 1 to it
        (a second UpdateItem, only when requests come in a burst). Both are atomic, so
        requests sent at once each see a different count. Every entry and lookup makes
        this call, so it is sent as built here (`dynamo.request`), its expressions fixed
        strings: `Model.update` rebuilt and serialised them and decoded the item into a
        model on every request, which cost more CPU than the call itself.
        """
        key = self._key(kind, id_number, address)
        window = attempts.burst_window(now)
        # Any failure's own expiry (its time + KEEP) is no later than this.
        expires = int((now + attempts.KEEP).timestamp())
        values = {":window": {"N": str(window)}, ":expires": {"N": str(expires)}}
        for _ in range(3):
            started = _counted(_arrival(key, _START_WINDOW, values))
            if started is not None:
                return _instants(_stored_failures(started)), 1
            counted = _counted(_arrival(key, _COUNT_IN_WINDOW, values))
            if counted is not None:
                return _instants(_stored_failures(counted)), int(_stored_arrivals(counted) or 1)
        # Three windows turned over between the two writes: not a burst anyone can send.
        return self.failures(kind, id_number, address), 1

    def failures(self, kind: Kind, id_number: str, address: str | None) -> list[dt.datetime]:
        """The failures stored for the pair (one consistent GetItem)."""
        item = self._item(kind, id_number, address)
        with dynamodb_errors():
            try:
                found = FailureItem.get(item.pk, item.sk, consistent_read=True)
            except FailureItem.DoesNotExist:
                return []
        return _instants(found.failures)

    def record_failure(
        self, kind: Kind, id_number: str, address: str | None, seen: list[dt.datetime], now: dt.datetime
    ) -> list[dt.datetime]:
        """Add a failure at `now`; every failure stored afterwards (one UpdateItem, two when pruning).

        When some of what was read is too old to matter, the list is rewritten
        without it, on condition nobody appended meanwhile; otherwise (or when
        someone did) the failure is appended.
        """
        item = self._item(kind, id_number, address)
        stamp = int(now.timestamp())
        expires = int((now + attempts.KEEP).timestamp())
        kept = attempts.kept(seen, now)
        if len(kept) < len(seen):
            fresh: list[float] = [*(int(f.timestamp()) for f in kept), stamp]
            as_read: list[float] = [int(f.timestamp()) for f in seen]
            if applied(
                lambda: item.update(
                    actions=[FailureItem.failures.set(fresh), FailureItem.expires_at.set(expires)],
                    condition=FailureItem.failures == as_read,
                )
            ):
                return _instants(item.failures)
        with dynamodb_errors():
            item.update(
                actions=[
                    FailureItem.failures.set((FailureItem.failures | []).append([stamp])),
                    FailureItem.expires_at.set(expires),
                ]
            )
        return _instants(item.failures)


# An arrival's UpdateItem: the first of a burst window starts the count at 1, a later one
# of the same window adds 1; both push the item's expiry on. The whole item comes back
# (`ALL_NEW`): the failures stored are what the caller judges.
_ARRIVAL_NAMES = {
    "#window": FailureItem.burst_window.attr_name,
    "#arrivals": FailureItem.burst_arrivals.attr_name,
    "#expires": FailureItem.expires_at.attr_name,
}
_START_WINDOW = (
    "SET #window = :window, #arrivals = :one, #expires = :expires",
    "attribute_not_exists (#window) OR #window <> :window",
)
_COUNT_IN_WINDOW = ("SET #expires = :expires ADD #arrivals :one", "#window = :window")
_ONE = {"N": "1"}


def _arrival(key: dict[str, Any], expressions: tuple[str, str], values: dict[str, Any]) -> dict[str, Any]:
    update, condition = expressions
    return {
        "Key": key,
        "UpdateExpression": update,
        "ConditionExpression": condition,
        "ExpressionAttributeNames": _ARRIVAL_NAMES,
        "ExpressionAttributeValues": {**values, ":one": _ONE},
        "ReturnValues": "ALL_NEW",
    }


def _counted(params: dict[str, Any]) -> dict[str, Any] | None:
    """The item after an arrival's UpdateItem, or None when its condition refused it."""
    answer: dict[str, Any] = {}
    return answer if applied(lambda: answer.update(request("update_item", params))) else None


def _stored_failures(answer: dict[str, Any]) -> list[float]:
    stored = answer.get("Attributes", {}).get(FailureItem.failures.attr_name, {}).get("L", ())
    return [float(entry["N"]) for entry in stored]


def _stored_arrivals(answer: dict[str, Any]) -> int | None:
    stored = answer.get("Attributes", {}).get(FailureItem.burst_arrivals.attr_name)
    return int(stored["N"]) if stored else None


def _instants(stored: list[float] | None) -> list[dt.datetime]:
    return [dt.datetime.fromtimestamp(int(s), tz=clock.BEIJING) for s in stored or ()]
