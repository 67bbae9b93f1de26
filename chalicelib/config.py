"""Typed settings, read from the environment at call time.

The stage's values live in `.chalice/config.json` (`environment_variables`).
They are read when a request needs them, never at import time, so that
`chalice.test.Client(app, stage_name="local")` and `chalice local` both work
and a test can change a value between two requests.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from chalicelib.domain.city_rows import DEFAULT_MAX_ROWS as DEFAULT_CITY_TEMPLATE_MAX_ROWS
from chalicelib.domain.city_rows import MAX_FILE_ROWS as MAX_CITY_TEMPLATE_ROWS
from chalicelib.domain.privacy import (
    DEFAULT_CITY_SYSTEM,
    DEFAULT_HANDLER,
    DEFAULT_RIGHTS_ANSWER_WORKING_DAYS,
    MAX_RIGHTS_ANSWER_WORKING_DAYS,
    CityBasis,
    NoticeFacts,
    outside_mainland,
)
from chalicelib.domain.retention import (
    DEFAULT_AUDIT_RETENTION_YEARS,
    DEFAULT_EXPORT_RETENTION_DAYS,
    DEFAULT_RETENTION_YEARS,
    MAX_YEARS,
    MIN_AUDIT_RETENTION_YEARS,
    MIN_RETENTION_YEARS,
    parse_count,
)
from chalicelib.values import FACTORY, value_class


class ConfigError(RuntimeError):
    """A setting the stage needs is missing or malformed: a deployment bug, not a user error."""


@value_class
class Settings:
    """One stage's settings, as its environment gives them."""

    stage: str
    table_name: str
    bucket_name: str
    region: str
    ses_region: str
    ses_sender: str
    export_recipients: tuple[str, ...]
    staff_alert_recipients: tuple[str, ...]
    public_url: str
    ssm_prefix: str
    # Local stages carry their secrets here; deployed stages leave them empty
    # and read SSM Parameter Store (see storage/secrets.py).
    local_secrets: Mapping[str, str] = field(default_factory=dict)
    calendar_overrides: str = ""
    period_cache_seconds: float = 30.0
    # The standard AWS_ENDPOINT_URL: set when every AWS call goes to an emulator (moto).
    endpoint_url: str = ""
    # `ses`, or `smtp` where SES does not exist (cn-north-1); checked by `check_for_deploy`.
    mail_transport: str = "ses"
    smtp_host: str = ""
    smtp_port: str = ""
    smtp_security: str = "tls"
    # The region a stage must be deployed to, when it is pinned to one (cn-prod: cn-north-1).
    deploy_region: str = ""
    # How long personal data is kept (domain/retention.py; the notice states them).
    retention_years: int = DEFAULT_RETENTION_YEARS
    audit_retention_years: int = DEFAULT_AUDIT_RETENTION_YEARS
    export_retention_days: int = DEFAULT_EXPORT_RETENTION_DAYS
    # At most this many passers per file in the city's import template (its importer's limit).
    city_template_max_rows: int = DEFAULT_CITY_TEMPLATE_MAX_ROWS
    # The privacy notice and the consents it asks for (domain/privacy.py).
    data_outside_mainland: bool = False
    city_system_basis: CityBasis = "consent"
    handler_name: str = DEFAULT_HANDLER
    privacy_contact: str = ""
    city_system_name: str = DEFAULT_CITY_SYSTEM
    rights_answer_working_days: int = DEFAULT_RIGHTS_ANSWER_WORKING_DAYS

    def __init__(
        self,
        stage: str,
        table_name: str,
        bucket_name: str,
        region: str,
        ses_region: str,
        ses_sender: str,
        export_recipients: tuple[str, ...],
        staff_alert_recipients: tuple[str, ...],
        public_url: str,
        ssm_prefix: str,
        local_secrets: Mapping[str, str] = FACTORY,
        calendar_overrides: str = "",
        period_cache_seconds: float = 30.0,
        endpoint_url: str = "",
        mail_transport: str = "ses",
        smtp_host: str = "",
        smtp_port: str = "",
        smtp_security: str = "tls",
        deploy_region: str = "",
        retention_years: int = DEFAULT_RETENTION_YEARS,
        audit_retention_years: int = DEFAULT_AUDIT_RETENTION_YEARS,
        export_retention_days: int = DEFAULT_EXPORT_RETENTION_DAYS,
        city_template_max_rows: int = DEFAULT_CITY_TEMPLATE_MAX_ROWS,
        data_outside_mainland: bool = False,
        city_system_basis: CityBasis = "consent",
        handler_name: str = DEFAULT_HANDLER,
        privacy_contact: str = "",
        city_system_name: str = DEFAULT_CITY_SYSTEM,
        rights_answer_working_days: int = DEFAULT_RIGHTS_ANSWER_WORKING_DAYS,
    ) -> None:
        local_secrets = dict() if local_secrets is FACTORY else local_secrets
        self.__dict__.update(
            stage=stage,
            table_name=table_name,
            bucket_name=bucket_name,
            region=region,
            ses_region=ses_region,
            ses_sender=ses_sender,
            export_recipients=export_recipients,
            staff_alert_recipients=staff_alert_recipients,
            public_url=public_url,
            ssm_prefix=ssm_prefix,
            local_secrets=local_secrets,
            calendar_overrides=calendar_overrides,
            period_cache_seconds=period_cache_seconds,
            endpoint_url=endpoint_url,
            mail_transport=mail_transport,
            smtp_host=smtp_host,
            smtp_port=smtp_port,
            smtp_security=smtp_security,
            deploy_region=deploy_region,
            retention_years=retention_years,
            audit_retention_years=audit_retention_years,
            export_retention_days=export_retention_days,
            city_template_max_rows=city_template_max_rows,
            data_outside_mainland=data_outside_mainland,
            city_system_basis=city_system_basis,
            handler_name=handler_name,
            privacy_contact=privacy_contact,
            city_system_name=city_system_name,
            rights_answer_working_days=rights_answer_working_days,
        )

    @property
    def is_emulated(self) -> bool:
        return bool(self.endpoint_url)

    @property
    def notice(self) -> NoticeFacts:
        """What the privacy notice states and which consents registration requires, on this stage."""
        return NoticeFacts(
            handler=self.handler_name,
            contact=self.privacy_contact,
            city_system=self.city_system_name,
            city_basis=self.city_system_basis,
            retention_years=self.retention_years,
            export_retention_days=self.export_retention_days,
            storage_region=self.region,
            mail_region=self.ses_region if self.mail_transport == "ses" else "",
            outside_mainland=self.data_outside_mainland,
            answer_working_days=self.rights_answer_working_days,
        )


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment variable {name} is not set for this stage")
    return value


def _address_list(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


# Secrets a local stage may carry in its environment, by their SSM name.
LOCAL_SECRET_VARIABLES = {
    "id-hmac-key": "ID_HMAC_KEY",
    "exam-token-key": "EXAM_TOKEN_KEY",
}


# The process environment the settings were last read from (a copy), and those settings.
# Every request asks for them (`runtime.current`) and reading them takes about as long as a
# stubbed GetItem; an unchanged environment (a dict comparison) gives the same settings.
_last_read: tuple[dict[Any, Any], Settings] | None = None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from the environment as it is now."""
    global _last_read
    if env is not None:
        return _read_settings(env)
    environ = os.environ
    # The real os.environ keeps its variables in `_data`; a test may swap in a plain dict.
    data = getattr(environ, "_data", environ)
    last = _last_read
    if last is not None and last[0] == data:
        return last[1]
    settings = _read_settings(environ)
    _last_read = (dict(data), settings)
    return settings


def _read_settings(env: Mapping[str, str]) -> Settings:
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or ""
    if not region:
        raise ConfigError("neither AWS_REGION nor AWS_DEFAULT_REGION is set")
    exports = _address_list(env.get("EXPORT_RECIPIENTS", ""))
    alerts = _address_list(env.get("STAFF_ALERT_RECIPIENTS", "")) or exports
    cache_seconds = env.get("PERIOD_CACHE_SECONDS", "30")
    try:
        period_cache_seconds = float(cache_seconds)
    except ValueError as exc:
        raise ConfigError(f"PERIOD_CACHE_SECONDS is not a number: {cache_seconds!r}") from exc
    # Read as given: a malformed value must not fail every request (candidates would get
    # 500s); `check_for_deploy` refuses it, and the runtime skips bad entries with a warning.
    overrides = env.get("CALENDAR_OVERRIDES", "")
    # A retention that is not a sound number must not silently delete more (or less) than promised.
    try:
        retention_years = parse_count(
            "RETENTION_YEARS",
            env.get("RETENTION_YEARS"),
            DEFAULT_RETENTION_YEARS,
            MIN_RETENTION_YEARS,
            MAX_YEARS,
        )
        audit_years = parse_count(
            "AUDIT_RETENTION_YEARS",
            env.get("AUDIT_RETENTION_YEARS"),
            DEFAULT_AUDIT_RETENTION_YEARS,
            MIN_AUDIT_RETENTION_YEARS,
            MAX_YEARS,
        )
        export_days = parse_count(
            "EXPORT_RETENTION_DAYS", env.get("EXPORT_RETENTION_DAYS"), DEFAULT_EXPORT_RETENTION_DAYS, 1, 3650
        )
        city_max_rows = parse_count(
            "CITY_TEMPLATE_MAX_ROWS",
            env.get("CITY_TEMPLATE_MAX_ROWS"),
            DEFAULT_CITY_TEMPLATE_MAX_ROWS,
            1,
            MAX_CITY_TEMPLATE_ROWS,
        )
        answer_days = parse_count(
            "RIGHTS_ANSWER_WORKING_DAYS",
            env.get("RIGHTS_ANSWER_WORKING_DAYS"),
            DEFAULT_RIGHTS_ANSWER_WORKING_DAYS,
            1,
            MAX_RIGHTS_ANSWER_WORKING_DAYS,
        )
        ses_region = env.get("SES_REGION") or region
        transport = env.get("MAIL_TRANSPORT", "").strip().lower() or "ses"
        # Where the data lives: the table, bucket and logs; and the mail service when it is SES.
        outside = outside_mainland(
            env.get("DATA_OUTSIDE_MAINLAND", ""), (region, ses_region if transport == "ses" else "")
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    basis = env.get("CITY_SYSTEM_BASIS", "").strip() or "consent"
    if basis not in ("consent", "legal_duty"):
        raise ConfigError(f"CITY_SYSTEM_BASIS must be consent or legal_duty: {basis!r}")
    return Settings(
        stage=env.get("STAGE", "local"),
        table_name=_required(env, "TABLE_NAME"),
        bucket_name=_required(env, "BUCKET_NAME"),
        region=region,
        ses_region=ses_region,
        ses_sender=env.get("SES_SENDER", ""),
        export_recipients=exports,
        staff_alert_recipients=alerts,
        public_url=env.get("PUBLIC_URL", ""),
        ssm_prefix=env.get("SSM_PREFIX", "/hr-exam/local").rstrip("/"),
        local_secrets={
            name: env[variable] for name, variable in LOCAL_SECRET_VARIABLES.items() if env.get(variable)
        },
        calendar_overrides=overrides,
        period_cache_seconds=period_cache_seconds,
        endpoint_url=env.get("AWS_ENDPOINT_URL", ""),
        # Read as given, like the overrides: a malformed value must not fail candidates' requests.
        mail_transport=transport,
        smtp_host=env.get("SMTP_HOST", "").strip(),
        smtp_port=env.get("SMTP_PORT", "").strip(),
        smtp_security=env.get("SMTP_SECURITY", "").strip().lower() or "tls",
        deploy_region=env.get("DEPLOY_REGION", "").strip(),
        retention_years=retention_years,
        audit_retention_years=audit_years,
        export_retention_days=export_days,
        city_template_max_rows=city_max_rows,
        data_outside_mainland=outside,
        city_system_basis="legal_duty" if basis == "legal_duty" else "consent",
        handler_name=env.get("HANDLER_NAME", "").strip() or DEFAULT_HANDLER,
        privacy_contact=env.get("PRIVACY_CONTACT", "").strip(),
        city_system_name=env.get("CITY_SYSTEM_NAME", "").strip() or DEFAULT_CITY_SYSTEM,
        rights_answer_working_days=answer_days,
    )


def check_for_deploy(settings: Settings) -> None:
    """`ConfigError` naming every setting bootstrap or deploy must not go ahead with."""
    from chalicelib.domain.calendar import override_problems

    problems = override_problems(settings.calendar_overrides) + mail_problems(settings)
    if settings.deploy_region and settings.region != settings.deploy_region:
        problems.append(
            f"stage {settings.stage} belongs in {settings.deploy_region}, but the AWS region is "
            f"{settings.region}: set AWS_DEFAULT_REGION={settings.deploy_region} (or the profile's region)"
        )
    if problems:
        raise ConfigError("; ".join(problems))


MAIL_TRANSPORTS = ("ses", "smtp")
SMTP_SECURITY_MODES = ("tls", "starttls", "none")


def mail_problems(settings: Settings) -> list[str]:
    """What is wrong with the stage's mail transport settings, one sentence each."""
    if settings.mail_transport not in MAIL_TRANSPORTS:
        return [f"MAIL_TRANSPORT must be one of {', '.join(MAIL_TRANSPORTS)}: {settings.mail_transport!r}"]
    if settings.mail_transport == "ses":
        return []
    problems = []
    if not settings.smtp_host:
        problems.append("MAIL_TRANSPORT is smtp but SMTP_HOST is not set")
    if settings.smtp_security not in SMTP_SECURITY_MODES:
        problems.append(
            f"SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY_MODES)}: {settings.smtp_security!r}"
        )
    elif settings.smtp_security == "none" and not settings.is_emulated:
        problems.append(
            "SMTP_SECURITY none sends credentials and candidates' data in clear: use tls or starttls"
        )
    if settings.smtp_port and not (settings.smtp_port.isdigit() and 0 < int(settings.smtp_port) < 65536):
        problems.append(f"SMTP_PORT is not a port number: {settings.smtp_port!r}")
    return problems
