"""Count what the one DynamoDB table holds, by item kind, straight from the emulator.

Tests use this to prove that a refused write left nothing behind and that,
under concurrency, each value was claimed exactly once.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from chalicelib.config import Settings
from chalicelib.storage import aws


def table_items(settings: Settings) -> list[dict[str, Any]]:
    """Every item of the stage's table (a Scan: tests only, never the app)."""
    client = aws.client("dynamodb", settings.region)
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=settings.table_name, ConsistentRead=True):
        items.extend(page["Items"])
    return items


def kind_of(item: dict[str, Any]) -> str:
    pk, sk = item["pk"]["S"], item["sk"]["S"]
    if sk.startswith("reg#"):
        return "registration"
    if pk.startswith("claim#"):
        return "claim:" + pk.split("#")[1]
    if pk.startswith("person#"):
        return "person"
    if pk.startswith("lock#"):
        return "lock"
    return pk


def count_kinds(settings: Settings) -> Counter[str]:
    """How many items of each kind: registration, claim:phone, claim:email, person, outbox, period..."""
    return Counter(kind_of(item) for item in table_items(settings))
