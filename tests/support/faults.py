"""Faults moto cannot produce: DynamoDB that never answers, injected through botocore's own events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ReadTimeoutError

from chalicelib.storage.models import RegistrationItem


@contextmanager
def dynamodb_times_out(only: str | None = None) -> Iterator[list[str]]:
    """Every DynamoDB request of the app (or only those of operation `only`) times out before
    an answer; yields the operations tried."""
    client = RegistrationItem._get_connection().connection.client
    tried: list[str] = []

    def no_answer(request: Any, **_: Any) -> None:
        operation = request.headers.get("X-Amz-Target", b"").decode().rsplit(".", 1)[-1]
        tried.append(operation)
        if only is None or operation == only:
            raise ReadTimeoutError(endpoint_url=request.url)

    client.meta.events.register_first("before-send.dynamodb.*", no_answer, unique_id="test-dynamodb-timeout")
    try:
        yield tried
    finally:
        client.meta.events.unregister("before-send.dynamodb.*", unique_id="test-dynamodb-timeout")
