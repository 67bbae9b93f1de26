"""PynamoDB models: one DynamoDB table, several kinds of item.

A single table lets one transaction write a registration together with the
claims that make its phone and e-mail unique, and gives IAM one resource to
grant. Items are told apart by their key prefixes (see keys.py):

| item          | pk                      | sk              |
|---------------|-------------------------|-----------------|
| period        | `period`                | period id       |
| claim         | `claim#<field>#<hash>`  | `claim`         |
| person        | `person#<id hash>`      | `person`        |
| registration  | `person#<id hash>`      | `reg#<period>`  |
| outbox entry  | `outbox`                | due#kind#...    |
| lock          | `lock#<name>`           | `lock`          |
| export state  | `export#<period>`       | `state`         |
| failures      | `failures#<kind>#<id hash>#<address hash>` | `failures` |
| calendar year | `calendar`              | `YYYY`          |
| audit event   | `audit#<Beijing day>`   | `<instant>#<id>`|
| question bank | `bank`                  | `current`       |

A registration also carries its exam attempt (started, saved answers, result):
one item per candidate and period keeps every exam request to one write. Its
pass and its result e-mail are on it too (the `passers` and `mail_due`
indexes), so a submission whose details are unchanged is one UpdateItem.

The kinds only staff's routes, the schedules and a rights request use (locks, export
state, the city template, the bank's pointer, audit events, rights requests) are defined in
staff_models.py, which their stores import: a candidate's cold start does without them.

The table name is not known at import time: `bind()` points every model at
the stage's table when a request needs it.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.storage import keys


class _TableItem(Model):
    """Shared key schema; every item kind below lives in the same table."""

    class Meta:
        table_name = "unbound"
        region: str | None = None
        connect_timeout_seconds = 2
        read_timeout_seconds = 5
        max_retry_attempts = 2

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class PeriodItem(_TableItem):
    name = UnicodeAttribute()
    exam_date = UnicodeAttribute()
    exam_start = UnicodeAttribute()
    exam_end = UnicodeAttribute()
    registration_opens = UnicodeAttribute()
    registration_closes = UnicodeAttribute()
    notes = UnicodeAttribute(default="")
    paper_key = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    # Incremented by each registration's own transaction: the condition that lets
    # an exam date change or a delete happen only while nobody is registered.
    registrations = NumberAttribute(null=True)


class ClaimItem(_TableItem):
    """Whoever holds this item owns the value: a phone, an e-mail or an exam date."""

    owner = UnicodeAttribute()
    claimed_at = UnicodeAttribute()


class PersonItem(_TableItem):
    """What is true of a person across periods: whether they have passed."""

    passed_period_id = UnicodeAttribute(null=True)
    passed_at = UnicodeAttribute(null=True)
    last_registered_at = UnicodeAttribute(null=True)


class ByPeriodIndex(GlobalSecondaryIndex["RegistrationItem"]):
    """Registrations of one period, in order of registration: staff lists, stats, reminders."""

    class Meta:
        index_name = keys.BY_PERIOD_INDEX
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class PassersIndex(GlobalSecondaryIndex["RegistrationItem"]):
    """Sparse: only passers are in it, keyed `pending#...` until exported, then `exported#...`."""

    class Meta:
        index_name = keys.PASSERS_INDEX
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class ByNameIndex(GlobalSecondaryIndex["RegistrationItem"]):
    """Registrations by the keyed hash of the name's `name_key`: the helpdesk's search by name."""

    class Meta:
        index_name = keys.BY_NAME_INDEX
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


# What the `mail_due` index copies beside the keys: what the sender filters and backs off by.
MAIL_DUE_PROJECTED = ["mail_lease_until", "mail_attempts"]


class MailDueIndex(GlobalSecondaryIndex["RegistrationItem"]):
    """Sparse: registrations carrying an e-mail to send (the result e-mail, queued by the
    submission's own UpdateItem), keyed like outbox entries so the sender reads both in order.
    Only the keys and the lease are copied: the attempt item itself is large."""

    class Meta:
        index_name = keys.MAIL_DUE_INDEX
        projection = IncludeProjection(MAIL_DUE_PROJECTED)

    gsi4pk = UnicodeAttribute(hash_key=True)
    gsi4sk = UnicodeAttribute(range_key=True)


class RegistrationItem(_TableItem):
    period_id = UnicodeAttribute()
    name = UnicodeAttribute()
    # `identity.name_key(name)`: what exam entry compares, inside its one conditional write.
    name_key = UnicodeAttribute(null=True)
    id_number = UnicodeAttribute()
    phone = UnicodeAttribute()
    email = UnicodeAttribute()
    registered_at = UnicodeAttribute()
    consent_version = UnicodeAttribute()
    consented_at = UnicodeAttribute()
    # Every consent given, separate ones included: [{"purpose", "version", "at"}].
    consents = ListAttribute[Any](null=True)  # type: ignore[no-untyped-call]
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    # The exam attempt.
    started_at = UnicodeAttribute(null=True)
    # Set at the first entry: the attempt's own question and option order derive from it.
    seed = UnicodeAttribute(null=True)
    answers = MapAttribute[str, Any](null=True)  # type: ignore[no-untyped-call]
    answers_saved_at = UnicodeAttribute(null=True)
    # How many saves the attempt has had. A submission is scored from the saved
    # answers it read, and its write requires this count unchanged: a save that
    # lands in between is then in the answers scored, never overwritten.
    saves = NumberAttribute(null=True)
    submitted_at = UnicodeAttribute(null=True)
    score = NumberAttribute(null=True)
    pass_mark = NumberAttribute(null=True)
    passed = BooleanAttribute(null=True)
    correct = ListAttribute[str](null=True)
    paper_key = UnicodeAttribute(null=True)
    # Scored from the saved answers at the close of the exam, not by the candidate.
    auto_submitted = BooleanAttribute(null=True)
    # Details changed at submission: [{"at", "field", "old", "new"}], oldest first.
    changes = ListAttribute[Any](null=True)  # type: ignore[no-untyped-call]
    # Present only on passers (sparse index).
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    exported_at = UnicodeAttribute(null=True)
    # Entered into the city's system (set once, by staff, on exported passers only).
    entered_on = UnicodeAttribute(null=True)
    entered_by = UnicodeAttribute(null=True)
    entered_at = UnicodeAttribute(null=True)
    reminded_at = UnicodeAttribute(null=True)
    # The helpdesk's name index (absent on registrations stored before it existed).
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    # Incident controls: this candidate's own end is the period's plus these minutes.
    extra_minutes = NumberAttribute(null=True)
    # E-mails the outbox sent about this registration: [{"kind", "at"}], oldest first.
    mails = ListAttribute[Any](null=True)  # type: ignore[no-untyped-call]
    # Attempts staff voided: [{"at", "reason", "staff", "score", "submitted_at"}].
    voided = ListAttribute[Any](null=True)  # type: ignore[no-untyped-call]
    # The result e-mail due (sparse index `mail_due`), held and retried as an outbox entry
    # is: present from the submission until the e-mail is sent or dropped.
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)
    mail_lease_until = UnicodeAttribute(null=True)
    mail_attempts = NumberAttribute(null=True)

    by_period = ByPeriodIndex()
    passers = PassersIndex()
    by_name = ByNameIndex()
    mail_due = MailDueIndex()


class OutboxItem(_TableItem):
    """An e-mail to a candidate, written with the change it reports and sent by a schedule."""

    kind = UnicodeAttribute()
    target_pk = UnicodeAttribute()
    target_sk = UnicodeAttribute()
    created_at = UnicodeAttribute()
    lease_until = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)


class FailureItem(_TableItem):
    """Failed entries (or lookups) of one ID number from one address: epoch seconds.

    DynamoDB's TTL removes the item `expires_at` after its last failure;
    until it does, the rule (domain/attempts.py) ignores what is too old.
    """

    failures = ListAttribute[float](of=NumberAttribute, null=True)  # type: ignore[arg-type]
    expires_at = NumberAttribute(null=True)
    # Requests of the pair in the current burst window (domain/attempts.py: BURST).
    burst_window = NumberAttribute(null=True)
    burst_arrivals = NumberAttribute(null=True)


# The attribute DynamoDB's time-to-live deletes items by (bootstrap enables it).
TTL_ATTRIBUTE = "expires_at"


class CalendarYearItem(_TableItem):
    """A year of the working-day calendar as staff entered it (wins over the library's)."""

    holidays = ListAttribute[str](default=list)
    workdays = ListAttribute[str](default=list)
    saved_at = UnicodeAttribute()


MODELS: tuple[type[_TableItem], ...] = (
    _TableItem,
    PeriodItem,
    ClaimItem,
    PersonItem,
    RegistrationItem,
    OutboxItem,
    FailureItem,
    CalendarYearItem,
)

_bound: tuple[str, str, str] | None = None
# The kinds defined in storage/staff_models.py, once a store has imported it: bound as these are.
_adopted: list[type[_TableItem]] = []


def adopt(*kinds: type[_TableItem]) -> None:
    """Bind `kinds` with the models above, now if they are bound already and at every `bind`."""
    _adopted.extend(kinds)
    if _bound is not None:
        for kind in kinds:
            kind._connection = RegistrationItem._connection


def bind(table_name: str, region: str, endpoint: str) -> None:
    """Point every model at the stage's table (cheap when nothing changed)."""
    global _bound
    wanted = (table_name, region, endpoint)
    if _bound == wanted:
        return
    from chalicelib.storage.aws import instrument

    _TableItem.Meta.table_name = table_name
    _TableItem.Meta.region = region
    for model in (*MODELS, *_adopted):
        model._connection = None
    # One connection (one botocore client) serves every kind of item: they
    # share the table, and a client costs cold-start time. It is built from
    # the model that declares the indexes.
    shared = RegistrationItem._get_connection()
    for model in (*MODELS, *_adopted):
        model._connection = shared
    instrument(shared.connection.client)
    _bound = wanted


def table_schema(table_name: str) -> dict[str, Any]:
    """The CreateTable request for the table the models above live in."""

    def gsi(name: str, pk: str, sk: str, include: list[str] | None = None) -> dict[str, Any]:
        projection: dict[str, Any] = (
            {"ProjectionType": "INCLUDE", "NonKeyAttributes": include}
            if include
            else {"ProjectionType": "ALL"}
        )
        return {
            "IndexName": name,
            "KeySchema": [
                {"AttributeName": pk, "KeyType": "HASH"},
                {"AttributeName": sk, "KeyType": "RANGE"},
            ],
            "Projection": projection,
        }

    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in (
                "pk",
                "sk",
                "gsi1pk",
                "gsi1sk",
                "gsi2pk",
                "gsi2sk",
                "gsi3pk",
                "gsi3sk",
                "gsi4pk",
                "gsi4sk",
            )
        ],
        "GlobalSecondaryIndexes": [
            gsi(keys.BY_PERIOD_INDEX, "gsi1pk", "gsi1sk"),
            gsi(keys.PASSERS_INDEX, "gsi2pk", "gsi2sk"),
            gsi(keys.BY_NAME_INDEX, "gsi3pk", "gsi3sk"),
            gsi(keys.MAIL_DUE_INDEX, "gsi4pk", "gsi4sk", include=MAIL_DUE_PROJECTED),
        ],
    }


def unbind() -> None:
    """Forget the binding, so the next `bind` builds a fresh connection."""
    global _bound
    _bound = None
