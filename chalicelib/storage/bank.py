"""The question bank in S3, one immutable object per version, and the table's pointer to the current one.

The bank is read by staff (imports, exports, blueprints, item analysis),
never by a candidate: an exam reads only the period's own copy of the items
it draws from (a period paper, storage/papers.py). Each import writes the
whole bank as a new object beside the papers (same bucket prefix, never
overwritten), then moves the pointer with a conditional write that names the
version it started from, so of two imports at the same moment one is refused
(`BankChanged`) instead of silently dropping the other's items.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import clock
from chalicelib.config import Settings
from chalicelib.domain.bank import Bank, parse_bank
from chalicelib.domain.errors import BankChanged, Unavailable
from chalicelib.storage import aws, keys
from chalicelib.storage.dynamo import applied, dynamodb_errors
from chalicelib.storage.staff_models import BankPointerItem

log = logging.getLogger(__name__)


class BankStore:
    """The bank's versions (by S3 key, cached in this container) and the current pointer."""

    def __init__(self, settings: Settings) -> None:
        self._bucket = settings.bucket_name
        self._region = settings.region
        self._cache: dict[str, Bank] = {}

    def _s3(self) -> Any:
        return aws.client("s3", self._region)

    def current(self) -> tuple[str | None, Bank]:
        """The current version's key (None while the bank is empty) and its items: one GetItem."""
        with dynamodb_errors():
            try:
                pointer = BankPointerItem.get(keys.BANK_PK, keys.BANK_SK, consistent_read=True)
            except BankPointerItem.DoesNotExist:
                return None, Bank()
        return pointer.key, self.load(pointer.key)

    def load(self, key: str) -> Bank:
        found = self._cache.get(key)
        if found is not None:
            return found
        try:
            body: bytes = self._s3().get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            log.error("s3 get_object of the bank failed: %s", type(exc).__name__)
            raise Unavailable() from exc
        bank = parse_bank(json.loads(body))
        self._cache[key] = bank
        return bank

    def save(self, bank: Bank, previous: str | None, now: dt.datetime) -> str:
        """Store `bank` as a new version and make it current, if `previous` is still current."""
        body = json.dumps(bank.document(), ensure_ascii=False, indent=1).encode("utf-8")
        key = keys.bank_key(now, hashlib.sha256(body).hexdigest())
        try:
            self._s3().put_object(
                Bucket=self._bucket, Key=key, Body=body, ContentType="application/json; charset=utf-8"
            )
        except (ClientError, BotoCoreError) as exc:
            log.warning("s3 put_object of the bank failed: %s", type(exc).__name__)
            raise Unavailable() from exc
        self._cache[key] = bank
        item = BankPointerItem(keys.BANK_PK, keys.BANK_SK, key=key, saved_at=clock.iso(now))
        condition = (
            BankPointerItem.pk.does_not_exist() if previous is None else BankPointerItem.key == previous
        )
        if not applied(lambda: item.save(condition=condition)):
            raise BankChanged()
        return key
