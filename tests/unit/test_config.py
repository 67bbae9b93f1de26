"""Settings come from the environment at call time; a missing one is a clear error."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from chalicelib.config import ConfigError, check_for_deploy, load_settings, mail_problems
from chalicelib.domain.calendar import WorkCalendar, override_problems

BASE = {"TABLE_NAME": "t", "BUCKET_NAME": "b", "AWS_REGION": "ap-east-1"}


def test_minimal_settings():
    settings = load_settings(BASE)
    assert (settings.table_name, settings.bucket_name, settings.region) == ("t", "b", "ap-east-1")
    assert settings.ses_region == "ap-east-1"
    assert settings.local_secrets == {}
    assert not settings.is_emulated


def test_ses_has_its_own_region():
    assert load_settings({**BASE, "SES_REGION": "ap-southeast-1"}).ses_region == "ap-southeast-1"


def test_recipients_are_a_comma_list_and_alerts_default_to_them():
    settings = load_settings({**BASE, "EXPORT_RECIPIENTS": " a@x.cn, b@x.cn ,"})
    assert settings.export_recipients == ("a@x.cn", "b@x.cn")
    assert settings.staff_alert_recipients == ("a@x.cn", "b@x.cn")


@pytest.mark.parametrize("missing", ["TABLE_NAME", "BUCKET_NAME", "AWS_REGION"])
def test_a_missing_setting_names_itself(missing):
    env = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(ConfigError, match=missing.split("_")[0]):
        load_settings(env)


BAD_OVERRIDES = [
    "{not json",
    "[1]",
    '{"2027": {"holidays": ["2027-1-1"]}}',
    '{"2027": {"holidays": ["2027-02-30"]}}',
    '{"2027": {"holidays": "2027-01-01"}}',
    '{"27": {"holidays": []}}',
    '{"2027": ["2027-01-01"]}',
    '{"2027": {"holidays": [20270101]}}',
    '{"2027": {"holidays": ["２０２７-01-01"]}}',
]


@pytest.mark.parametrize("raw", BAD_OVERRIDES)
def test_malformed_calendar_overrides_are_refused_for_deploy_but_load(raw):
    settings = load_settings({**BASE, "CALENDAR_OVERRIDES": raw})  # a running app still starts
    with pytest.raises(ConfigError, match="CALENDAR_OVERRIDES"):
        check_for_deploy(settings)


def test_a_bad_override_entry_is_skipped_and_the_good_ones_kept():
    raw = '{"2027": {"holidays": ["2027-1-1", "2027-01-04"], "workdays": []}}'
    calendar = WorkCalendar.from_overrides(raw)
    assert calendar.holidays == frozenset({dt.date(2027, 1, 4)})
    assert calendar.supplied_years == frozenset({2027})
    assert override_problems(raw) == [
        "CALENDAR_OVERRIDES[2027].holidays: '2027-1-1' is not a YYYY-MM-DD date"
    ]


def test_good_overrides_pass_the_deploy_check():
    check_for_deploy(load_settings({**BASE, "CALENDAR_OVERRIDES": '{"2027": {"holidays": ["2027-01-01"]}}'}))


def test_the_local_stage_config_is_complete():
    from pathlib import Path

    config = json.loads((Path(__file__).resolve().parents[2] / ".chalice" / "config.json").read_text())
    settings = load_settings(config["stages"]["local"]["environment_variables"])
    assert settings.stage == "local"
    assert set(settings.local_secrets) == {"id-hmac-key", "exam-token-key"}


def test_mail_goes_through_ses_unless_the_stage_says_smtp():
    settings = load_settings(BASE)
    assert settings.mail_transport == "ses" and mail_problems(settings) == []
    smtp = load_settings({**BASE, "MAIL_TRANSPORT": "SMTP", "SMTP_HOST": "smtp.exmail.qq.com"})
    assert (smtp.mail_transport, smtp.smtp_security, smtp.smtp_port) == ("smtp", "tls", "")
    assert mail_problems(smtp) == []


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"MAIL_TRANSPORT": "carrier-pigeon"}, "MAIL_TRANSPORT"),
        ({"MAIL_TRANSPORT": "smtp"}, "SMTP_HOST"),
        ({"MAIL_TRANSPORT": "smtp", "SMTP_HOST": "h", "SMTP_SECURITY": "ssl3"}, "SMTP_SECURITY"),
        ({"MAIL_TRANSPORT": "smtp", "SMTP_HOST": "h", "SMTP_SECURITY": "none"}, "SMTP_SECURITY"),
        ({"MAIL_TRANSPORT": "smtp", "SMTP_HOST": "h", "SMTP_PORT": "smtp"}, "SMTP_PORT"),
        ({"MAIL_TRANSPORT": "smtp", "SMTP_HOST": "h", "SMTP_PORT": "70000"}, "SMTP_PORT"),
    ],
)
def test_malformed_mail_settings_load_but_are_refused_for_deploy(extra, named):
    settings = load_settings({**BASE, **extra})  # a running stage never fails a request on them
    with pytest.raises(ConfigError, match=named):
        check_for_deploy(settings)


def test_clear_text_smtp_is_only_for_an_emulated_stage():
    local = {**BASE, "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}
    settings = load_settings(
        {**local, "MAIL_TRANSPORT": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_SECURITY": "none"}
    )
    assert mail_problems(settings) == []


@pytest.mark.parametrize("name", ["RETENTION_YEARS", "AUDIT_RETENTION_YEARS", "EXPORT_RETENTION_DAYS"])
def test_a_retention_setting_that_is_not_a_sound_number_stops_the_settings(name):
    with pytest.raises(ConfigError, match=name):
        load_settings({**BASE, name: "0"})
    with pytest.raises(ConfigError, match=name):
        load_settings({**BASE, name: "three"})


def test_the_audit_trail_cannot_be_kept_under_three_years():
    with pytest.raises(ConfigError, match="AUDIT_RETENTION_YEARS"):
        load_settings({**BASE, "AUDIT_RETENTION_YEARS": "2"})
    assert load_settings({**BASE, "AUDIT_RETENTION_YEARS": "10"}).audit_retention_years == 10
    assert load_settings(BASE).retention_years == 3 and load_settings(BASE).export_retention_days == 90


def test_the_process_environment_is_read_again_only_when_it_changes(monkeypatch):
    for name, value in BASE.items():
        monkeypatch.setenv(name, value)
    first = load_settings()
    assert load_settings() is first  # unchanged: the settings already read
    monkeypatch.setenv("TABLE_NAME", "other")
    assert load_settings().table_name == "other"
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with pytest.raises(ConfigError, match="AWS_REGION"):
        load_settings()
    monkeypatch.setenv("AWS_REGION", "ap-east-1")
    monkeypatch.setenv("TABLE_NAME", "t")
    assert load_settings() == first
