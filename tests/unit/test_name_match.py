"""Exam entry compares names as the contract says: NFKC, no whitespace, Latin case-folded, one middle dot."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.identity import name_key, same_name

DOTS = ["·", "・", "•", "‧", ".", "･"]


@pytest.mark.parametrize(
    ("typed", "registered"),
    [
        ("张三", "张三"),
        (" 张三 ", "张三"),
        ("张 三", "张三"),
        ("张\u3000三", "张三"),
        ("张\t三\n", "张三"),
        ("阿·买买提", "阿・买买提"),
        ("阿•买买提", "阿‧买买提"),
        ("阿.买买提", "阿·买买提"),
        ("阿･买买提", "阿·买买提"),
        ("阿 · 买买提", "阿·买买提"),
        ("JOHN SMITH", "john smith"),
        ("Ｊｏｈｎ　Ｓｍｉｔｈ", "John Smith"),
        ("ÉLODIE", "élodie"),
        ("Straße", "STRASSE"),
    ],
)
def test_the_same_name_however_it_is_typed(typed: str, registered: str) -> None:
    assert same_name(typed, registered)


@pytest.mark.parametrize(
    ("typed", "registered"),
    [
        ("张三", "张四"),
        ("张三", "张三丰"),
        ("阿买买提", "阿·买买提"),
        ("阿··买买提", "阿·买买提"),
        ("John Smith", "Jon Smith"),
        ("", "张三"),
        # Chinese characters are never folded into one another: 張 (traditional) is not 张.
        ("張三", "张三"),
    ],
)
def test_a_different_name_is_not_the_same(typed: str, registered: str) -> None:
    assert not same_name(typed, registered)


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
spaces = st.sampled_from([" ", "\u3000", "\t", "\u00a0", "\n"])


@given(names, st.lists(st.tuples(st.integers(0, 40), spaces), max_size=5))
def test_whitespace_anywhere_never_changes_a_name(name: str, inserts: list[tuple[int, str]]) -> None:
    typed = name
    for position, space in inserts:
        typed = typed[:position] + space + typed[position:]
    assert same_name(typed, name)


@given(st.lists(st.text("赵钱孙李周吴郑王买提阿", min_size=1, max_size=4), min_size=2, max_size=3), st.data())
def test_any_middle_dot_joins_the_same_parts(parts: list[str], data: st.DataObject) -> None:
    one = "·".join(parts)
    other = "".join(part + data.draw(st.sampled_from(DOTS)) for part in parts[:-1]) + parts[-1]
    assert same_name(other, one)


@given(st.text(st.characters(min_codepoint=0x41, max_codepoint=0x7A).filter(str.isalpha), min_size=1))
def test_latin_case_never_matters(name: str) -> None:
    assert same_name(name.swapcase(), name)


@given(names)
def test_the_key_is_stable(name: str) -> None:
    assert name_key(name_key(name)) == name_key(name)
