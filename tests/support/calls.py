"""Count AWS API calls by operation, through botocore's own event hooks (no patching)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chalicelib.runtime import Runtime
from chalicelib.storage import aws
from chalicelib.storage.models import RegistrationItem


def app_clients(rt: Runtime) -> list[Any]:
    """Every botocore client the export and the mail use: DynamoDB (PynamoDB's), S3, SES."""
    return [
        RegistrationItem._get_connection().connection.client,
        aws.client("s3", rt.settings.region),
        aws.client("ses", rt.settings.ses_region),
    ]


@contextmanager
def operations(clients: list[Any]) -> Iterator[Counter[str]]:
    """`with operations(clients) as calls: ...` then `calls["Query"]` (retries not counted)."""
    calls: Counter[str] = Counter()
    hook_id = f"count-{uuid.uuid4().hex}"

    def count(model: Any, **_: Any) -> None:
        calls[f"{model.service_model.service_name}:{model.name}"] += 1

    for client in clients:
        client.meta.events.register("before-call.*.*", count, unique_id=hook_id)
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.*.*", unique_id=hook_id)
