"""Every DynamoDB key and S3 key the system writes, built in one place.

One table holds every item, told apart by key prefixes. Keys that stand for a
person never carry the raw ID number, phone or e-mail: they carry a keyed
hash (HMAC-SHA256, full length), so a table export, a log line or a CloudWatch
metric dimension does not leak personal data, and nobody without the key can
test a guessed ID number against the table.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
from typing import Literal

ClaimField = Literal["phone", "email"]

PERIOD_PK = "period"
PERSON_SK = "person"
CLAIM_SK = "claim"
LOCK_SK = "lock"
OUTBOX_PK = "outbox"
CALENDAR_PK = "calendar"

# Index names, shared by the PynamoDB models and the table schema.
BY_PERIOD_INDEX = "by_period"
PASSERS_INDEX = "passers"
BY_NAME_INDEX = "by_name"
# Sparse: registrations carrying an e-mail their own write queued (the result e-mail), so a
# submission is one UpdateItem of the attempt rather than a transaction with an outbox item.
MAIL_DUE_INDEX = "mail_due"
MAIL_DUE_PK = "mail_due"

PASSER_PENDING = "pending"
PASSER_EXPORTED = "exported"


def identity_hash(secret: bytes, kind: str, value: str) -> str:
    """The keyed hash that stands for a person's ID number, phone or e-mail."""
    keyed = _keyed(secret).copy()
    keyed.update(f"{kind}:{value}".encode())
    return keyed.hexdigest()


@functools.lru_cache(maxsize=4)
def _keyed(secret: bytes) -> hmac.HMAC:
    """The HMAC state after the key, made once per key: an entry request hashes four
    values, and keying a new HMAC is most of one hash's cost. Only copies are updated."""
    return hmac.new(secret, digestmod=hashlib.sha256)


def person_pk(id_hash: str) -> str:
    return f"person#{id_hash}"


def person_hash(pk: str) -> str:
    """The ID number hash a `person#...` key carries."""
    return pk.removeprefix("person#")


def registration_sk(period_id: str) -> str:
    return f"reg#{period_id}"


REGISTRATION_SK_PREFIX = "reg#"


def claim_pk(field: ClaimField, value_hash: str) -> str:
    return f"claim#{field}#{value_hash}"


def exam_date_claim_pk(exam_date: dt.date) -> str:
    return f"claim#exam_date#{exam_date.isoformat()}"


def calendar_sk(year: int) -> str:
    return f"{year:04d}"


def period_sk(period_id: str) -> str:
    return period_id


def by_period_pk(period_id: str) -> str:
    return f"period#{period_id}"


def by_period_sk(registered_at: str, id_hash: str) -> str:
    return f"{registered_at}#{id_hash[:16]}"


def by_name_pk(name_hash: str) -> str:
    """The helpdesk's name index: the keyed hash of the name's `name_key`, never the name."""
    return f"name#{name_hash}"


def by_name_sk(period_id: str, id_hash: str) -> str:
    return f"{period_id}#{id_hash[:16]}"


def passers_pk(period_id: str) -> str:
    return f"passers#{period_id}"


def passers_sk(state: str, submitted_at: str, id_hash: str) -> str:
    return f"{state}#{submitted_at}#{id_hash[:16]}"


def lock_pk(name: str) -> str:
    return f"lock#{name}"


FAILURES_SK = "failures"


def failures_pk(kind: str, id_hash: str, address_hash: str) -> str:
    """Failed entries or lookups of one ID number from one client address (both hashed)."""
    return f"failures#{kind}#{id_hash}#{address_hash}"


def outbox_sk(due_at: str, kind: str, id_hash: str, period_id: str) -> str:
    """Also the `mail_due` index's sort key of an e-mail a registration carries: one order for both."""
    return f"{due_at}#{kind}#{id_hash[:16]}#{period_id}"


def outbox_kind(sk: str) -> str:
    """The kind of e-mail an `outbox_sk` names (the due instant holds no `#`)."""
    return sk.split("#", 2)[1]


def paper_key(period_id: str, uploaded_at: dt.datetime, digest: str, drawn: bool = False) -> str:
    """Papers are never overwritten: each upload gets its own key, so a cached
    paper can never go stale and the period records exactly which one it uses.
    A paper drawn per attempt from the bank says so in its key (`draw-`), so a
    result can tell without reading the paper whether it has feedback by topic."""
    stamp = uploaded_at.strftime("%Y%m%dT%H%M%S")
    return f"papers/{period_id}/{DRAWN_PREFIX if drawn else ''}{stamp}-{digest[:12]}.json"


DRAWN_PREFIX = "draw-"


def is_drawn_paper_key(key: str) -> bool:
    return key.rsplit("/", 1)[-1].startswith(DRAWN_PREFIX)


def city_template_key(uploaded_at: dt.datetime, digest: str) -> str:
    """The city's blank import template: each upload under its own key, never overwritten."""
    stamp = uploaded_at.strftime("%Y%m%dT%H%M%S")
    return f"city-template/{stamp}-{digest[:12]}.xlsx"


# The one item that says which template is in use and how its columns map.
CITY_TEMPLATE_PK = "city-template"
CITY_TEMPLATE_SK = "current"


BANK_PK = "bank"
BANK_SK = "current"


def bank_key(saved_at: dt.datetime, digest: str) -> str:
    """Each version of the question bank, like a paper, under a key of its own (beside the papers)."""
    stamp = saved_at.strftime("%Y%m%dT%H%M%S")
    return f"papers/_bank/{stamp}-{digest[:12]}.json"


def export_key(period_id: str, run_at: dt.datetime, extension: str) -> str:
    stamp = run_at.strftime("%Y%m%dT%H%M%S")
    return f"exports/{period_id}/{stamp}-passers.{extension}"


# The export ------------------------------------------------------------------

EXPORT_STATE_SK = "state"
# Every pending passer key sorts between these two (inclusive): the index
# sort key is `pending#<submitted_at>#<hash>`.
PASSERS_PENDING_FIRST = f"{PASSER_PENDING}#"
PASSERS_PENDING_LAST = f"{PASSER_PENDING}#\uffff"
# Every exported passer's index sort key begins with this.
PASSERS_EXPORTED_FIRST = f"{PASSER_EXPORTED}#"


def export_state_pk(period_id: str) -> str:
    return f"export#{period_id}"


def export_lease(period_id: str) -> str:
    """The lease name that lets one export of a period run at a time."""
    return f"export#{period_id}"


def exported_sk(pending_sk: str) -> str:
    """The index sort key of a passer once exported: same order, other state."""
    state, _, rest = pending_sk.partition("#")
    if state != PASSER_PENDING:
        raise ValueError("not a pending passer key")
    return f"{PASSER_EXPORTED}#{rest}"


AUDIT_PREFIX = "audit#"


def audit_pk(day: dt.date) -> str:
    """One partition per Beijing day: the trail is read by day, from a date on."""
    return f"{AUDIT_PREFIX}{day.isoformat()}"


def audit_sk(at: dt.datetime, event_id: str) -> str:
    return f"{at.isoformat(timespec='microseconds')}#{event_id}"


# Candidates' rights requests: one partition (a few a month), newest last; and, per person and
# kind, the claim that keeps a second open request of the same kind from being filed.
RIGHTS_PK = "rights"
RIGHTS_SK_PREFIX = "req#"


def rights_sk(received_at: str, request_id: str) -> str:
    return f"{RIGHTS_SK_PREFIX}{received_at}#{request_id}"


def rights_sk_received_through(day: dt.date) -> str:
    """An upper bound for the keys of requests received on or before `day` (Beijing date):
    every stamp of that day, `YYYY-MM-DDThh:mm:ss+08:00`, sorts below `YYYY-MM-DD~`."""
    return f"{RIGHTS_SK_PREFIX}{day.isoformat()}~"


def rights_open_pk(id_hash: str, kind: str) -> str:
    return f"rights-open#{id_hash}#{kind}"
