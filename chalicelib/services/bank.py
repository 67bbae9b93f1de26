"""The question bank for staff: import (JSON or the Excel layout), export, and what it holds.

An import merges into the current bank (domain/bank.py decides versions) and
stores the result as the bank's next version; two imports at the same moment
cannot both win (storage/bank.py). Candidates never read the bank: a period
that draws from it keeps its own copy of the items (services/papers.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib import clock
from chalicelib.domain.bank import Merge, merge, parse_items
from chalicelib.domain.bank_sheet import BANK_HEADER, BANK_SHEET, bank_rows, items_from_sheets
from chalicelib.domain.errors import BankInvalid, PaperInvalid
from chalicelib.domain.paper_sheet import PAPER_SHEET
from chalicelib.runtime import Runtime
from chalicelib.services.papers import bank_store


def bank_view(rt: Runtime) -> dict[str, Any]:
    """Every current item (with its key and version) and the counts a blueprint may ask for."""
    key, bank = bank_store(rt).current()
    return {"version": key, **bank.summary(), "items": [item.staff_view() for item in bank.items]}


def import_items(rt: Runtime, body: Mapping[str, Any]) -> Merge:
    """Merge `{"items": [...]}` into the bank and store it as the next version."""
    incoming = parse_items(body.get("items"))
    store = bank_store(rt)
    key, bank = store.current()
    merged = merge(bank, incoming)
    if merged.added or merged.changed:
        store.save(merged.bank, key, clock.now())
    return merged


def import_workbook(rt: Runtime, data: bytes) -> Merge:
    """The items of an Excel workbook in the bank's layout, merged as a JSON import."""
    from chalicelib.services.paper_workbook import read_sheets

    try:
        sheets = read_sheets(data, {BANK_SHEET: len(BANK_HEADER), PAPER_SHEET: len(BANK_HEADER)})
    except PaperInvalid as exc:
        raise BankInvalid(exc.message, field=exc.field) from None
    return import_items(rt, {"items": items_from_sheets(sheets)})


def export_workbook(rt: Runtime) -> bytes:
    """The bank in its Excel layout: edit it and import it again (edited rows become new versions)."""
    from chalicelib.services.paper_workbook import write_rows

    _, bank = bank_store(rt).current()
    return write_rows(BANK_SHEET, bank_rows(bank))
