"""Create what `chalice deploy` does not: the table, the bucket, the secrets; check SES.

Run from an operator's machine (`python -m chalicelib.cli bootstrap --stage
prod`), never from Lambda: the functions' roles grant none of these calls.
Idempotent: each step reads what exists and changes only what differs, saying
"found" for what it left alone, so a second run changes nothing and exits 0.

Deployed stages (every stage but `local`) get point-in-time recovery; `prod`
also gets deletion protection. The bucket is private, versioned, encrypted and
TLS-only, and forgets superseded versions after a while; exports, which hold
full ID numbers, expire `EXPORT_RETENTION_DAYS` after they were written, so
no copy outlives its purpose.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import LOCAL_SECRET_VARIABLES, Settings
from chalicelib.storage import aws
from chalicelib.storage.models import TTL_ATTRIBUTE, table_schema
from chalicelib.storage.secrets import SecretStore
from ops.deployment import partition

LOCAL_STAGES = frozenset({"local"})
PROTECTED_STAGES = frozenset({"prod"})
NONCURRENT_VERSION_DAYS = 90
INCOMPLETE_UPLOAD_DAYS = 7

PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def _code(exc: ClientError) -> str:
    return aws.error_code(exc) or ""


def _is_deployed(settings: Settings) -> bool:
    return settings.stage not in LOCAL_STAGES


# Table -------------------------------------------------------------------


def _table(settings: Settings) -> Iterator[str]:
    dynamodb = aws.client("dynamodb", settings.region)
    name = settings.table_name
    wanted = table_schema(name)
    try:
        table = dynamodb.describe_table(TableName=name)["Table"]
    except ClientError as exc:
        if _code(exc) != "ResourceNotFoundException":
            raise
        request: dict[str, Any] = dict(wanted)
        if settings.stage in PROTECTED_STAGES:
            request["DeletionProtectionEnabled"] = True
        dynamodb.create_table(**request)
        dynamodb.get_waiter("table_exists").wait(TableName=name)
        indexes = ", ".join(gsi["IndexName"] for gsi in wanted["GlobalSecondaryIndexes"])
        protection = ", deletion protection" if settings.stage in PROTECTED_STAGES else ""
        yield f"created  table {name} (on-demand{protection}; indexes: {indexes})"
    else:
        yield f"found    table {name}"
        yield from _table_indexes(dynamodb, table, wanted)
        if settings.stage in PROTECTED_STAGES and not table.get("DeletionProtectionEnabled"):
            dynamodb.update_table(TableName=name, DeletionProtectionEnabled=True)
            yield f"set      deletion protection on {name}"
    yield from _time_to_live(dynamodb, name)
    if _is_deployed(settings):
        yield from _point_in_time_recovery(dynamodb, name)


def _time_to_live(dynamodb: Any, name: str) -> Iterator[str]:
    """Failure counts (storage/limits.py) expire by themselves: DynamoDB deletes them at `expires_at`."""
    found = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if (
        found.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
        and found.get("AttributeName") == TTL_ATTRIBUTE
    ):
        yield f"found    time to live on {name} ({TTL_ATTRIBUTE})"
        return
    dynamodb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
    )
    yield f"set      time to live on {name} ({TTL_ATTRIBUTE})"


def _table_indexes(dynamodb: Any, table: dict[str, Any], wanted: dict[str, Any]) -> Iterator[str]:
    """Indexes added to the models since the table was created (a later release)."""
    present = {gsi["IndexName"] for gsi in table.get("GlobalSecondaryIndexes", [])}
    missing = [gsi for gsi in wanted["GlobalSecondaryIndexes"] if gsi["IndexName"] not in present]
    if not missing:
        yield f"found    indexes {', '.join(sorted(present))}"
        return
    # DynamoDB builds one new index per UpdateTable; the next run adds the next one.
    first = missing[0]
    # Only the new index's own key attributes: DynamoDB refuses definitions nothing uses.
    keys = {key["AttributeName"] for key in first["KeySchema"]}
    dynamodb.update_table(
        TableName=table["TableName"],
        AttributeDefinitions=[a for a in wanted["AttributeDefinitions"] if a["AttributeName"] in keys],
        GlobalSecondaryIndexUpdates=[{"Create": first}],
    )
    yield f"creating index {first['IndexName']} (DynamoDB backfills it; run bootstrap again for the next)"


def _point_in_time_recovery(dynamodb: Any, name: str) -> Iterator[str]:
    backups = dynamodb.describe_continuous_backups(TableName=name)
    status = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
        "PointInTimeRecoveryStatus"
    ]
    if status == "ENABLED":
        yield f"found    point-in-time recovery on {name}"
        return
    dynamodb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    yield f"set      point-in-time recovery on {name}"


# Bucket ------------------------------------------------------------------


def _tls_only_statement(name: str, region: str) -> dict[str, Any]:
    arn = f"arn:{partition(region)}:s3:::{name}"
    return {
        "Sid": "TlsOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


EXPORTS_PREFIX = "exports/"


def _lifecycle_rules(settings: Settings) -> list[dict[str, Any]]:
    return [
        # Exports hold full ID numbers: they go EXPORT_RETENTION_DAYS after they were written.
        # The bucket is versioned, so expiring makes the file a superseded version, which then
        # goes a day later (not after NONCURRENT_VERSION_DAYS), and the delete marker with it.
        {
            "ID": "ExpireExports",
            "Status": "Enabled",
            "Filter": {"Prefix": EXPORTS_PREFIX},
            "Expiration": {"Days": settings.export_retention_days},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
        },
        {
            "ID": "ExpiredExportMarkers",
            "Status": "Enabled",
            "Filter": {"Prefix": EXPORTS_PREFIX},
            "Expiration": {"ExpiredObjectDeleteMarker": True},
        },
        {
            "ID": "ForgetSupersededVersions",
            "Status": "Enabled",
            "Filter": {},
            "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_VERSION_DAYS},
        },
        {
            "ID": "AbortIncompleteUploads",
            "Status": "Enabled",
            "Filter": {},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": INCOMPLETE_UPLOAD_DAYS},
        },
    ]


def _bucket(settings: Settings) -> Iterator[str]:
    s3 = aws.client("s3", settings.region)
    name = settings.bucket_name
    try:
        s3.head_bucket(Bucket=name)
        yield f"found    bucket {name}"
    except ClientError as exc:
        code = _code(exc)
        if code in ("403", "AccessDenied", "Forbidden"):
            raise SystemExit(
                f"bucket {name} exists but this account cannot use it (names are global): "
                "choose another BUCKET_NAME in .chalice/config.json and in the stage's policy file"
            ) from exc
        if code not in ("404", "NoSuchBucket", "NotFound"):
            raise
        request: dict[str, Any] = {"Bucket": name}
        if settings.region != "us-east-1":
            request["CreateBucketConfiguration"] = {"LocationConstraint": settings.region}
        s3.create_bucket(**request)
        yield f"created  bucket {name}"
    yield from _public_access_block(s3, name)
    yield from _versioning(s3, name)
    yield from _encryption(s3, name)
    if not _is_deployed(settings):
        # The local stage only ever runs on moto, which evaluates bucket
        # policies but only understands StringEquals conditions: it skips the
        # Bool condition of the TLS-only policy and so denies every request.
        yield f"skipped  TLS-only policy on {name} (local stage, emulator)"
    else:
        yield from _tls_only(s3, name, settings.region)
    yield from _lifecycle(s3, name, settings)


def _public_access_block(s3: Any, name: str) -> Iterator[str]:
    try:
        current = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    except ClientError as exc:
        if _code(exc) != "NoSuchPublicAccessBlockConfiguration":
            raise
        current = {}
    if current == PUBLIC_ACCESS_BLOCK:
        yield f"found    public access blocked on {name}"
        return
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK)
    yield f"set      public access blocked on {name}"


def _versioning(s3: Any, name: str) -> Iterator[str]:
    if s3.get_bucket_versioning(Bucket=name).get("Status") == "Enabled":
        yield f"found    versioning on {name}"
        return
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield f"set      versioning on {name}"


def _encryption(s3: Any, name: str) -> Iterator[str]:
    try:
        rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as exc:
        if _code(exc) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        rules = []
    if rules:
        # Whatever default encryption is there (S3-managed or KMS) is kept.
        algorithm = rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
        yield f"found    default encryption ({algorithm}) on {name}"
        return
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    yield f"set      default encryption (AES256) on {name}"


def _tls_only(s3: Any, name: str, region: str) -> Iterator[str]:
    try:
        policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
    except ClientError as exc:
        if _code(exc) != "NoSuchBucketPolicy":
            raise
        policy = {"Version": "2012-10-17", "Statement": []}
    wanted = _tls_only_statement(name, region)
    statements = [s for s in policy.get("Statement", []) if s.get("Sid") != wanted["Sid"]]
    if [s for s in policy.get("Statement", []) if s.get("Sid") == wanted["Sid"]] == [wanted]:
        yield f"found    TLS-only policy on {name}"
        return
    # Statements someone else added to the policy are kept.
    policy["Statement"] = [*statements, wanted]
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    yield f"set      TLS-only policy on {name}"


def _lifecycle(s3: Any, name: str, settings: Settings) -> Iterator[str]:
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    except ClientError as exc:
        if _code(exc) != "NoSuchLifecycleConfiguration":
            raise
        rules = []
    wanted = _lifecycle_rules(settings)
    ours = {rule["ID"] for rule in wanted}
    kept = [rule for rule in rules if rule.get("ID") not in ours]
    present = {rule.get("ID"): rule for rule in rules if rule.get("ID") in ours}
    if all(_same_rule(present.get(rule["ID"]), rule) for rule in wanted):
        yield f"found    lifecycle rules on {name}"
        return
    s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [*kept, *wanted]})
    yield (
        f"set      lifecycle rules on {name} (exports kept {settings.export_retention_days} days, "
        f"superseded versions {NONCURRENT_VERSION_DAYS}, unfinished uploads {INCOMPLETE_UPLOAD_DAYS})"
    )


def _same_rule(found: dict[str, Any] | None, wanted: dict[str, Any]) -> bool:
    if found is None:
        return False
    # An empty filter comes back in several spellings; a prefix must match.
    return all(
        found.get(key) == value for key, value in wanted.items() if key != "Filter" or wanted["Filter"]
    )


# SES ----------------------------------------------------------------------


def _sender(settings: Settings) -> Iterator[str]:
    if not settings.ses_sender:
        yield "skipped  SES sender: SES_SENDER is not set"
        return
    ses = aws.client("ses", settings.ses_region)
    domain = settings.ses_sender.split("@", 1)[-1]
    try:
        found = ses.get_identity_verification_attributes(Identities=[settings.ses_sender, domain])[
            "VerificationAttributes"
        ]
    except BotoCoreError as exc:
        raise SystemExit(
            f"SES did not answer in {settings.ses_region} ({type(exc).__name__}). SES is not offered in "
            "every region (not in ap-east-1, nor in the China partition): set SES_REGION to one that has it"
        ) from exc
    statuses = {
        identity: found.get(identity, {}).get("VerificationStatus", "absent")
        for identity in (settings.ses_sender, domain)
    }
    # The local stage only ever runs against an emulator, with or without an endpoint URL.
    emulated = settings.is_emulated or not _is_deployed(settings)
    if "Success" in statuses.values():
        yield f"found    SES identity for {settings.ses_sender} ({settings.ses_region})"
    elif emulated:
        # moto refuses to send from an unverified address, as SES does.
        ses.verify_email_identity(EmailAddress=settings.ses_sender)
        yield f"verified SES sender {settings.ses_sender} (emulator)"
        return
    else:
        yield (
            f"WARNING  SES identity {settings.ses_sender} is not verified in {settings.ses_region} "
            f"({statuses}): verify the domain or address before the first e-mail (README, 'SES')"
        )
    if not emulated:
        yield from _sandbox(settings)


def _sandbox(settings: Settings) -> Iterator[str]:
    try:
        account = aws.client("sesv2", settings.ses_region).get_account()
    except (ClientError, BotoCoreError):
        yield f"WARNING  could not read the SES account's sending status in {settings.ses_region}"
        return
    if account.get("ProductionAccessEnabled"):
        yield f"found    SES production access in {settings.ses_region}"
    else:
        yield (
            f"WARNING  SES in {settings.ses_region} is in the sandbox: only verified addresses receive "
            "mail; request production access before candidates register (README, 'SES')"
        )


# Secrets ------------------------------------------------------------------


def _secrets(settings: Settings) -> Iterator[str]:
    store = SecretStore(settings)
    for name in LOCAL_SECRET_VARIABLES:
        if name in settings.local_secrets:
            yield f"local    secret {name} from the stage's environment"
        elif store.ensure(name):
            yield f"created  secret {settings.ssm_prefix}/{name} (SecureString)"
        else:
            yield f"found    secret {settings.ssm_prefix}/{name}"


def _smtp_login(settings: Settings) -> Iterator[str]:
    """A stage mailing over SMTP has no SES to check; its login must be in SSM (`smtp-login`)."""
    from chalicelib.storage.secrets import SecretStore
    from chalicelib.storage.smtp import SMTP_PASSWORD, SMTP_USERNAME

    store = SecretStore(settings)
    where = f"{settings.smtp_host}:{settings.smtp_port or 'default port'} ({settings.smtp_security})"
    if store.find(SMTP_USERNAME) is not None and store.find(SMTP_PASSWORD) is not None:
        yield f"found    SMTP login in {settings.ssm_prefix} for {where}"
        return
    yield (
        f"WARNING  no SMTP login in {settings.ssm_prefix} for {where}: run `python -m chalicelib.cli "
        f"smtp-login --stage {settings.stage} USER` before the first e-mail (README, 'AWS China')"
    )


def bootstrap(settings: Settings) -> Iterator[str]:
    """Create or find every resource; yields one line per step."""
    yield from _table(settings)
    yield from _bucket(settings)
    if settings.mail_transport == "smtp":
        yield from _smtp_login(settings)
    else:
        yield from _sender(settings)
    yield from _secrets(settings)
