"""S3 copies of the export files: what was sent, kept in the stage's private bucket.

The bucket blocks public access and encrypts at rest (see provision.py); the
files hold full ID numbers, so they are never given a public or presigned URL
here. Failures become `Unavailable` before anything is e-mailed or marked.
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
