"""The question bank for staff: import (JSON or the Excel layout), export, and what it holds.

An import merges into the current bank (domain/bank.py decides versions) and
stores the result as the bank's next version; two imports at the same moment
cannot both win (storage/bank.py). Candidates never read the bank: a period
that draws from it keeps its own copy of the items (services/papers.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.domain.bank import BankItem, Merge, merge, parse_items
from chalicelib.domain.bank_sheet import BANK_HEADER, BANK_SHEET, bank_rows, items_from_sheets
from chalicelib.domain.errors import BankInvalid, PaperInvalid
from chalicelib.domain.paper_sheet import PAPER_SHEET
from chalicelib.runtime import Runtime
from chalicelib.services.papers import bank_store, draws_per_attempt


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


@dataclass(frozen=True)
class Exported:
    """The bank's workbook, and which version of the bank it is (for the audit trail)."""

    workbook: bytes
    version: str | None
    items: int

    def audit_record(self) -> dict[str, str]:
        return {"bank_version": self.version or "", "items": str(self.items)}


def export_workbook(rt: Runtime) -> Exported:
    """The bank in its Excel layout: edit it and import it again (edited rows become new versions)."""
    from chalicelib.services.paper_workbook import write_rows

    key, bank = bank_store(rt).current()
    return Exported(write_rows(BANK_SHEET, bank_rows(bank)), key, len(bank.items))


def item_analysis(rt: Runtime) -> dict[str, Any]:
    """Each bank item version's statistics over every scored attempt, in every period that drew
    it: each attempt's own questions derived again from its seed (a Query per period)."""
    from chalicelib.domain.item_analysis import Response, analyse
    from chalicelib.services.results import answered

    responses: list[Response] = []
    labels: dict[tuple[str, int], dict[str, Any]] = {}
    periods: dict[tuple[str, int], set[str]] = {}
    for period in rt.repo.list_periods():
        if not draws_per_attempt(period):
            continue  # a fixed paper's questions are not bank items: its period's analysis shows them
        for one in answered(rt, period):
            assert one.item is not None, "a drawn period's questions are bank items"
            key = (one.item.id, one.item.version)
            labels.setdefault(key, _label(one.item))
            periods.setdefault(key, set()).add(period.id)
            responses.append(one.response)
    option_keys = {key: list(label["option_keys"]) for key, label in labels.items()}
    stats = analyse(responses, option_keys)
    return {
        "items": [
            {
                **labels[(s.item, s.version)],
                **s.public(),
                "periods": sorted(periods[(s.item, s.version)]),
            }
            for s in sorted(stats, key=lambda s: (s.item, s.version))
        ]
    }


def _label(item: BankItem) -> dict[str, Any]:
    q = item.question
    return {"type": q.type, "text": q.text, "topic": item.topic, "option_keys": [k for k, _ in q.options]}
