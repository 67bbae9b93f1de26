"""Staff set up the city's import template: upload it, see its columns, map them; the export uses it.

The template's bytes go to S3 under a key of their own (storage/archive.py),
the layout and mapping to one table item (storage/city_template.py). The
export asks `for_export`: only a template whose mapping is saved produces
files; without one the export is exactly what it was before templates existed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from chalicelib import clock
from chalicelib.domain.city_template import FIELDS, columns_at, header_row_of, parse_mapping
from chalicelib.domain.errors import CityTemplateChanged, CityTemplateInvalid, CityTemplateNotFound
from chalicelib.runtime import Runtime
from chalicelib.services.city_workbook import XLSX_TYPE, CityFiles, read_layout
from chalicelib.storage import archive, keys
from chalicelib.storage import city_template as store


def view(rt: Runtime, header_row: str | None = None) -> dict[str, Any]:
    """`GET /api/admin/city-template`: the template in use, its columns (at `header_row`, else
    the saved mapping's, else the default), the saved mapping, and the fields to choose from."""
    answer: dict[str, Any] = {
        "template": None,
        "fields": [{"field": name, "label": label} for name, label in FIELDS.items()],
        "max_rows": rt.settings.city_template_max_rows,
    }
    stored = store.load()
    if stored is None:
        return answer
    layout = stored.layout
    if header_row is not None:
        if not (header_row.isascii() and header_row.isdigit()):
            raise CityTemplateInvalid("表头行应为整数（第几行）。", field="header_row")
        row = header_row_of(layout, int(header_row))
    else:
        row = stored.mapping.header_row if stored.mapping else layout.default_header_row
    answer["template"] = {
        "key": stored.key,
        "sheet": layout.sheet,
        "rows": [list(cells) for cells in layout.rows],
        "uploaded_at": stored.uploaded_at,
        "uploaded_by": stored.uploaded_by,
        "default_header_row": layout.default_header_row,
        "header_row": row,
        "columns": [column.public() for column in columns_at(layout, row)],
        "mapping": stored.mapping.public() if stored.mapping else None,
        "mapped_at": stored.mapped_at,
        "mapped_by": stored.mapped_by,
        "ready": stored.mapping is not None,
    }
    return answer


def upload(rt: Runtime, data: bytes, staff: str) -> dict[str, Any]:
    """Read the blank template's layout, store its bytes, make it the template in use (unmapped)."""
    if not data:
        raise CityTemplateInvalid("请选择市系统提供的空白导入模板（.xlsx 文件）后上传。")
    layout = read_layout(data)
    now = clock.now()
    key = keys.city_template_key(now, hashlib.sha256(data).hexdigest())
    archive.put_bytes(rt.settings.bucket_name, rt.settings.region, key, data, XLSX_TYPE)
    store.save_template(key, layout, staff, now)
    return view(rt)


def save_mapping(rt: Runtime, body: Mapping[str, object], staff: str) -> dict[str, Any]:
    """Validate the mapping against the template in use (the one the console showed, when it
    says which: `template_key`) and store it."""
    stored = store.load()
    if stored is None:
        raise CityTemplateNotFound()
    expected = body.get("template_key")
    if expected is not None and expected != stored.key:
        raise CityTemplateChanged()
    mapping = parse_mapping(body, stored.layout)
    store.save_mapping(stored.key, mapping, staff, clock.now())
    return view(rt)


def remove(rt: Runtime) -> None:
    """Stop writing the template's files: the export goes back to its CSV and Excel only."""
    if store.load() is None:
        raise CityTemplateNotFound()
    store.delete()


def audit_record(answer: Mapping[str, Any]) -> dict[str, str]:
    """What the audit trail keeps of an upload or a mapping: the template's key and the fields
    by column (a template holds no personal data)."""
    template = answer.get("template") or {}
    record = {"template": str(template.get("key", "")), "sheet": str(template.get("sheet", ""))}
    mapping = template.get("mapping")
    if mapping:
        record["header_row"] = str(mapping["header_row"])
        record["mapping"] = ",".join(f"{c['column']}={c['field']}" for c in mapping["columns"])
    return record


def for_export(rt: Runtime) -> CityFiles | None:
    """The template files the export also writes, or None (no template, or not mapped yet)."""
    stored = store.load()
    if stored is None or stored.mapping is None:
        return None
    template = archive.get_bytes(rt.settings.bucket_name, rt.settings.region, stored.key)
    return CityFiles(template, stored.layout, stored.mapping, rt.settings.city_template_max_rows)
