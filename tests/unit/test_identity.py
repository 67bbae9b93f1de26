"""The contract's input rules for ID numbers, phones, e-mails and names, as tables and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import Invalid
from chalicelib.domain.identity import (
    email_identity,
    mask_email,
    mask_id_number,
    mask_phone,
    normalise_contact,
    normalise_email,
    normalise_id_number,
    normalise_name,
    normalise_phone,
    upgrade_old_id_number,
)
from tests.support.people import id_number, with_wrong_check_character

TODAY = dt.date(2026, 12, 1)
VALID = id_number(dt.date(1990, 1, 1), sequence=1)
# Check character X: 11010519491231002X is the classic example of one.
WITH_X = "11010519491231002X"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# ID numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (VALID, VALID),
        (WITH_X, WITH_X),
        (WITH_X.lower(), WITH_X),
        (full_width(VALID), VALID),
        (full_width(WITH_X), WITH_X),  # Ｘ
        (full_width(WITH_X.lower()), WITH_X),  # ｘ
        (f" {VALID} ", VALID),
        (f"{VALID[:6]} {VALID[6:14]} {VALID[14:]}", VALID),
        (f"{VALID[:6]}\u3000{VALID[6:]}", VALID),  # ideographic space
        (f"{VALID}\t\n", VALID),
        (id_number(dt.date(1900, 1, 1)), id_number(dt.date(1900, 1, 1))),
        (id_number(TODAY), id_number(TODAY)),
        # No county list: an unassigned region code is still a valid number.
        (id_number(region="999999"), id_number(region="999999")),
    ],
)
def test_valid_id_numbers_are_normalised(typed, stored):
    assert normalise_id_number(typed, TODAY) == stored


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        (None, "请填写"),
        ("", "请填写"),
        ("   ", "请填写"),
        (110105199001010011, "请填写"),
        (VALID[:-1], "18 位"),
        (VALID + "1", "18 位"),
        (VALID[:10] + "-" + VALID[10:], "18 位"),  # only spaces are removed
        ("X" + VALID[1:], "17 位数字"),
        (VALID[:17] + "Y", "17 位数字"),
        (VALID[:5] + "a" + VALID[6:], "17 位数字"),
        (with_wrong_check_character(VALID), "校验位"),
        (with_wrong_check_character(WITH_X), "校验位"),
        (id_number(TODAY + dt.timedelta(days=1)), "出生日期不正确"),
        (id_number(dt.date(2100, 1, 1)), "出生日期不正确"),
        (id_number(dt.date(1899, 12, 31)), "出生日期不正确"),
    ],
)
def test_invalid_id_numbers_are_refused(typed, says):
    with pytest.raises(Invalid) as refused:
        normalise_id_number(typed, TODAY)
    assert refused.value.field == "id_number"
    assert says in refused.value.message


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900001", "00000101"])
def test_a_birth_date_that_does_not_exist_is_refused(birth):
    from stdnum.cn import ric

    body = "110105" + birth + "001"
    number = body + ric.calc_check_digit(body + "?")
    with pytest.raises(Invalid) as refused:
        normalise_id_number(number, TODAY)
    assert "出生日期" in refused.value.message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # The standard's own examples, worked by hand: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
        ("130503670401001", "130503196704010016"),
        ("110105491231002", WITH_X),
        (" 110105 491231 002 ", WITH_X),
        (full_width("130503670401001"), "130503196704010016"),
    ],
)
def test_an_old_15_digit_number_becomes_its_18_character_form(old, new):
    assert upgrade_old_id_number(old, TODAY) == new


@pytest.mark.parametrize(
    "old",
    [
        "13050367040100",  # 14 digits
        "1305036704010011",  # 16
        "13050367040100X",  # an X has no place in an old number
        "130503671301001",  # month 13
        "130503670230001",  # 30 February
        "",
    ],
)
def test_what_is_no_old_number_is_refused(old):
    with pytest.raises(Invalid) as refused:
        upgrade_old_id_number(old, TODAY)
    assert refused.value.field == "id_number"


@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_any_18_character_number_of_the_1900s_is_what_its_old_form_upgrades_to(birth, sequence):
    new = id_number(birth, sequence)
    old = new[:6] + new[8:17]
    assert upgrade_old_id_number(old, TODAY) == new


# Phones ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        " 13812345678 ",
        "138 1234 5678",
        "138-1234-5678",
        "138－1234－5678",  # full-width hyphen
        "138——1234——5678",  # a Chinese IME's shift+minus
        "138–1234–5678",  # en dash
        "+8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "008613812345678",
        "0086 13812345678",
        "8613812345678",
        "86 138 1234 5678",
        "＋８６ １３８１２３４５６７８",
        "138\u300012345678",
    ],
)
def test_phones_lose_prefixes_spaces_and_dashes(typed):
    assert normalise_phone(typed) == "13812345678"


@pytest.mark.parametrize(
    "typed",
    [
        None,
        "",
        13812345678,
        "1381234567",
        "138123456789",
        "23812345678",
        "03812345678",
        "+1 13812345678",
        "+852 61234567",
        "86",
        "+86",
        "1381234567a",
        "138.1234.5678",
        "(138)12345678",
        "٣٨١٢٣٤٥٦٧٨١",  # Arabic-Indic digits are not NFKC-folded to ASCII
    ],
)
def test_phones_that_are_not_mainland_mobiles_are_refused(typed):
    with pytest.raises(Invalid) as refused:
        normalise_phone(typed)
    assert refused.value.field == "phone"


# E-mails -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("zhang@example.com", "zhang@example.com"),
        ("  zhang@example.com\t", "zhang@example.com"),
        ("Zhang.San@Example.COM", "Zhang.San@example.com"),  # the domain's case is not the address's
        ("zhang＠example.com", "zhang@example.com"),  # full-width @
        ("zhang@qq。com", "zhang@qq.com"),  # a Chinese IME's full stop
        ("zhang+exam@163.com", "zhang+exam@163.com"),
        ("张三@例子.中国", "张三@例子.中国"),
    ],
)
def test_emails_are_normalised(typed, stored):
    assert normalise_email(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [None, "", "   ", "zhang", "zhang@", "@example.com", "zhang@example", "zhang@@example.com",
     "zhang san@example.com", "zhang@example..com", "zhang@localhost", 42],
)  # fmt: skip
def test_invalid_emails_are_refused(typed):
    with pytest.raises(Invalid) as refused:
        normalise_email(typed)
    assert refused.value.field == "email"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("zhang@example.com", "ZHANG@EXAMPLE.COM"),
        ("Zhang@example.com", "zhang@Example.com"),
        ("zhang@example.com", " zhang@example.com "),
    ],
)
def test_email_uniqueness_ignores_case(one, other):
    assert email_identity(normalise_email(one)) == email_identity(normalise_email(other))


def test_different_addresses_stay_different():
    assert email_identity(normalise_email("zhang@example.com")) != email_identity(
        normalise_email("zhang1@example.com")
    )


# Names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("张三", "张三"),
        ("  张三  ", "张三"),
        ("\u3000张三\u3000", "张三"),
        ("张", "张"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("Zhang San", "Zhang San"),
        ("<b>张三</b>", "<b>张三</b>"),  # stored as given; pages escape it
        ("张" * 40, "张" * 40),
        ("  " + "张" * 40 + "  ", "张" * 40),
    ],
)
def test_names_are_trimmed_and_otherwise_kept(typed, stored):
    assert normalise_name(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        None,
        "",
        "   ",
        "\u3000",
        "张" * 41,
        "张\n三",
        "张\x00三",
        "张\ud800三",
        "张\u2028三",
        "张\x85三",
        42,
        ["张三"],
    ],
)
def test_invalid_names_are_refused(typed):
    with pytest.raises(Invalid) as refused:
        normalise_name(typed)
    assert refused.value.field == "name"


# The whole form ----------------------------------------------------------------------------------


def test_the_form_is_checked_in_its_order():
    with pytest.raises(Invalid) as refused:
        normalise_contact({"name": "张三", "id_number": "1", "phone": "2", "email": "3"}, TODAY)
    assert refused.value.field == "id_number"


# Masks -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mask", "value", "masked"),
    [
        (mask_id_number, WITH_X, "110***********002X"),
        (mask_phone, "13812345678", "138****5678"),
        (mask_email, "zhang@example.com", "z***@example.com"),
        (mask_email, "z@example.com", "***@example.com"),
    ],
)
def test_masks(mask, value, masked):
    assert mask(value) == masked


# Properties --------------------------------------------------------------------------------------

births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
regions = st.from_regex(r"[0-9]{6}", fullmatch=True)
sequences = st.integers(min_value=0, max_value=999)


@st.composite
def typed_variants(draw: st.DrawFn, number: str) -> str:
    """The same number as a person might type it: full-width, lowercase x, spaces anywhere."""
    out = []
    for ch in number:
        if draw(st.booleans()):
            ch = full_width(ch)
        if ch in "XＸ" and draw(st.booleans()):
            ch = ch.lower()
        out.append(ch)
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from([" ", "\u3000", "\t"])))
    return "".join(out)


@given(birth=births, region=regions, sequence=sequences, data=st.data())
def test_any_valid_number_however_typed_normalises_to_itself(birth, region, sequence, data):
    number = id_number(birth, sequence, region)
    assert normalise_id_number(data.draw(typed_variants(number)), TODAY) == number


@given(
    birth=births,
    sequence=sequences,
    position=st.integers(0, 17),
    replacement=st.sampled_from("0123456789X"),
)
def test_any_single_character_changed_is_refused(birth, sequence, position, replacement):
    number = id_number(birth, sequence)
    changed = number[:position] + replacement + number[position + 1 :]
    if changed == number:
        return
    with pytest.raises(Invalid):
        normalise_id_number(changed, TODAY)


@given(
    digits=st.from_regex(r"1[0-9]{10}", fullmatch=True),
    prefix=st.sampled_from(["", "+86", "0086", "86", "+86 ", "＋８６"]),
    separators=st.lists(st.sampled_from(["", " ", "-", "－", "—", "\u3000"]), min_size=11, max_size=11),
)
def test_any_mobile_number_however_typed_normalises_to_its_digits(digits, prefix, separators):
    typed = prefix + "".join(d + s for d, s in zip(digits, separators, strict=True))
    assert normalise_phone(typed) == digits


@given(birth=births, region=regions, sequence=sequences)
def test_a_masked_id_number_shows_at_most_three_and_four_characters(birth, region, sequence):
    number = id_number(birth, sequence, region)
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[:3] == number[:3] and masked[-4:] == number[-4:]
    assert set(masked[3:-4]) == {"*"}


anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(),
    st.text(alphabet="0123456789xX＋+-— @.。８６", max_size=30),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)


@given(value=anything)
def test_any_input_is_either_normalised_or_refused_as_invalid(value):
    """Whatever arrives in a JSON body, the answer is a value or a 422: never a 500."""
    for field, normalise in (
        ("name", normalise_name),
        ("id_number", lambda v: normalise_id_number(v, TODAY)),
        ("phone", normalise_phone),
        ("email", normalise_email),
    ):
        try:
            result = normalise(value)
        except Invalid as refused:
            assert refused.field == field
        else:
            assert isinstance(result, str) and result


# 17 digits whose birth date part is often a real date (1899-2027, days up to 31), or any.
seventeens = st.one_of(
    st.text(alphabet="0123456789", min_size=17, max_size=17),
    st.builds(
        lambda region, year, month, day, sequence: f"{region}{year:04d}{month:02d}{day:02d}{sequence}",
        st.text(alphabet="0123456789", min_size=6, max_size=6),
        st.integers(1899, 2027),
        st.integers(0, 13),
        st.integers(0, 32),
        st.text(alphabet="0123456789", min_size=3, max_size=3),
    ),
)


@given(seventeen=seventeens, last=st.one_of(st.none(), st.sampled_from("0123456789X")))
def test_an_id_number_is_accepted_exactly_when_stdnums_helpers_accept_it(seventeen, last):
    """`last` None: the right check character, so the birth date decides."""
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    last = last or ric.calc_check_digit(seventeen + "0")
    number = seventeen + last
    try:
        birth = ric.get_birth_date(number)
        expected = ric.calc_check_digit(number) == last and dt.date(1900, 1, 1) <= birth <= TODAY
    except ValidationError:
        expected = False
    try:
        normalise_id_number(number, TODAY)
    except Invalid:
        accepted = False
    else:
        accepted = True
    assert accepted == expected
