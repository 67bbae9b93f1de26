"""The question bank: items validated as paper questions plus topic and difficulty; versions on edit;
the Excel layout read and written the same way."""

from __future__ import annotations

import pytest

from chalicelib.domain.bank import Bank, merge, parse_bank, parse_items
from chalicelib.domain.bank_sheet import BANK_HEADER, bank_rows, items_from_sheets
from chalicelib.domain.errors import BankInvalid
from chalicelib.domain.paper_sheet import HEADER
from tests.support.bank_data import bank_items


def test_items_carry_topic_and_difficulty_and_start_at_version_1() -> None:
    items = parse_items(bank_items())
    assert len(items) == 70
    assert items[0].topic == "劳动合同" and items[0].question.topic == "劳动合同"
    assert {item.difficulty for item in items} == {"easy", "medium", "hard"}
    assert all(item.version == 1 for item in items)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"topic": ""}, "items[0].topic"),
        ({"topic": "长" * 41}, "items[0].topic"),
        ({"difficulty": "extreme"}, "items[0].difficulty"),
        ({"answer": ["E"]}, "items[0].answer"),
        ({"options": {"1": "甲", "2": "乙"}, "answer": ["1"]}, "items[0].options"),
        ({"points": 0}, "items[0].points"),
        ({"version": 0}, "items[0].version"),
    ],
)
def test_a_bad_item_is_bank_invalid_naming_its_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(BankInvalid) as refused:
        parse_items([{**bank_items()[0], **change}])
    assert refused.value.field == field
    assert refused.value.code == "bank_invalid" and refused.value.status == 422


def test_an_edited_item_becomes_its_next_version_and_the_rest_keep_theirs() -> None:
    first = merge(Bank(), parse_items(bank_items()))
    assert len(first.added) == 70 and not first.changed
    edited = [dict(item) for item in bank_items()[:3]]
    edited[0]["text"] = "改过的题干"
    edited[1]["answer"] = ["D"] if edited[1]["answer"] != ["D"] else ["A"]
    second = merge(first.bank, parse_items(edited))
    assert second.changed == ("t0s0", "t0s1") and second.unchanged == ("t0s2",) and not second.added
    versions = {item.id: item.version for item in second.bank.items}
    assert versions["t0s0"] == versions["t0s1"] == 2 and versions["t0s2"] == 1
    assert len(second.bank.items) == 70  # items an import does not name are kept
    third = merge(second.bank, parse_items(edited))
    assert not third.changed and {item.id: item.version for item in third.bank.items} == versions


def test_a_stored_bank_reads_back_with_its_versions() -> None:
    bank = merge(
        merge(Bank(), parse_items(bank_items())).bank, parse_items([{**bank_items()[5], "text": "新"}])
    )
    again = parse_bank(bank.bank.document())
    assert again == bank.bank
    assert again.item("t0s5") is not None and again.item("t0s5").version == 2  # type: ignore[union-attr]


def test_the_bank_workbook_is_the_paper_layout_plus_two_columns_and_reads_back() -> None:
    assert (*HEADER, "知识点", "难度") == BANK_HEADER
    bank = merge(Bank(), parse_items(bank_items())).bank
    rows = bank_rows(bank)
    assert rows[1][-2:] == ["劳动合同", "易"]
    read = parse_items(items_from_sheets({"题库": rows}))
    assert merge(bank, read).changed == ()
    assert [item.content() for item in read] == [item.content() for item in bank.items]


def test_a_papers_sheet_with_the_two_columns_imports_too_and_difficulty_defaults_to_medium() -> None:
    row = ["q1", "单选", "题干", "甲", "乙", None, None, None, None, None, None, "B", 2, "劳动合同", None]
    (item,) = parse_items(items_from_sheets({"试卷": [list(BANK_HEADER), row]}))
    assert item.difficulty == "medium" and item.topic == "劳动合同"


@pytest.mark.parametrize(
    ("cells", "where"),
    [
        ({"知识点": None}, "「题库」第 2 行「知识点」"),
        ({"难度": "超难"}, "「题库」第 2 行「难度」"),
        ({"答案": "Z"}, "「题库」第 2 行「答案」"),
    ],
)
def test_a_bad_row_names_the_sheet_row_and_column(cells: dict[str, object], where: str) -> None:
    row = dict(zip(BANK_HEADER, bank_rows(merge(Bank(), parse_items(bank_items()[:1])).bank)[1], strict=True))
    row.update(cells)
    with pytest.raises(BankInvalid) as refused:
        items_from_sheets({"题库": [list(BANK_HEADER), [row[column] for column in BANK_HEADER]]})
    assert where in refused.value.message


def test_a_workbook_without_the_columns_is_refused_with_the_header_it_needs() -> None:
    with pytest.raises(BankInvalid) as refused:
        items_from_sheets({"试卷": [list(HEADER)]})
    assert "知识点" in refused.value.message
