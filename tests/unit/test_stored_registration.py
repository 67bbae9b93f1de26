"""The attempt read without building a PynamoDB model gives what the model gives."""

from __future__ import annotations

from typing import Any

import pytest
from pynamodb.attributes import MapAttribute

from chalicelib.storage.items import registration_from_item
from chalicelib.storage.models import RegistrationItem
from chalicelib.storage.repository import _StoredRegistration

STAMP = "2026-12-18T09:30:00+08:00"
REGISTERED = {
    "period_id": "20261218-t",
    "name": "测试一",
    "name_key": "测试一",
    "id_number": "11010519700722001X",
    "phone": "13900000001",
    "email": "a@example.com",
    "registered_at": "2026-12-01T10:00:00+08:00",
    "consent_version": "2026-12",
    "consented_at": "2026-12-01T10:00:00+08:00",
    "gsi1pk": "period#20261218-t",
    "gsi1sk": "2026-12-01T10:00:00+08:00#0123456789abcdef",
}
EVERYTHING = {
    **REGISTERED,
    "consents": [{"purpose": "processing", "version": "2026-12", "at": STAMP}],
    "started_at": STAMP,
    "seed": "MKBUreIBVRV0GfEO",
    "answers": {"s1": ["B"], "m1": ["A", "C"], "m2": []},
    "answers_saved_at": STAMP,
    "saves": 3,
    "submitted_at": "2026-12-18T10:05:00+08:00",
    "score": 80,
    "pass_mark": 60,
    "passed": True,
    "correct": ["s1", "m1"],
    "paper_key": "papers/20261218-t/20261201T100000-abcdef012345.json",
    "auto_submitted": False,
    "changes": [{"at": STAMP, "field": "phone", "old": "13900000001", "new": "13900000002"}],
    "gsi2pk": "passers#20261218-t",
    "gsi2sk": "pending#2026-12-18T10:05:00+08:00#0123456789abcdef",
    "exported_at": "2026-12-19T02:00:00+08:00",
    "entered_on": "2026-12-20",
    "entered_by": "staff-1",
    "entered_at": "2026-12-20T09:00:00+08:00",
    "reminded_at": "2026-12-17T09:00:00+08:00",
    "gsi3pk": "name#abc",
    "gsi3sk": "20261218-t#0123456789abcdef",
    "extra_minutes": 15,
    "mails": [{"kind": "confirmation", "at": STAMP}, {"kind": "result", "at": STAMP}],
    "voided": [{"at": STAMP, "reason": "设备故障", "staff": "s", "score": 40, "submitted_at": STAMP}],
}


def _plain(value: Any) -> Any:
    return value.as_dict() if isinstance(value, MapAttribute) else value


# Answers stored in a shape no save writes (a bare string) are read as the model reads them.
ODD_ANSWERS = {**REGISTERED, "answers": {"s1": "B", "m1": ["A"]}}


@pytest.mark.parametrize(
    "fields",
    [REGISTERED, EVERYTHING, ODD_ANSWERS],
    ids=["just registered", "every attribute", "answers not lists"],
)
def test_a_stored_registration_reads_as_the_model_reads_it(fields: dict[str, Any]) -> None:
    raw = RegistrationItem("person#0123456789abcdef", "reg#20261218-t", **fields).serialize()
    model = RegistrationItem.from_raw_data(raw)
    stored = _StoredRegistration(raw)
    # Every attribute the model has, not only those the conversion reads today.
    for name in RegistrationItem.get_attributes():
        assert _plain(getattr(stored, name)) == _plain(getattr(model, name)), name
    assert registration_from_item(stored) == registration_from_item(model)  # type: ignore[arg-type]
