"""The separate consents and where the data lives: which consents each stage asks, field by field."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.config import ConfigError, load_settings
from chalicelib.domain.errors import Invalid
from chalicelib.domain.privacy import CONSENT_VERSIONS, NoticeFacts, given_consents, outside_mainland

AT = dt.datetime(2026, 9, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
BASE = {"TABLE_NAME": "t", "BUCKET_NAME": "b", "AWS_DEFAULT_REGION": "ap-east-1"}


@pytest.mark.parametrize(
    ("env", "outside"),
    [
        ({}, True),  # Hong Kong, SES in Hong Kong
        ({"AWS_DEFAULT_REGION": "cn-north-1", "MAIL_TRANSPORT": "smtp", "SMTP_HOST": "smtp.x"}, False),
        ({"AWS_DEFAULT_REGION": "cn-northwest-1", "MAIL_TRANSPORT": "smtp"}, False),
        # Stored in Beijing, but mailed through SES in Singapore: the data leaves the mainland.
        ({"AWS_DEFAULT_REGION": "cn-north-1", "SES_REGION": "ap-southeast-1"}, True),
        ({"AWS_DEFAULT_REGION": "cn-north-1", "SES_REGION": "cn-north-1"}, False),
        ({"DATA_OUTSIDE_MAINLAND": "false"}, False),
        ({"AWS_DEFAULT_REGION": "cn-north-1", "DATA_OUTSIDE_MAINLAND": "true"}, True),
    ],
)
def test_where_the_data_lives_is_the_setting_or_derived_from_the_regions(env, outside):
    assert load_settings({**BASE, **env}).data_outside_mainland is outside


def test_a_malformed_outside_setting_is_refused_rather_than_guessed():
    with pytest.raises(ConfigError, match="DATA_OUTSIDE_MAINLAND"):
        load_settings({**BASE, "DATA_OUTSIDE_MAINLAND": "maybe"})
    with pytest.raises(ValueError):
        outside_mainland("sometimes", ("cn-north-1",))


def test_a_malformed_city_system_basis_is_refused():
    with pytest.raises(ConfigError, match="CITY_SYSTEM_BASIS"):
        load_settings({**BASE, "CITY_SYSTEM_BASIS": "whatever"})


@pytest.mark.parametrize(
    ("basis", "outside", "required"),
    [
        ("legal_duty", False, ("processing",)),
        ("consent", False, ("processing", "city_system")),
        ("legal_duty", True, ("processing", "cross_border")),
        ("consent", True, ("processing", "city_system", "cross_border")),
    ],
)
def test_the_required_consents_follow_the_basis_and_the_place(basis, outside, required):
    assert NoticeFacts(city_basis=basis, outside_mainland=outside).required == required


ALL = NoticeFacts(city_basis="consent", outside_mainland=True)
GIVEN = {"consent": True, "consent_city_system": True, "consent_cross_border": True}


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        (["consent", "consent_city_system", "consent_cross_border"], "consent"),
        (["consent_city_system", "consent_cross_border"], "consent_city_system"),
        (["consent_cross_border"], "consent_cross_border"),
    ],
)
def test_consents_are_refused_field_by_field_in_the_forms_order(missing, field):
    body = {name: value for name, value in GIVEN.items() if name not in missing}
    with pytest.raises(Invalid) as refused:
        given_consents(body, ALL, AT)
    assert refused.value.field == field


@pytest.mark.parametrize("value", [False, None, "true", 1, "yes", [True]])
def test_a_separate_consent_must_be_exactly_true(value):
    with pytest.raises(Invalid) as refused:
        given_consents({**GIVEN, "consent_cross_border": value}, ALL, AT)
    assert refused.value.field == "consent_cross_border"


def test_each_consent_is_recorded_with_its_version_and_time():
    consents = given_consents(GIVEN, ALL, AT)
    assert [(c.purpose, c.version, c.at) for c in consents] == [
        (purpose, CONSENT_VERSIONS[purpose], AT) for purpose in ("processing", "city_system", "cross_border")
    ]


def test_a_consent_that_was_not_asked_is_not_recorded():
    facts = NoticeFacts(city_basis="legal_duty", outside_mainland=False)
    assert [c.purpose for c in given_consents(GIVEN, facts, AT)] == ["processing"]


def test_the_notice_states_the_retention_settings_not_a_literal():
    from chalicelib.services.privacy_notice import notice_text

    text = notice_text(NoticeFacts(retention_years=5, export_retention_days=30, answer_working_days=12))
    assert "保存 5 年" in text and "保存 30 天" in text and "12 个工作日" in text
    assert "3 年" not in text


@pytest.mark.parametrize(
    ("facts", "shown", "absent"),
    [
        (NoticeFacts(storage_region="ap-east-1", outside_mainland=True), ["中国大陆以外", "中国香港"], []),
        (NoticeFacts(storage_region="cn-north-1"), ["中国北京"], ["中国大陆以外"]),
        (NoticeFacts(city_basis="legal_duty"), ["法定义务"], []),
        (NoticeFacts(handler="某协会", contact="privacy@example.org"), ["某协会", "privacy@example.org"], []),
    ],
)
def test_the_notice_names_the_handler_the_place_and_the_basis(facts, shown, absent):
    from chalicelib.services.privacy_notice import notice_text

    text = notice_text(facts)
    for words in shown:
        assert words in text
    for words in absent:
        assert words not in text
