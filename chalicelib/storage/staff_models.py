"""The item kinds only staff's routes, the schedules and a rights request read or write.

They share the table, and `models.bind` points them at it with the others, but a
candidate's registration, lookup or exam never touches them: defining a PynamoDB model
costs a cold start (its metaclass walks every member of the class twice), so they are
defined when the store that uses them is first imported (the audit trail, the export's
lease and watermark, the city template, the question bank's pointer, rights requests).
tests/packaging/test_cold_start.py keeps this module off `import app`.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.storage import models
from chalicelib.storage.models import _TableItem


class LockItem(_TableItem):
    """A lease: whoever wrote it last with an unexpired `lease_until` holds it."""

    holder = UnicodeAttribute()
    lease_until = UnicodeAttribute()


class ExportStateItem(_TableItem):
    """How far a period's export has gone: the watermark that makes it exactly once.

    `through` is the newest pending-passer key included in an e-mail SES
    accepted; `marked_through` how far those passers have been marked
    exported. Written only by the holder of the period's export lease.
    """

    through = UnicodeAttribute(null=True)
    marked_through = UnicodeAttribute(null=True)
    exported = NumberAttribute(default=0)
    last_run_at = UnicodeAttribute(null=True)
    last_count = NumberAttribute(null=True)
    last_csv_key = UnicodeAttribute(null=True)
    last_xlsx_key = UnicodeAttribute(null=True)


class CityTemplateItem(_TableItem):
    """The city's import template in use: its S3 key, its layout, and staff's column mapping.

    `layout` and `mapping` are JSON (domain/city_template.py's `public()` forms); the
    mapping is null until staff save one for this template, and a new upload clears it."""

    template_key = UnicodeAttribute()
    layout = UnicodeAttribute()
    uploaded_at = UnicodeAttribute()
    uploaded_by = UnicodeAttribute()
    mapping = UnicodeAttribute(null=True)
    mapped_at = UnicodeAttribute(null=True)
    mapped_by = UnicodeAttribute(null=True)


class BankPointerItem(_TableItem):
    """Which S3 object holds the question bank's current version (pk `bank`, sk `current`)."""

    key = UnicodeAttribute()
    saved_at = UnicodeAttribute()


class AuditItem(_TableItem):
    """One staff action: who, when, what, which record. Kept (no TTL) well past three years."""

    at = UnicodeAttribute()
    staff = UnicodeAttribute()
    role = UnicodeAttribute()
    action = UnicodeAttribute()
    record = MapAttribute[str, Any](default=dict)  # type: ignore[no-untyped-call]
    status = NumberAttribute()
    reason = UnicodeAttribute(null=True)


class RightsRequestItem(_TableItem):
    """A candidate's rights request. The name, e-mail and details are removed once it is answered."""

    request_id = UnicodeAttribute()
    person = UnicodeAttribute()
    kind = UnicodeAttribute()
    status = UnicodeAttribute()
    received_at = UnicodeAttribute()
    answer_by = UnicodeAttribute()
    id_number_masked = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    details = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    # Held while one staff member's answer is being e-mailed: the others are refused.
    answering_by = UnicodeAttribute(null=True)
    answering_until = UnicodeAttribute(null=True)


models.adopt(LockItem, ExportStateItem, CityTemplateItem, BankPointerItem, AuditItem, RightsRequestItem)
