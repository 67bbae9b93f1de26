"""The city's import template, pure: its layout, the mapping's validation, the rows, the files."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from chalicelib.domain import city_template as city
from chalicelib.domain import export as rules
from chalicelib.domain.errors import CityTemplateInvalid
from tests.support.export_data import id_number, id_number_ending_in_x
from tests.unit.test_export_rules import PERIOD, passer

# A city template as such workbooks come: a title merged over the columns, then the header.
TITLE = "北京市人力资源市场从业人员培训合格人员导入表"
HEADER = ("序号", "身份证号码", "姓名", "性别", "出生日期", "培训机构", "联系电话", "备注")
LAYOUT = city.layout_from_cells("合格人员", [[TITLE] * len(HEADER), list(HEADER), [None] * 8])

GOOD = {
    "columns": [
        {"column": "A", "field": "row_number"},
        {"column": "B", "field": "id_number"},
        {"column": "C", "field": "name"},
        {"column": "D", "field": "sex"},
        {"column": "E", "field": "birth_date"},
        {"column": "F", "field": "fixed", "text": "北京市人力资源服务行业协会"},
        {"column": "G", "field": "phone"},
        {"column": "H", "field": "empty"},
    ]
}


def without(letter: str) -> dict[str, object]:
    return {"columns": [c for c in GOOD["columns"] if c["column"] != letter]}


def replaced(letter: str, **entry: object) -> dict[str, object]:
    return {"columns": [{"column": letter, **entry} if c["column"] == letter else c for c in GOOD["columns"]]}


def test_the_layout_keeps_the_sheet_and_header_rows_and_the_header_is_the_last_row_with_text() -> None:
    assert LAYOUT.sheet == "合格人员"
    assert LAYOUT.rows == ((TITLE,) * 8, HEADER)
    assert LAYOUT.default_header_row == 2
    columns = city.columns_at(LAYOUT, 2)
    assert [(c.letter, c.label) for c in columns] == list(zip("ABCDEFGH", HEADER, strict=True))


@pytest.mark.parametrize(
    ("index", "letter"),
    [(1, "A"), (8, "H"), (26, "Z"), (27, "AA"), (52, "AZ"), (53, "BA"), (702, "ZZ"), (703, "AAA")],
)
def test_column_letters_are_excels(index: int, letter: str) -> None:
    assert city.column_letter(index) == letter


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "是空的"),
        ([[None, " "], []], "是空的"),
        ([["表头"]] * 31, "最多 30 行"),
        ([["x"] * 101], "超过 100 列"),
    ],
)
def test_a_sheet_that_is_no_blank_template_is_refused(rows: list[list[object]], message: str) -> None:
    with pytest.raises(CityTemplateInvalid) as refused:
        city.layout_from_cells("Sheet1", rows)
    assert message in refused.value.message


def test_numbers_and_dates_in_the_header_read_as_text() -> None:
    layout = city.layout_from_cells("S", [[1.0, 2.5, dt.date(2026, 1, 2), "  姓名 "]])
    assert layout.rows == (("1", "2.5", "2026-01-02", "姓名"),)


def test_a_good_mapping_keeps_every_column_in_the_templates_order() -> None:
    shuffled = {"columns": list(reversed(GOOD["columns"]))}
    mapping = city.parse_mapping(shuffled, LAYOUT)
    assert mapping.header_row == 2
    assert [c.column for c in mapping.columns] == list("ABCDEFGH")
    assert mapping.columns[5] == city.ColumnMap("F", "fixed", "北京市人力资源服务行业协会")
    assert mapping.text_columns == {2, 7}
    assert city.mapping_from_stored(mapping.public()) == mapping


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "columns", "columns 应为列表"),
        ({"columns": "A=name"}, "columns", "columns 应为列表"),
        ({"columns": ["name"]}, "columns[0]", "column"),
        (replaced("C", field="nickname"), "columns[2].field", "「C」列（姓名）的字段「nickname」无法识别"),
        (replaced("C", field=None), "columns[2].field", "无法识别"),
        (replaced("F", field="fixed"), "columns[5].text", "请填写要写入的文字"),
        (replaced("F", field="fixed", text="  "), "columns[5].text", "请填写要写入的文字"),
        (replaced("F", field="fixed", text="a\nb"), "columns[5].text", "一行"),
        (replaced("F", field="fixed", text="x" * 101), "columns[5].text", "最多 100 个字符"),
        (without("H"), "columns", "「H」列（备注）还没有选择字段"),
        (
            {"columns": [*GOOD["columns"], {"column": "I", "field": "email"}]},
            "columns[8].column",
            "没有「I」列",
        ),
        (
            {"columns": [*GOOD["columns"], {"column": "b", "field": "email"}]},
            "columns[8].column",
            "选择了两次",
        ),
        (replaced("B", field="empty"), "columns", "身份证号"),
        (replaced("C", field="empty"), "columns", "姓名"),
        ({**GOOD, "header_row": 3}, "header_row", "第 3 行不是模板中有内容的行"),
        ({**GOOD, "header_row": "2"}, "header_row", "整数"),
        ({**GOOD, "header_row": True}, "header_row", "整数"),
    ],
)
def test_a_bad_mapping_is_refused_naming_the_entry(body: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(CityTemplateInvalid) as refused:
        city.parse_mapping(body, LAYOUT)
    assert message in refused.value.message, refused.value.message
    assert refused.value.field == field
    assert refused.value.status == 422 and refused.value.code == "city_template_invalid"


def test_an_earlier_header_row_gives_that_rows_columns() -> None:
    mapping = city.parse_mapping(
        {
            "header_row": 1,
            "columns": [{"column": city.column_letter(n), "field": "name"} for n in range(1, 8)]
            + [{"column": "H", "field": "id_number"}],
        },
        LAYOUT,
    )
    assert mapping.header_row == 1 and len(mapping.columns) == 8


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("身份证号码", "id_number"),
        ("公民身份号码", "id_number"),
        ("证件号码", "id_number"),
        ("出生日期", "birth_date"),
        ("性别", "sex"),
        ("姓 名", "name"),
        ("联系电话", "phone"),
        ("手机号码", "phone"),
        ("电子邮箱", "email"),
        ("E-mail", "email"),
        ("考试成绩", "score"),
        ("考试日期", "exam_date"),
        ("序号", "row_number"),
        ("培训机构", None),
        ("", None),
    ],
)
def test_the_header_suggests_a_field(label: str, field: str | None) -> None:
    assert city.suggest(label) == field


def test_a_row_follows_the_template_with_derived_sex_and_birth_date() -> None:
    _, x_number = id_number_ending_in_x()
    someone = passer(name="=张三", id_number=x_number.lower(), phone="13900000001")
    mapping = city.parse_mapping(GOOD, LAYOUT)
    cells = city.city_row(mapping, rules.cells(PERIOD, someone), 7)
    birth = ric.get_birth_date(x_number)
    sex = "男" if int(x_number[16]) % 2 else "女"
    assert cells == (
        7,
        x_number,
        "'=张三",
        sex,
        birth.isoformat(),
        "北京市人力资源服务行业协会",
        "13900000001",
        None,
    )
    assert cells[1].endswith("X")


def test_the_export_fields_all_reach_a_row_from_csv_text() -> None:
    columns = [
        {"column": city.column_letter(n), "field": f} for n, f in enumerate(rules.FIELD_NAMES, start=1)
    ]
    layout = city.layout_from_cells("S", [list(rules.COLUMNS)])
    mapping = city.parse_mapping({"columns": columns}, layout)
    row = rules.row(PERIOD, passer())
    from_csv = dict(zip(rules.FIELD_NAMES, [str(cell) for cell in row], strict=True))
    assert city.city_row(mapping, from_csv, 1) == row


@pytest.mark.parametrize(
    ("seventeenth", "sex"), [("1", "男"), ("3", "男"), ("9", "男"), ("0", "女"), ("2", "女"), ("8", "女")]
)
def test_sex_comes_from_the_seventeenth_character(seventeenth: str, sex: str) -> None:
    assert city.sex_of(f"1101011990030712{seventeenth}X") == sex


@given(st.integers(min_value=0, max_value=400_000))
def test_birth_date_is_the_one_the_id_number_carries(seq: int) -> None:
    number = id_number(seq)
    assert city.birth_date_of(number) == f"{number[6:10]}-{number[10:12]}-{number[12:14]}"


@given(st.integers(min_value=0, max_value=5_000), st.integers(min_value=1, max_value=1_000))
def test_chunks_cover_every_row_in_order_in_as_few_files_of_at_most_n(count: int, max_rows: int) -> None:
    found = city.chunks(count, max_rows)
    rows = [n for first, last in found for n in range(first, last + 1)]
    assert rows == list(range(1, count + 1))
    assert all(1 <= last - first + 1 <= max_rows for first, last in found)
    assert len(found) == -(-count // max_rows)


@pytest.mark.parametrize(
    ("count", "n", "ranges"),
    [
        (0, 500, []),
        (500, 500, [(1, 500)]),
        (501, 500, [(1, 500), (501, 501)]),
        (5, 2, [(1, 2), (3, 4), (5, 5)]),
    ],
)
def test_chunks_at_the_edges(count: int, n: int, ranges: list[tuple[int, int]]) -> None:
    assert city.chunks(count, n) == ranges
