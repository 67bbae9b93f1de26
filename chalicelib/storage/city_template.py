"""Which city import template is in use, and how its columns map: one item in the table.

The template's bytes live in S3 (storage/archive.py) under a key that is never
reused; this item names that key with the layout read from it and the mapping
staff saved. A new upload replaces the item and so clears the mapping (the
columns may have changed). Saving a mapping is conditional on the item still
naming the template it was checked against, so a mapping never lands on a
template uploaded in between.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.domain.city_template import CityMapping, Layout, mapping_from_stored
from chalicelib.domain.errors import CityTemplateChanged
from chalicelib.storage import keys
from chalicelib.storage.dynamo import applied, dynamodb_errors
from chalicelib.storage.staff_models import CityTemplateItem


@dataclass(frozen=True)
class StoredTemplate:
    key: str
    layout: Layout
    uploaded_at: str
    uploaded_by: str
    mapping: CityMapping | None
    mapped_at: str | None
    mapped_by: str | None


def load() -> StoredTemplate | None:
    """The template in use, read strongly consistent (a save in another container counts at once)."""
    with dynamodb_errors():
        try:
            item = CityTemplateItem.get(keys.CITY_TEMPLATE_PK, keys.CITY_TEMPLATE_SK, consistent_read=True)
        except CityTemplateItem.DoesNotExist:
            return None
    layout: dict[str, Any] = json.loads(item.layout)
    return StoredTemplate(
        key=item.template_key,
        layout=Layout(layout["sheet"], tuple(tuple(row) for row in layout["rows"])),
        uploaded_at=item.uploaded_at,
        uploaded_by=item.uploaded_by,
        mapping=mapping_from_stored(json.loads(item.mapping)) if item.mapping else None,
        mapped_at=item.mapped_at,
        mapped_by=item.mapped_by,
    )


def save_template(key: str, layout: Layout, staff: str, at: dt.datetime) -> None:
    """Make the uploaded template the one in use, with no mapping yet."""
    item = CityTemplateItem(
        keys.CITY_TEMPLATE_PK,
        keys.CITY_TEMPLATE_SK,
        template_key=key,
        layout=json.dumps(layout.public(), ensure_ascii=False),
        uploaded_at=clock.iso(at),
        uploaded_by=staff,
    )
    with dynamodb_errors():
        item.save()


def save_mapping(template_key: str, mapping: CityMapping, staff: str, at: dt.datetime) -> None:
    """Store the mapping, only while `template_key` is still the template in use
    (`CityTemplateChanged` otherwise)."""
    item = CityTemplateItem(keys.CITY_TEMPLATE_PK, keys.CITY_TEMPLATE_SK)
    actions: list[Any] = [
        CityTemplateItem.mapping.set(json.dumps(mapping.public(), ensure_ascii=False)),
        CityTemplateItem.mapped_at.set(clock.iso(at)),
        CityTemplateItem.mapped_by.set(staff),
    ]
    if not applied(
        lambda: item.update(actions=actions, condition=CityTemplateItem.template_key == template_key)
    ):
        raise CityTemplateChanged()


def delete() -> None:
    """No template any more: the export goes back to its own files only."""
    with dynamodb_errors():
        CityTemplateItem(keys.CITY_TEMPLATE_PK, keys.CITY_TEMPLATE_SK).delete()
