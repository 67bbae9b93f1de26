"""A new registration and its confirmation e-mail, written without the models, are what the
models write: the same attributes, names and types (registration sends them itself, issue 19)."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib import clock
from chalicelib.domain.identity import Contact
from chalicelib.domain.periods import Period
from chalicelib.domain.privacy import Consent
from chalicelib.storage import keys
from chalicelib.storage.items import outbox_attributes, registration_attributes
from chalicelib.storage.models import OutboxItem, RegistrationItem

NOW = dt.datetime(2026, 12, 1, 10, 0, 5, tzinfo=clock.BEIJING)
STAMP = "2026-12-01T10:00:05+08:00"
ID_HASH = "4df2193d864ea23c" * 4
NAME_HASH = "f5d9b870017870c2" * 4
PERIOD = Period(
    id="20261218-t",
    name="2026年12月",
    exam_date=dt.date(2026, 12, 18),
    exam_start=dt.time(9),
    exam_end=dt.time(11),
    registration_opens=dt.date(2026, 11, 28),
    registration_closes=dt.date(2026, 12, 17),
    notes="",
)
CONTACT = Contact(
    name=" 欧阳 娜娜 ", id_number="11010519700722001X", phone="13900000202", email="A@Example.com"
)
CONSENTS = (
    Consent("processing", "2026-12", NOW),
    Consent("city_system", "2026-12", NOW + dt.timedelta(seconds=1)),
)


def model_item(name_hash: str | None, consents: tuple[Consent, ...]) -> RegistrationItem:
    """The registration as the model was built before it was written by hand."""
    item = RegistrationItem(
        keys.person_pk(ID_HASH),
        keys.registration_sk(PERIOD.id),
        period_id=PERIOD.id,
        name=CONTACT.name,
        name_key="欧阳娜娜",
        id_number=CONTACT.id_number,
        phone=CONTACT.phone,
        email=CONTACT.email,
        registered_at=STAMP,
        consent_version="2026-12",
        consented_at=STAMP,
        gsi1pk=keys.by_period_pk(PERIOD.id),
        gsi1sk=keys.by_period_sk(STAMP, ID_HASH),
    )
    if consents:
        item.consents = [
            {"purpose": c.purpose, "version": c.version, "at": clock.iso(c.at)} for c in consents
        ]
    if name_hash:
        item.gsi3pk = keys.by_name_pk(name_hash)
        item.gsi3sk = keys.by_name_sk(PERIOD.id, ID_HASH)
    return item


@pytest.mark.parametrize(("name_hash", "consents"), [(NAME_HASH, CONSENTS), (None, ())])
def test_a_registration_is_stored_as_the_model_stores_it(
    name_hash: str | None, consents: tuple[Consent, ...]
) -> None:
    written = registration_attributes(PERIOD, CONTACT, ID_HASH, NOW, "2026-12", name_hash, consents)
    assert written == model_item(name_hash, consents).serialize()
    # And the model reads it back as written.
    assert RegistrationItem.from_raw_data(written).serialize() == written


def test_the_confirmation_is_stored_as_the_model_stores_it() -> None:
    target_pk, target_sk = keys.person_pk(ID_HASH), keys.registration_sk(PERIOD.id)
    model = OutboxItem(
        keys.OUTBOX_PK,
        keys.outbox_sk(STAMP, "confirmation", keys.person_hash(target_pk), PERIOD.id),
        kind="confirmation",
        target_pk=target_pk,
        target_sk=target_sk,
        created_at=STAMP,
    )
    assert outbox_attributes("confirmation", target_pk, target_sk, PERIOD.id, STAMP) == model.serialize()
