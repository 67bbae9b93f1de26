"""`python -m chalicelib.cli bootstrap --stage prod` creates what `chalice deploy` does not.

A second run changes nothing and says so, line by line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.config import LOCAL_SECRET_VARIABLES
from chalicelib.storage.models import table_schema
from ops import deployment

CONFIG = deployment.project_config()


def stage_env(stage: str) -> dict[str, str]:
    return dict(CONFIG["stages"][stage]["environment_variables"])


def snapshot(aws: Callable[[str], Any], stage: str) -> dict[str, Any]:
    """Everything bootstrap may create or change, as AWS reports it."""
    env = stage_env(stage)
    dynamodb, s3, ssm = aws("dynamodb"), aws("s3"), aws("ssm")
    table = dynamodb.describe_table(TableName=env["TABLE_NAME"])["Table"]
    bucket = env["BUCKET_NAME"]
    parameters = []
    for page in ssm.get_paginator("get_parameters_by_path").paginate(
        Path=env["SSM_PREFIX"], Recursive=True, WithDecryption=True
    ):
        for parameter in page["Parameters"]:
            parameters.append(
                (
                    parameter["Name"],
                    parameter["Type"],
                    parameter["Version"],
                    hashlib.sha256(parameter["Value"].encode()).hexdigest(),
                )
            )
    ses = aws("ses", env["SES_REGION"])
    return {
        "table": {
            "billing": table["BillingModeSummary"]["BillingMode"],
            "indexes": sorted(gsi["IndexName"] for gsi in table.get("GlobalSecondaryIndexes", [])),
            "deletion_protection": table.get("DeletionProtectionEnabled", False),
            "pitr": dynamodb.describe_continuous_backups(TableName=env["TABLE_NAME"])[
                "ContinuousBackupsDescription"
            ]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
        },
        "bucket": {
            "public_access_block": s3.get_public_access_block(Bucket=bucket)[
                "PublicAccessBlockConfiguration"
            ],
            "versioning": s3.get_bucket_versioning(Bucket=bucket).get("Status"),
            "encryption": s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
                "Rules"
            ],
            "policy": json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]),
            "lifecycle": s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"],
        },
        "secrets": sorted(parameters),
        "ses": ses.get_identity_verification_attributes(Identities=[env["SES_SENDER"]])[
            "VerificationAttributes"
        ],
    }


def test_bootstrap_prod_creates_everything_then_a_second_run_changes_nothing(
    cli: Callable[..., Any], aws: Callable[[str], Any]
) -> None:
    env = stage_env("prod")
    first = cli("bootstrap", "--stage", "prod")
    assert first.returncode == 0, first.stderr
    printed = first.stdout
    assert f"created  table {env['TABLE_NAME']}" in printed
    assert f"created  bucket {env['BUCKET_NAME']}" in printed
    for name in LOCAL_SECRET_VARIABLES:
        assert f"created  secret {env['SSM_PREFIX']}/{name} (SecureString)" in printed

    state = snapshot(aws, "prod")
    assert state["table"] == {
        "billing": "PAY_PER_REQUEST",
        "indexes": sorted(gsi["IndexName"] for gsi in table_schema("t")["GlobalSecondaryIndexes"]),
        "deletion_protection": True,
        "pitr": "ENABLED",
    }
    bucket = state["bucket"]
    assert bucket["public_access_block"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["versioning"] == "Enabled"
    assert bucket["encryption"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    (tls,) = [s for s in bucket["policy"]["Statement"] if s["Effect"] == "Deny"]
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert {rule["ID"] for rule in bucket["lifecycle"]} >= {
        "ForgetSupersededVersions",
        "AbortIncompleteUploads",
    }
    assert [p[1] for p in state["secrets"]] == ["SecureString"] * len(LOCAL_SECRET_VARIABLES)
    assert state["ses"][env["SES_SENDER"]]["VerificationStatus"] == "Success"

    second = cli("bootstrap", "--stage", "prod")
    assert second.returncode == 0, second.stderr
    lines = second.stdout.strip().splitlines()
    assert lines and all(line.startswith("found ") for line in lines), second.stdout
    assert snapshot(aws, "prod") == state


def test_bootstrap_dev_keeps_backups_but_no_deletion_protection(
    cli: Callable[..., Any], aws: Callable[[str], Any]
) -> None:
    """Deletion protection is for prod; every deployed stage keeps point-in-time recovery."""
    done = cli("--stage", "dev", "bootstrap")
    assert done.returncode == 0, done.stderr
    table = snapshot(aws, "dev")["table"]
    assert table["pitr"] == "ENABLED"
    assert table["deletion_protection"] is False


def test_bootstrap_adds_an_index_a_later_release_declares(
    cli: Callable[..., Any], aws: Callable[[str], Any]
) -> None:
    env = stage_env("prod")
    schema = table_schema(env["TABLE_NAME"])
    first_index, *later = schema["GlobalSecondaryIndexes"]
    assert later, "the table has a single index: nothing to add later"
    used = {"pk", "sk"} | {key["AttributeName"] for key in first_index["KeySchema"]}
    definitions = [a for a in schema["AttributeDefinitions"] if a["AttributeName"] in used]
    aws("dynamodb").create_table(
        **{**schema, "AttributeDefinitions": definitions, "GlobalSecondaryIndexes": [first_index]}
    )
    done = cli("bootstrap", "--stage", "prod")
    assert done.returncode == 0, done.stderr
    assert f"creating index {later[0]['IndexName']}" in done.stdout
    indexes = aws("dynamodb").describe_table(TableName=env["TABLE_NAME"])["Table"]["GlobalSecondaryIndexes"]
    assert later[0]["IndexName"] in {gsi["IndexName"] for gsi in indexes}


def test_bootstrap_on_real_aws_refuses_placeholder_values(
    cli: Callable[..., Any], operator_env: dict[str, str]
) -> None:
    """Without an emulator the committed example values would create a bucket nobody chose and mail nobody."""
    env = {k: v for k, v in operator_env.items() if k != "AWS_ENDPOINT_URL"}
    done = cli("bootstrap", "--stage", "prod", env=env)
    assert done.returncode != 0
    assert "BUCKET_NAME" in done.stderr and "SES_SENDER" in done.stderr


@pytest.mark.parametrize("arguments", [("bootstrap", "--stage", "nope"), ("--stage", "nope", "bootstrap")])
def test_unknown_stage_is_refused_by_name(cli: Callable[..., Any], arguments: tuple[str, ...]) -> None:
    done = cli(*arguments)
    assert done.returncode != 0
    assert "unknown stage 'nope'" in done.stderr
