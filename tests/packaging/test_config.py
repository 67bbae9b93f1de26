"""`.chalice/config.json`: every deployed stage is complete, deployable, and carries no secret.

Stages and functions come from the config and Chalice's application graph, so
a new stage or a new scheduled function is checked as soon as it exists.
"""

from __future__ import annotations

import re

import boto3.session
import pytest

from chalicelib.config import LOCAL_SECRET_VARIABLES, load_settings
from ops import deployment

CONFIG = deployment.project_config()
DEPLOYED = deployment.deployed_stages()

# Names Lambda sets itself and refuses in a function's configuration.
LAMBDA_RESERVED = {
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|HMAC|(?:^|_)KEY(?:$|_)")
# A long run of mixed-case letters and digits, as a generated key or token looks
# (bucket and table names are lower case, so an account-suffixed name is not one).
SECRET_VALUE = re.compile(r"^(?=.*[0-9])(?=.*[a-z])(?=.*[A-Z])[A-Za-z0-9+/_=-]{20,}$")
# API Gateway refuses integrations that take longer.
API_GATEWAY_TIMEOUT_SECONDS = 29


def stage_env(stage: str) -> dict[str, str]:
    return {
        **CONFIG.get("environment_variables", {}),
        **CONFIG["stages"][stage].get("environment_variables", {}),
    }


def test_there_are_deployed_stages_and_a_local_one() -> None:
    assert DEPLOYED
    assert "local" in CONFIG["stages"]


@pytest.mark.parametrize("stage", DEPLOYED)
def test_deployed_stage_carries_no_secret(stage: str) -> None:
    """Secrets live in SSM Parameter Store on deployed stages; config.json is in git."""
    env = stage_env(stage)
    for name, value in env.items():
        assert name not in LOCAL_SECRET_VARIABLES.values(), f"{stage}: {name} belongs in SSM ({name})"
        assert not SECRET_NAME.search(name), f"{stage}: {name} looks like a secret's name"
        for part in re.split(r"[,\s]+", value):
            assert not SECRET_VALUE.match(part), f"{stage}: {name} looks like it holds a key or token"
    assert env.get("SSM_PREFIX", "").startswith(f"/hr-exam/{stage}"), "each stage reads its own secrets"


def test_the_secret_check_would_catch_a_secret() -> None:
    """The check above is only worth something if it fires on the local stage's keys."""
    local = stage_env("local")
    flagged = [name for name in local if SECRET_NAME.search(name)]
    assert set(LOCAL_SECRET_VARIABLES.values()) <= set(flagged)
    assert SECRET_VALUE.match("hrx_Jq3l0W8aPz1vT9sXc2bN4mK7yR5eU6iO")
    assert not SECRET_VALUE.match("hr-exam-prod-123456789012")


@pytest.mark.parametrize("stage", DEPLOYED)
def test_deployed_stage_sets_no_name_lambda_reserves_and_points_at_real_aws(stage: str) -> None:
    env = stage_env(stage)
    assert not LAMBDA_RESERVED & set(env), f"{stage}: Lambda refuses {sorted(LAMBDA_RESERVED & set(env))}"
    assert "AWS_ENDPOINT_URL" not in env, f"{stage}: would send every AWS call to an emulator"
    size = sum(len(k) + len(v) for k, v in env.items())
    assert size < 4096, f"{stage}: Lambda allows 4 KB of environment, this is {size} bytes"


@pytest.mark.parametrize("stage", DEPLOYED)
def test_deployed_stage_settings_load(stage: str) -> None:
    """In Lambda the region comes from AWS_REGION, which Lambda sets; everything else is the stage's."""
    settings = load_settings({**stage_env(stage), "AWS_REGION": "ap-east-1"})
    assert settings.stage == stage
    assert not settings.local_secrets
    assert not settings.is_emulated
    assert settings.ses_sender and settings.export_recipients
    # Empty: the QR code encodes the address staff fetched it from (the stage URL or the custom domain).
    if settings.public_url:
        assert settings.public_url.startswith("https://") and settings.public_url.endswith("/")


@pytest.mark.parametrize("stage", DEPLOYED)
def test_ses_region_is_one_where_ses_exists(stage: str) -> None:
    """SES is missing from some regions (ap-east-1, the China partition): SES_REGION is its own setting."""
    env = stage_env(stage)
    if env.get("MAIL_TRANSPORT", "ses") == "smtp":
        # AWS China has no SES: such a stage mails over SMTP and must name its server.
        assert env["SMTP_HOST"] and "SES_REGION" not in env
        assert env["DEPLOY_REGION"] not in boto3.session.Session().get_available_regions(
            "ses", partition_name="aws-cn"
        )
        return
    regions = boto3.session.Session().get_available_regions("ses")
    assert env["SES_REGION"] in regions


@pytest.mark.parametrize("stage", DEPLOYED)
def test_deployed_functions_have_sane_limits(stage: str) -> None:
    functions = deployment.functions(stage)
    assert any(f.name == "api_handler" for f in functions)
    for function in functions:
        assert 128 <= function.memory <= 10240, function
        limit = API_GATEWAY_TIMEOUT_SECONDS - 1 if function.name == "api_handler" else 900
        assert 3 <= function.timeout <= limit, function
        assert function.environment == stage_env(stage)


@pytest.mark.parametrize("stage", DEPLOYED)
def test_api_stage_name_is_short_and_not_api(stage: str) -> None:
    """The stage name prefixes every URL: the default `api` would make `/api/api/today`."""
    name = deployment.api_stage(stage)
    assert name != "api"
    assert re.fullmatch(r"[a-z0-9]{1,8}", name)
