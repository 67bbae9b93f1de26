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
from typing import Literal

from chalicelib import clock
from chalicelib.domain import attempts
from chalicelib.storage import keys
from chalicelib.storage.dynamo import applied, dynamodb_errors
from chalicelib.storage.models import FailureItem

Kind = Literal["entry", "lookup"]
# API Gateway always gives a source address; `chalice local` and odd proxies may not.
UNKNOWN_ADDRESS = "unknown"


class FailureLimits:
    def __init__(self, hash_identity: Callable[[str, str], str]) -> None:
        self._hash = hash_identity

    def _item(self, kind: Kind, id_number: str, address: str | None) -> FailureItem:
        pk = keys.failures_pk(kind, self._hash("id", id_number), self._hash("ip", address or UNKNOWN_ADDRESS))
        return FailureItem(pk, keys.FAILURES_SK)

    def arrive(
        self, kind: Kind, id_number: str, address: str | None, now: dt.datetime
    ) -> tuple[list[dt.datetime], int]:
        """Count this request in: (the failures stored for the pair, this burst window's
        arrivals including this one).

        One UpdateItem for the first request of a window (nearly every real one): it
        starts the window's count at 1. Later requests of the same window add 1 to it
        (a second UpdateItem, only when requests come in a burst). Both are atomic, so
        requests sent at once each see a different count.
        """
        item = self._item(kind, id_number, address)
        window = attempts.burst_window(now)
        # Any failure's own expiry (its time + KEEP) is no later than this.
        expires = int((now + attempts.KEEP).timestamp())
        new_window = FailureItem.burst_window.does_not_exist() | (FailureItem.burst_window != window)
        for _ in range(3):
            if applied(
                lambda: item.update(
                    actions=[
                        FailureItem.burst_window.set(window),
                        FailureItem.burst_arrivals.set(1),
                        FailureItem.expires_at.set(expires),
                    ],
                    condition=new_window,
                )
            ):
                return _instants(item.failures), 1
            if applied(
                lambda: item.update(
                    actions=[FailureItem.burst_arrivals.add(1), FailureItem.expires_at.set(expires)],
                    condition=FailureItem.burst_window == window,
                )
            ):
                return _instants(item.failures), int(item.burst_arrivals or 1)
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


def _instants(stored: list[float] | None) -> list[dt.datetime]:
    return [dt.datetime.fromtimestamp(int(s), tz=clock.BEIJING) for s in stored or ()]
