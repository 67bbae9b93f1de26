"""Create what `chalice deploy` does not: the table, the bucket, the secrets.

Idempotent: each step looks for what it would create and reports "found"
instead of changing it, so a second run changes nothing and exits 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.config import LOCAL_SECRET_VARIABLES, Settings
from chalicelib.storage import aws
from chalicelib.storage.models import table_schema
from chalicelib.storage.secrets import SecretStore


def _table(settings: Settings) -> Iterator[str]:
    dynamodb = aws.client("dynamodb", settings.region)
    name = settings.table_name
    try:
        dynamodb.describe_table(TableName=name)
        yield f"found    table {name}"
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        request: dict[str, Any] = table_schema(name)
        if settings.stage == "prod":
            request["DeletionProtectionEnabled"] = True
        dynamodb.create_table(**request)
        dynamodb.get_waiter("table_exists").wait(TableName=name)
        yield f"created  table {name} (on-demand, indexes: by_period, passers)"
    if not settings.is_emulated:
        backups = dynamodb.describe_continuous_backups(TableName=name)
        status = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
            "PointInTimeRecoveryStatus"
        ]
        if status != "ENABLED":
            dynamodb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
            yield f"enabled  point-in-time recovery on {name}"
        else:
            yield f"found    point-in-time recovery on {name}"


def _bucket(settings: Settings) -> Iterator[str]:
    s3 = aws.client("s3", settings.region)
    name = settings.bucket_name
    try:
        s3.head_bucket(Bucket=name)
        yield f"found    bucket {name}"
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("404", "NoSuchBucket", "NotFound"):
            raise
        request: dict[str, Any] = {"Bucket": name}
        if settings.region != "us-east-1":
            request["CreateBucketConfiguration"] = {"LocationConstraint": settings.region}
        s3.create_bucket(**request)
        yield f"created  bucket {name}"
    # Re-applying the same settings changes nothing, so they are simply put.
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    if settings.is_emulated or settings.stage == "local":
        # moto evaluates a bucket policy's Deny but ignores its Condition, so
        # this TLS-only rule would refuse every object request on an emulator.
        yield f"ensured  bucket {name}: public access blocked, versioning, encryption (TLS rule: AWS only)"
        return
    s3.put_bucket_policy(
        Bucket=name,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "TlsOnly",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        ),
    )
    yield f"ensured  bucket {name}: public access blocked, versioning, encryption, TLS only"


def _sender(settings: Settings) -> Iterator[str]:
    if not settings.ses_sender:
        yield "skipped  SES sender: SES_SENDER is not set"
        return
    ses = aws.client("ses", settings.ses_region)
    if settings.is_emulated:
        # moto refuses to send from an unverified address, as SES does.
        ses.verify_email_identity(EmailAddress=settings.ses_sender)
        yield f"verified SES sender {settings.ses_sender} (emulator)"
        return
    domain = settings.ses_sender.split("@", 1)[-1]
    found = ses.get_identity_verification_attributes(Identities=[settings.ses_sender, domain])[
        "VerificationAttributes"
    ]
    statuses = {
        identity: found.get(identity, {}).get("VerificationStatus", "absent")
        for identity in (settings.ses_sender, domain)
    }
    if "Success" in statuses.values():
        yield f"found    SES identity for {settings.ses_sender} ({settings.ses_region})"
    else:
        yield (
            f"WARNING  SES identity {settings.ses_sender} is not verified in "
            f"{settings.ses_region} ({statuses}); verify it before the first export"
        )


def _secrets(settings: Settings) -> Iterator[str]:
    store = SecretStore(settings)
    for name in LOCAL_SECRET_VARIABLES:
        if name in settings.local_secrets:
            yield f"local    secret {name} from the stage's environment"
        elif store.ensure(name):
            yield f"created  secret {settings.ssm_prefix}/{name} (SecureString)"
        else:
            yield f"found    secret {settings.ssm_prefix}/{name}"


def bootstrap(settings: Settings) -> Iterator[str]:
    """Create or find every resource; yields one line per step."""
    yield from _table(settings)
    yield from _bucket(settings)
    yield from _sender(settings)
    yield from _secrets(settings)
