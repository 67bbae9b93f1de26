"""The lists staff mark passers entered from (pasted text, JSON lists, result tables); the entry date."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import entries
from chalicelib.domain.errors import EntriesInvalid, Invalid
from chalicelib.domain.identity import normalise_id_number, upgrade_old_id_number
from tests.support.export_data import id_number, id_number_ending_in_x

TODAY = dt.date(2026, 12, 21)
EXAM = dt.date(2026, 12, 18)
A, B, C = id_number(1), id_number(2), id_number(3)
# The first-generation 15-digit form the city's older records may hold: no century, no check character.
OLD_A, OLD_B = A[:6] + A[8:17], B[:6] + B[8:17]
_, X = id_number_ending_in_x(100)


@pytest.mark.parametrize(
    ("text", "ids", "unreadable"),
    [
        (f"{A}\n{B}\n{C}", [A, B, C], []),
        (f"{A}, {B}，{C}", [A, B, C], []),
        (f"{A}；{B};{C}", [A, B, C], []),
        (f"{A}\t{B} {C}", [A, B, C], []),
        (f"{A}、{B}", [A, B], []),
        (f"\r\n{A}\r\n\r\n{B}\r\n", [A, B], []),
        (f"身份证号\n{A}\n张三", [A], []),  # a header and a name are passed over
        (f"{A[:6]} {A[6:14]} {A[14:]}", [A], []),  # one number written in groups
        ("".join(chr(ord(ch) + 0xFEE0) for ch in A), [A], []),  # full-width digits
        (X.lower(), [X], []),  # a lower-case x
        (f"1 张三 {A} 13912345678 2026-12-20", [A], []),  # a row copied from a sheet
        (f"{A}\n{A[:-1]}{'0' if A[-1] != '0' else '1'}\n{B}", [A, B], [2]),  # a wrong check character
        (f"{A}\n{A[:17]}\n{B}", [A, B], [2]),  # one character short
        (f"{A}\n{A}\n{B}", [A, B], []),
        (f"{OLD_A}\n{B}", [A, B], []),  # an old 15-digit number is its passer's 18-character one
        (f"{OLD_A[:6]} {OLD_A[6:12]} {OLD_A[12:]}", [A], []),
        (f"1 张三 {OLD_A} 13912345678 2026-12-20", [A], []),  # a row copied from the city's sheet
        (f"{OLD_A}\n{A}", [A], []),  # both forms of one number: once
        (f"{OLD_A[:6]}551301{OLD_A[12:]}\n{B}", [B], [1]),  # month 13: no old number either
    ],
)
def test_pasted_text(text: str, ids: list[str], unreadable: list[int]) -> None:
    listed = entries.parse_id_text(text, TODAY)
    assert list(listed.id_numbers) == ids
    assert list(listed.unreadable) == unreadable


def test_a_repeated_number_counts_once_on_its_first_line() -> None:
    listed = entries.parse_id_text(f"{B}\n{A}\n{B}", TODAY)
    assert listed.listed == (entries.Listed(B, 1), entries.Listed(A, 2)) and listed.repeated == 1


def test_too_many_numbers_are_refused() -> None:
    many = "\n".join(id_number(n) for n in range(entries.MAX_IDS + 1))
    with pytest.raises(EntriesInvalid):
        entries.parse_id_text(many, TODAY)


def test_a_json_list_is_read_strictly_by_position() -> None:
    listed = entries.parse_id_values([A, "张三", 7, f" {B.lower()} ", OLD_B[:14]], TODAY)
    assert list(listed.id_numbers) == [A, B] and list(listed.unreadable) == [2, 3, 5]


def test_a_json_list_reads_an_old_15_digit_number_as_its_18_character_form() -> None:
    listed = entries.parse_id_values([OLD_A, B, OLD_B], TODAY)
    assert list(listed.id_numbers) == [A, B] and listed.repeated == 1 and not listed.unreadable


def test_a_table_is_read_by_its_headed_column_below_the_header() -> None:
    rows: list[list[object]] = [
        ["导入结果"],
        ["序号", "姓名", "证件号码", "备注"],
        [1, "张三", A, B],  # the note column's number is not read
        [2, "李四", "", ""],
        [3, "王五", "123", ""],
        [4, "赵六", X.lower(), ""],
    ]
    listed = entries.parse_id_table(rows, TODAY)
    assert list(listed.id_numbers) == [A, X] and list(listed.listed)[1].line == 6
    assert list(listed.unreadable) == [5]


def test_a_table_of_the_city_system_with_old_15_digit_numbers_matches_the_passers() -> None:
    # Excel keeps a 15-digit number as a number: it comes back as a float.
    rows: list[list[object]] = [["姓名", "身份证号码"], ["张三", OLD_A], ["李四", float(OLD_B)], ["王五", C]]
    listed = entries.parse_id_table(rows, TODAY)
    assert list(listed.id_numbers) == [A, B, C] and not listed.unreadable


def test_a_table_without_a_header_is_read_by_the_column_with_most_numbers() -> None:
    rows: list[list[object]] = [["张三", A, C], ["李四", B, ""], ["王五", 110101199001011.0, ""]]
    listed = entries.parse_id_table(rows, TODAY)
    assert list(listed.id_numbers) == [A, B] and list(listed.unreadable) == [3]


def test_a_table_without_any_number_is_refused() -> None:
    with pytest.raises(EntriesInvalid) as refused:
        entries.parse_id_table([["姓名"], ["张三"]], TODAY)
    assert refused.value.field == "file"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, TODAY),
        ("", TODAY),
        ("2026-12-18", EXAM),
        ("2026-12-21", TODAY),
        (" 2026-12-20 ", dt.date(2026, 12, 20)),
    ],
)
def test_the_entry_date(value: object, expected: dt.date) -> None:
    assert entries.entry_date(value, TODAY, EXAM) == expected


@pytest.mark.parametrize("value", ["2026-12-22", "2026-12-17", "20261220", "2026/12/20", 20261220, True])
def test_a_bad_entry_date_is_refused(value: object) -> None:
    with pytest.raises(Invalid) as refused:
        entries.entry_date(value, TODAY, EXAM)
    assert refused.value.field == "entered_on"


@pytest.mark.parametrize(
    ("body", "mode"),
    [({"all": True}, "all"), ({"id_numbers": []}, "id_numbers"), ({"text": "x", "all": False}, "text")],
)
def test_the_marking_mode(body: dict[str, object], mode: str) -> None:
    assert entries.marking_mode(body) == mode


@pytest.mark.parametrize(
    "body", [{}, {"all": False}, {"all": True, "text": "x"}, {"all": 1}, {"text": ["x"]}, {"id_numbers": "x"}]
)
def test_a_bad_marking_mode_is_refused(body: dict[str, object]) -> None:
    with pytest.raises(Invalid):
        entries.marking_mode(body)


def test_counts() -> None:
    counts = entries.count_entries([(True, True), (True, False), (False, False)])
    assert counts.public() == {"passers": 3, "exported": 2, "not_exported": 1, "entered": 1, "outstanding": 2}


# Properties -----------------------------------------------------------------------------

valid_ids = st.integers(min_value=0, max_value=200_000).map(id_number)
separators = st.sampled_from(["\n", "\r\n", ",", "，", ";", "；", " ", "\t", "、", "\n\n", " , "])


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in text)


@given(
    ids=st.lists(valid_ids, max_size=30),
    data=st.data(),
)
def test_any_list_of_numbers_in_any_separators_reads_back_in_order_once_each(ids: list[str], data) -> None:
    written = [
        data.draw(st.sampled_from([n, n.lower(), _full_width(n), f" {n} "]), label="spelling") for n in ids
    ]
    text = ""
    for number in written:
        text += number + data.draw(separators, label="separator")
    listed = entries.parse_id_text(text, TODAY)
    assert list(listed.id_numbers) == list(dict.fromkeys(ids))
    assert listed.unreadable == ()
    assert listed.repeated == len(ids) - len(set(ids))


@given(ids=st.lists(valid_ids, min_size=1, max_size=20, unique=True))
def test_one_number_a_line_is_found_on_its_line(ids: list[str]) -> None:
    listed = entries.parse_id_text("\n".join(ids), TODAY)
    assert [(item.id_number, item.line) for item in listed.listed] == [(n, i) for i, n in enumerate(ids, 1)]


@given(text=st.text(max_size=400))
def test_any_text_reads_without_error_into_valid_numbers_and_real_line_numbers(text: str) -> None:
    listed = entries.parse_id_text(text, TODAY)
    lines = len(text.splitlines())
    for item in listed.listed:
        assert normalise_id_number(item.id_number, TODAY) == item.id_number
        assert 1 <= item.line <= lines
    assert all(1 <= line <= lines for line in listed.unreadable)
    assert len(set(listed.id_numbers)) == len(listed.id_numbers)


@given(
    ids=st.lists(valid_ids, min_size=1, max_size=20, unique=True),
    noise=st.lists(
        st.tuples(
            st.text(alphabet="0123456789", min_size=15, max_size=19), st.sampled_from(["", "X", "x"])
        ).map("".join),
        max_size=5,
    ),
)
def test_noise_lines_never_hide_a_valid_number_and_are_each_reported_or_read(
    ids: list[str], noise: list[str]
) -> None:
    lines = ids + noise
    listed = entries.parse_id_text("\n".join(lines), TODAY)
    assert set(ids) <= set(listed.id_numbers)
    for index, line in enumerate(noise, start=len(ids) + 1):
        read = any(item.line == index for item in listed.listed)
        repeated = False
        for reading in (normalise_id_number, upgrade_old_id_number):
            with contextlib.suppress(Invalid):
                repeated = repeated or reading(line, TODAY) in listed.id_numbers
        assert read or index in listed.unreadable or repeated, line
