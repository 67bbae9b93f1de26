"""Staff's files in the stage's private bucket: copies of the export files (what was
sent), and the city's blank import template the export writes its layout from.

The bucket blocks public access and encrypts at rest (see provision.py); the
export files hold full ID numbers, so they are never given a public or
presigned URL here. Failures become `Unavailable` before anything is e-mailed
or marked.
"""

from __future__ import annotations

import logging
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import Unavailable
from chalicelib.storage import aws

log = logging.getLogger(__name__)


def put_file(bucket: str, region: str, key: str, path: Path, content_type: str) -> None:
    """Upload one file (streamed from disk) under `key`."""
    s3 = aws.client("s3", region)
    try:
        with path.open("rb") as body:
            s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=body,
                ContentType=content_type,
                ServerSideEncryption="AES256",
            )
    except (ClientError, BotoCoreError) as exc:
        code = aws.error_code(exc) or type(exc).__name__
        log.warning("s3 put of an export file failed: %s", code)
        raise Unavailable() from exc


def put_bytes(bucket: str, region: str, key: str, body: bytes, content_type: str) -> None:
    """Store a small file under a key of its own; a key that exists already holds exactly these
    bytes (keys carry a digest of the content), so that refusal is success."""
    s3 = aws.client("s3", region)
    try:
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            ServerSideEncryption="AES256",
            IfNoneMatch="*",
        )
    except ClientError as exc:
        if aws.error_code(exc) == "PreconditionFailed":
            return
        log.warning("s3 put of a staff file failed: %s", aws.error_code(exc) or "unknown")
        raise Unavailable() from exc
    except BotoCoreError as exc:
        log.warning("s3 put of a staff file failed: %s", type(exc).__name__)
        raise Unavailable() from exc


def get_bytes(bucket: str, region: str, key: str) -> bytes:
    """A stored file's bytes; `Unavailable` when S3 fails or the object is gone."""
    s3 = aws.client("s3", region)
    try:
        body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except (ClientError, BotoCoreError) as exc:
        code = aws.error_code(exc) or type(exc).__name__
        log.warning("s3 get of a staff file failed: %s", code)
        raise Unavailable() from exc
    return body
