"""Exam tokens: signed, bound to one attempt, expiring at the end of the exam day."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib import clock
from chalicelib.domain import tokens
from chalicelib.domain.errors import Unauthorized

SECRET = b"test-exam-token-key"
EXAM_DAY = dt.date(2026, 12, 18)
EXPIRES = tokens.end_of_day(EXAM_DAY, clock.BEIJING)
CLAIM = tokens.ExamClaim(
    period_id="20261218-abc123", id_hash="ab" * 32, expires_at=EXPIRES, seed="Xy_-12ab34cd56ef"
)
DURING = dt.datetime(2026, 12, 18, 9, 30, tzinfo=clock.BEIJING)


def test_a_token_gives_back_its_claim() -> None:
    assert tokens.verify(SECRET, tokens.issue(SECRET, CLAIM), DURING) == CLAIM


def test_the_same_attempt_on_the_same_day_gets_the_same_token() -> None:
    assert tokens.issue(SECRET, CLAIM) == tokens.issue(SECRET, CLAIM)


def test_it_expires_at_midnight_beijing_after_the_exam_day() -> None:
    assert dt.datetime(2026, 12, 19, 0, 0, tzinfo=clock.BEIJING) == EXPIRES
    token = tokens.issue(SECRET, CLAIM)
    assert tokens.verify(SECRET, token, EXPIRES - dt.timedelta(seconds=1)) == CLAIM
    with pytest.raises(Unauthorized) as refused:
        tokens.verify(SECRET, token, EXPIRES)
    assert "过期" in refused.value.message


def test_expiry_is_compared_as_an_instant_whatever_the_zone() -> None:
    token = tokens.issue(SECRET, CLAIM)
    just_before_in_utc = (EXPIRES - dt.timedelta(seconds=1)).astimezone(dt.UTC)
    assert tokens.verify(SECRET, token, just_before_in_utc).period_id == CLAIM.period_id


def tampered(part: int, value: str) -> str:
    parts = tokens.issue(SECRET, CLAIM).split(".")
    parts[part] = value
    return ".".join(parts)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(tampered(1, "20261219-abc123"), id="another period"),
        pytest.param(tampered(2, "cd" * 32), id="another person"),
        pytest.param(tampered(3, str(int(EXPIRES.timestamp()) + 86400)), id="later expiry"),
        pytest.param(tampered(0, "e1"), id="unknown version"),
        pytest.param(tampered(4, "another-seed0000"), id="another attempt of the same person"),
        pytest.param(tampered(5, "x" * 43), id="wrong signature"),
        pytest.param(tampered(5, "签名"), id="non-ASCII signature"),
        pytest.param(tampered(3, "soon"), id="expiry not a number"),
        pytest.param(tokens.issue(b"another-secret", CLAIM), id="another secret"),
        pytest.param("", id="empty"),
        pytest.param("e1.a.b.c", id="too few parts"),
        pytest.param(tokens.issue(SECRET, CLAIM) + ".x", id="too many parts"),
    ],
)
def test_a_forged_or_damaged_token_is_refused(token: str) -> None:
    with pytest.raises(Unauthorized):
        tokens.verify(SECRET, token, DURING)


@pytest.mark.parametrize(
    ("exam_end", "expected"),
    [
        # The end of the exam day is later: it wins.
        (dt.time(11, 0), dt.datetime(2026, 12, 19, 0, 0, tzinfo=clock.BEIJING)),
        (dt.time(22, 50), dt.datetime(2026, 12, 19, 0, 0, tzinfo=clock.BEIJING)),
        # An hour after the end plus the 10-minute grace is later, past midnight.
        (dt.time(23, 0), dt.datetime(2026, 12, 19, 0, 10, tzinfo=clock.BEIJING)),
        (dt.time(23, 55), dt.datetime(2026, 12, 19, 1, 5, tzinfo=clock.BEIJING)),
    ],
)
def test_an_exam_token_lives_until_the_later_of_midnight_and_an_hour_after_the_grace(
    exam_end: dt.time, expected: dt.datetime
) -> None:
    assert tokens.exam_expiry(EXAM_DAY, exam_end, dt.timedelta(minutes=10), clock.BEIJING) == expected


# Staff download links -------------------------------------------------------------

LINK = tokens.DownloadLink(
    path="/api/admin/qr.png",
    staff_key="4s4ooorr",
    token_hash="cd" * 32,
    expires_at=DURING + tokens.LINK_LIFETIME,
)


def test_a_link_opens_its_path_for_its_token_until_it_expires() -> None:
    link = tokens.issue_link(SECRET, LINK)
    assert tokens.link_staff_key(link) == LINK.staff_key
    tokens.verify_link(SECRET, link, LINK.path, LINK.token_hash, DURING)
    tokens.verify_link(SECRET, link, LINK.path, LINK.token_hash, LINK.expires_at - dt.timedelta(seconds=1))
    with pytest.raises(Unauthorized):
        tokens.verify_link(SECRET, link, LINK.path, LINK.token_hash, LINK.expires_at)


@pytest.mark.parametrize(
    ("secret", "path", "token_hash"),
    [
        (b"another key", LINK.path, LINK.token_hash),
        (SECRET, "/api/admin/qr.svg", LINK.token_hash),
        (SECRET, LINK.path, "ef" * 32),
    ],
    ids=["other key", "other path", "other staff token"],
)
def test_a_link_is_refused_for_another_key_path_or_staff_token(
    secret: bytes, path: str, token_hash: str
) -> None:
    link = tokens.issue_link(SECRET, LINK)
    with pytest.raises(Unauthorized):
        tokens.verify_link(secret, link, path, token_hash, DURING)


@pytest.mark.parametrize(
    "text",
    ["", "d1", "d1..1.x", "e2.a.b.c", "d1.key.soon.sig", "d1.key.99999999999999999999.sig", "d1.k.1.\udcff"],
)
def test_what_is_no_link_is_refused(text: str) -> None:
    with pytest.raises(Unauthorized):
        tokens.verify_link(SECRET, text, LINK.path, LINK.token_hash, DURING)


def test_an_exam_token_is_no_link() -> None:
    exam = tokens.issue(SECRET, CLAIM)
    with pytest.raises(Unauthorized):
        tokens.link_staff_key(exam)
