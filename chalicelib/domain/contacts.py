"""The association's consultation numbers and hours: the one source for the FAQ, the e-mails
and every message that tells a candidate to contact staff."""

from __future__ import annotations

LINES: tuple[tuple[str, str], ...] = (("010-64400680", "苑老师"), ("010-69554485", "王老师"))
HOURS = "周一至周五 9:00–11:00、13:00–16:00"

NUMBERS = "、".join(f"{number}（{person}）" for number, person in LINES)
CONTACTS = f"咨询电话：{NUMBERS}，{HOURS}。"
# What a page says instead of a bare "contact staff".
CONTACT_STAFF = f"请联系工作人员（{NUMBERS}，{HOURS}）"


def tel(number: str) -> str:
    """`010-64400680` as a `tel:` link's target."""
    return "tel:" + number.replace("-", "")
