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
