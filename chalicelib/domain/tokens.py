"""Exam tokens: a signed, expiring bearer token bound to one attempt.

An attempt is one candidate's registration for one period, so the token
carries the period id, the candidate's identity hash (never the ID number)
and the attempt's seed, and expires at the end of the exam day in Beijing, or an hour after the
submission deadline when that is later (`exam_expiry`). It is an HMAC, not a
session in the database: checking it costs no AWS call, which keeps every
exam request to the contract's budget on the busiest day of the month.

The seed is drawn anew when an attempt voided by staff is entered again, so a
token of the voided attempt stops at the routes that read or write the
attempt (they compare it with the stored seed) while the real person's new
token works. The seed only orders the questions, which the candidate sees.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from chalicelib.domain.errors import Unauthorized

VERSION = "e2"
_PARTS = 6


@dataclass(frozen=True)
class ExamClaim:
    period_id: str
    id_hash: str
    expires_at: dt.datetime
    # The attempt's seed when the token was issued: a voided attempt's token names the old one.
    seed: str


def _sign(secret: bytes, payload: str) -> str:
    digest = hmac.new(secret, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue(secret: bytes, claim: ExamClaim) -> str:
    payload = f"{VERSION}.{claim.period_id}.{claim.id_hash}.{int(claim.expires_at.timestamp())}.{claim.seed}"
    return f"{payload}.{_sign(secret, payload)}"


def verify(secret: bytes, token: str, now: dt.datetime) -> ExamClaim:
    """The claim of a valid token, or `Unauthorized`."""
    parts = token.split(".")
    if len(parts) != _PARTS or parts[0] != VERSION:
        raise Unauthorized("考试凭证无效，请重新输入身份证号进入考试。")
    payload, signature = ".".join(parts[:-1]), parts[-1]
    # Compared as bytes: compare_digest refuses non-ASCII str, and a header
    # can carry anything.
    given = signature.encode("utf-8", "surrogatepass")
    if not hmac.compare_digest(_sign(secret, payload).encode(), given):
        raise Unauthorized("考试凭证无效，请重新输入身份证号进入考试。")
    try:
        expires = dt.datetime.fromtimestamp(int(parts[3]), tz=now.tzinfo)
    except (ValueError, OverflowError, OSError) as exc:
        raise Unauthorized("考试凭证无效，请重新输入身份证号进入考试。") from exc
    if now >= expires:
        raise Unauthorized("考试凭证已过期，请重新输入身份证号进入考试。")
    return ExamClaim(period_id=parts[1], id_hash=parts[2], expires_at=expires, seed=parts[4])


# An exam token outlives the submission deadline by this much, so a candidate
# whose grace runs late is never logged out while the routes still accept them.
AFTER_CLOSE = dt.timedelta(hours=1)


def exam_expiry(exam_date: dt.date, exam_end: dt.time, grace: dt.timedelta, tz: dt.tzinfo) -> dt.datetime:
    """The later of midnight after the exam day and an hour after the end plus its grace.

    A late exam's grace may run past midnight; the token must not expire
    before the routes stop accepting the attempt.
    """
    after_close = dt.datetime.combine(exam_date, exam_end, tzinfo=tz) + grace + AFTER_CLOSE
    return max(end_of_day(exam_date, tz), after_close)


def end_of_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """Midnight after `day`: an exam token's expiry."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)


# Staff download links ------------------------------------------------------------
#
# A link or an <img> cannot send the staff token's Authorization header, and WeChat's browser
# drops the `blob:` URLs a page would otherwise build from a fetch. So a signed-in console asks
# for a short-lived link: the file's own URL with `?link=<this token>`, which the server answers
# with the file itself. The token names the staff member's parameter key (ASCII, never a token)
# and its expiry; the signature also covers the path and the staff token's hash, so a link opens
# only that file and stops when the token is revoked.

LINK_VERSION = "d1"
LINK_LIFETIME = dt.timedelta(minutes=5)
_LINK_PARTS = 4
LINK_REFUSED = "下载链接无效或已过期，请回到工作人员控制台重新点击下载。"


@dataclass(frozen=True)
class DownloadLink:
    path: str
    staff_key: str
    token_hash: str
    expires_at: dt.datetime


def _link_payload(link: DownloadLink, expires: int) -> str:
    return f"{LINK_VERSION}.{link.staff_key}.{expires}"


def _link_signature(secret: bytes, payload: str, path: str, token_hash: str) -> str:
    return _sign(secret, f"{payload}\n{path}\n{token_hash}")


def issue_link(secret: bytes, link: DownloadLink) -> str:
    payload = _link_payload(link, int(link.expires_at.timestamp()))
    return f"{payload}.{_link_signature(secret, payload, link.path, link.token_hash)}"


def link_staff_key(token: str) -> str:
    """The staff parameter key a link names (unverified), or `Unauthorized` when it is no link."""
    parts = token.split(".")
    if len(parts) != _LINK_PARTS or parts[0] != LINK_VERSION or not parts[1]:
        raise Unauthorized(LINK_REFUSED)
    return parts[1]


def verify_link(secret: bytes, token: str, path: str, token_hash: str, now: dt.datetime) -> None:
    """Nothing when `token` opens `path` for the staff token of `token_hash` at `now`; else `Unauthorized`."""
    link_staff_key(token)
    payload, signature = token.rsplit(".", 1)
    given = signature.encode("utf-8", "surrogatepass")
    if not hmac.compare_digest(_link_signature(secret, payload, path, token_hash).encode(), given):
        raise Unauthorized(LINK_REFUSED)
    try:
        expires = dt.datetime.fromtimestamp(int(payload.rsplit(".", 1)[1]), tz=now.tzinfo)
    except (ValueError, OverflowError, OSError) as exc:
        raise Unauthorized(LINK_REFUSED) from exc
    if now >= expires:
        raise Unauthorized(LINK_REFUSED)
