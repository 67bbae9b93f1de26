"""Exam papers in S3: stored once under their own key, read once per container.

A paper is a JSON object of tens of kilobytes that every candidate of a
period reads in the same two hours, so it lives in S3, DynamoDB holds only
its key, and each Lambda container keeps the papers it has read. Keys are
never reused: each upload gets a new key carrying the upload time and a
digest of the content, and the write is refused if the key exists
(`If-None-Match: *`). A cached paper therefore never goes stale, and a warm
request reads no S3 at all. The cache remembers each object's ETag with it,
and a load checks the content against the digest in its key, so an object
changed behind the application's back is refused instead of being scored
against.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import Settings
from chalicelib.domain.blueprint import DrawnPaper, PaperSource, parse_source
from chalicelib.domain.errors import Unavailable
from chalicelib.storage import aws, keys

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class StoredPaper:
    key: str
    etag: str
    paper: PaperSource


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _digest_in_key(key: str) -> str:
    """`papers/<period>/<stamp>-<digest[:12]>.json` → the digest prefix."""
    return key.rsplit("/", 1)[-1].removesuffix(".json").rsplit("-", 1)[-1]


class PaperStore:
    """The bucket's papers, and this container's cache of them (by key, with ETag)."""

    def __init__(self, settings: Settings) -> None:
        self._bucket = settings.bucket_name
        self._region = settings.region
        self._cache: dict[str, StoredPaper] = {}
        self._lock = threading.Lock()

    def _s3(self) -> Any:
        return aws.client("s3", self._region)

    def put(
        self, period_id: str, document: Mapping[str, Any], paper: PaperSource, now: dt.datetime
    ) -> StoredPaper:
        """Store a validated paper under a new key (never overwriting one) and cache it."""
        body = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
        key = keys.paper_key(period_id, now, _digest(body), drawn=isinstance(paper, DrawnPaper))
        try:
            answer = self._s3().put_object(
                Bucket=self._bucket, Key=key, Body=body, ContentType=CONTENT_TYPE, IfNoneMatch="*"
            )
            etag = str(answer["ETag"])
        except ClientError as exc:
            if _code(exc) != "PreconditionFailed":
                log.warning("s3 put_object failed: %s", _code(exc))
                raise Unavailable() from exc
            # The same content in the same second: the key holds exactly these bytes already.
            etag = self._head(key)
        except BotoCoreError as exc:
            log.warning("s3 put_object failed: %s", type(exc).__name__)
            raise Unavailable() from exc
        stored = StoredPaper(key=key, etag=etag, paper=paper)
        with self._lock:
            self._cache[key] = stored
        return stored

    def _head(self, key: str) -> str:
        try:
            return str(self._s3().head_object(Bucket=self._bucket, Key=key)["ETag"])
        except (ClientError, BotoCoreError) as exc:
            raise Unavailable() from exc

    def load(self, key: str) -> PaperSource:
        """The paper under `key` (fixed, or drawn per attempt from its pool of bank items):
        from this container's cache, or read from S3 once."""
        found = self._cache.get(key)
        if found is not None:
            return found.paper
        try:
            answer = self._s3().get_object(Bucket=self._bucket, Key=key)
            body: bytes = answer["Body"].read()
            etag = str(answer["ETag"])
        except ClientError as exc:
            # A missing object is no less a failure than a throttled one: the
            # period names it, so it must come back (versioning keeps it).
            log.error("s3 get_object of a paper failed: %s", _code(exc))
            raise Unavailable() from exc
        except BotoCoreError as exc:
            log.warning("s3 get_object failed: %s", type(exc).__name__)
            raise Unavailable() from exc
        if not _digest(body).startswith(_digest_in_key(key)):
            raise RuntimeError(f"paper {key} does not match the digest in its key: changed outside the app")
        paper = parse_source(json.loads(body))
        stored = StoredPaper(key=key, etag=etag, paper=paper)
        with self._lock:
            self._cache.setdefault(key, stored)
        return paper

    def cached_keys(self) -> dict[str, str]:
        """Key → ETag of every paper this container holds (diagnostics and tests)."""
        with self._lock:
            return {key: stored.etag for key, stored in self._cache.items()}


def _code(exc: ClientError) -> str:
    return aws.error_code(exc) or "unknown"
