"""Candidates' identifying details: normalise, validate, mask.

The contract's rules, in one place: a resident ID number is 17 digits and a
correct check character with a real birth date; a phone is a mainland mobile
number; an e-mail is syntactically valid and unique regardless of case; a
name is 1-40 characters. Every function raises `Invalid(field)` with a
Chinese message that tells the candidate what to fix.

`stdnum.cn.ric.validate` is deliberately not used as is: it refuses real
people whose county code is missing from its bundled list (county codes are
reassigned faster than such lists are updated) and accepts birth dates in the
future. We use its check-digit and birth-date helpers instead: the rule stays
the library's, although those helpers are most of an ID number's check time.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from chalicelib.domain.errors import Invalid
from chalicelib.domain.text import has_unprintable
from chalicelib.values import value_class

EARLIEST_BIRTH = dt.date(1900, 1, 1)
NAME_MAX = 40
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_OLD_ID_SHAPE = re.compile(r"[0-9]{15}")
_PHONE_SHAPE = re.compile(r"1[0-9]{10}")
_PHONE_PREFIX = re.compile(r"^(?:\+86|0086|86)(?=1[0-9]{10}\Z)")
_WHITESPACE = re.compile(r"\s")


def _is_dash(ch: str) -> bool:
    """Any dash a phone keyboard or a Chinese IME produces: '-', '－', '—' (shift+minus), '–', '−'."""
    return unicodedata.category(ch) == "Pd" or ch == "\u2212"


@value_class
class Contact:
    """A candidate's details as they will be stored: normalised and valid."""

    name: str
    id_number: str
    phone: str
    email: str

    def __init__(self, name: str, id_number: str, phone: str, email: str) -> None:
        self.__dict__.update(name=name, id_number=id_number, phone=phone, email=email)


def _text(value: object, field: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid(field, _EMPTY[field])
    if not isinstance(value, str):
        raise Invalid(field, _EMPTY[field])
    return value


_EMPTY = {
    "name": "请填写姓名。",
    "id_number": "请填写 18 位居民身份证号码。",
    "phone": "请填写 11 位手机号码。",
    "email": "请填写电子邮箱。",
}


def normalise_id_number(value: object, today: dt.date) -> str:
    """An 18-character resident ID number, or `Invalid("id_number")`."""
    text = unicodedata.normalize("NFKC", _text(value, "id_number"))
    number = _WHITESPACE.sub("", text).upper()
    if len(number) != 18:
        raise Invalid("id_number", f"身份证号码应为 18 位，您填写了 {len(number)} 位，请核对。")
    if not _ID_SHAPE.fullmatch(number):
        raise Invalid("id_number", "身份证号码应为 17 位数字加 1 位数字或 X，请核对。")
    # Imported here: stdnum imports pydoc, pkgutil and sysconfig; only requests taking an ID number need it.
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    # stdnum expects the whole number, check character included, and ignores the last one.
    if ric.calc_check_digit(number) != number[17]:
        raise Invalid("id_number", "身份证号码校验位不正确，请逐位核对后重新填写。")
    try:
        birth = ric.get_birth_date(number)
    except ValidationError as exc:
        raise Invalid("id_number", "身份证号码中的出生日期不存在，请核对。") from exc
    if not EARLIEST_BIRTH <= birth <= today:
        raise Invalid("id_number", "身份证号码中的出生日期不正确，请核对。")
    return number


def upgrade_old_id_number(value: str, today: dt.date) -> str:
    """The 18-character ID number of a first-generation 15-digit one, or `Invalid("id_number")`.

    The city's older records may still hold the 15-digit form (issued until 2004, only to people
    born in the 1900s). GB 11643-1999's rule makes it the 18-character one: "19" goes before the
    two-digit birth year, and the check character is computed over the 17 digits."""
    number = _WHITESPACE.sub("", unicodedata.normalize("NFKC", value))
    if not _OLD_ID_SHAPE.fullmatch(number):
        raise Invalid("id_number", "旧身份证号码应为 15 位数字，请核对。")
    seventeen = number[:6] + "19" + number[6:]
    from stdnum.cn import ric

    # stdnum takes the whole number and ignores its last character: any placeholder will do.
    return normalise_id_number(seventeen + ric.calc_check_digit(seventeen + "0"), today)


def normalise_phone(value: object) -> str:
    """A mainland mobile number of 11 digits, prefixes and separators removed."""
    text = unicodedata.normalize("NFKC", _text(value, "phone"))
    number = "".join(ch for ch in _WHITESPACE.sub("", text) if not _is_dash(ch))
    number = _PHONE_PREFIX.sub("", number)
    if not _PHONE_SHAPE.fullmatch(number):
        raise Invalid("phone", "请填写 11 位中国大陆手机号码（以 1 开头）。")
    return number


def normalise_email(value: object) -> str:
    """A syntactically valid address. The domain part is lowercased; the local part is kept."""
    from email_validator import EmailNotValidError, validate_email

    text = unicodedata.normalize("NFKC", _text(value, "email")).strip()
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid("email", "电子邮箱格式不正确，请核对（例如 name@example.com）。") from exc
    return str(result.normalized)


def email_identity(email: str) -> str:
    """What makes two addresses the same address for uniqueness: case is ignored."""
    return email.casefold()


def normalise_name(value: object) -> str:
    """The name as given, trimmed. It is not rewritten: it must match the ID card."""
    text = _text(value, "name").strip()
    if not 1 <= len(text) <= NAME_MAX:
        raise Invalid("name", f"姓名应为 1 到 {NAME_MAX} 个字符。")
    if has_unprintable(text):
        raise Invalid("name", "姓名中含有无法识别的控制字符，请重新填写。")
    return text


# Middle dots a Chinese, Japanese or Latin keyboard produces between the parts
# of a transliterated name (阿·买买提, 阿・买买提, 阿•买买提, 阿‧买买提, 阿.买买提).
# NFKC leaves these distinct (the half-width katakana dot becomes U+30FB first).
_MIDDLE_DOTS = str.maketrans({"\u00b7": "·", "\u30fb": "·", "\u2022": "·", "\u2027": "·", ".": "·"})


def name_key(name: str) -> str:
    """What makes two spellings of a name the same name at exam entry.

    NFKC (full-width letters, compatibility forms), every whitespace
    character removed, Latin letters case-folded, and the middle dots
    `·・•‧.` treated as one. Case folding is applied only to ASCII/Latin
    letters so that no Chinese character is ever rewritten.
    """
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if not ch.isspace())
    text = text.translate(_MIDDLE_DOTS)
    folded = "".join(ch.casefold() if _is_latin(ch) else ch for ch in text)
    # Folding may decompose (ǰ becomes j and a combining caron): compose again.
    return unicodedata.normalize("NFKC", folded)


def _is_latin(ch: str) -> bool:
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN")


def same_name(given: str, registered: str) -> bool:
    """True when the name typed at entry is the registered one, as `name_key` compares names."""
    return name_key(given) == name_key(registered)


def normalise_contact(body: dict[str, object], today: dt.date) -> Contact:
    """Validate a whole form, field by field in the form's order."""
    return Contact(
        name=normalise_name(body.get("name")),
        id_number=normalise_id_number(body.get("id_number"), today),
        phone=normalise_phone(body.get("phone")),
        email=normalise_email(body.get("email")),
    )


def mask_id_number(number: str) -> str:
    """At most the first 3 and last 4 characters stay visible."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_phone(phone: str) -> str:
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "****" + phone[-4:]


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    if not domain:
        return "***"
    visible = local[:1] if len(local) > 1 else ""
    return f"{visible}***@{domain}"


def mask_name(name: str) -> str:
    """Names appear in full only to their owner; this is for logs and shared screens."""
    return name[:1] + "*" * max(len(name) - 1, 1)
