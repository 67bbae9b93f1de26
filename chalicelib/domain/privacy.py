"""The privacy notice's facts and the separate consents a registration asks for (PIPL Art. 14, 17, 23, 39).

Three consents, each with its own version, recorded on the registration with
the time it was given:

- `processing` (the contract's `consent`): the notice as a whole. Always
  required, exactly `true`, checked last of the contract's fields.
- `city_system` (`consent_city_system`): providing passers' data to the city's
  HR market management information system, another handler (Art. 23). Asked
  and required when the stage's `CITY_SYSTEM_BASIS` is `consent`; when it is
  `legal_duty` the association relies on Art. 13 (1) 3 and the notice says so
  instead (no box: a consent to what happens anyway would be no consent).
- `cross_border` (`consent_cross_border`): storing the data outside the
  mainland (Art. 39). Asked and required only when the stage's data lives
  outside the mainland (`DATA_OUTSIDE_MAINLAND`, by default derived from the
  regions the stage stores and mails in).

A body that sends only the contract's fields keeps working wherever neither
extra consent is required (the local stage, and cn-prod under a legal duty).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal

from chalicelib.domain.errors import Invalid
from chalicelib.values import value_class

Purpose = Literal["processing", "city_system", "cross_border"]
CityBasis = Literal["consent", "legal_duty"]

# A wording change of a consent's text gets a new version; registrations keep the one agreed to.
CONSENT_VERSIONS: dict[Purpose, str] = {
    "processing": "2026-12",
    "city_system": "2026-12",
    "cross_border": "2026-12",
}
# The body field each consent arrives in, in the form's order (the contract's `consent` first).
CONSENT_FIELDS: dict[Purpose, str] = {
    "processing": "consent",
    "city_system": "consent_city_system",
    "cross_border": "consent_cross_border",
}

PURPOSE_LABELS: dict[Purpose, str] = {
    "processing": "个人信息处理",
    "city_system": "向市系统提供",
    "cross_border": "境外存储",
}

MAINLAND_REGIONS = frozenset({"cn-north-1", "cn-northwest-1"})
REGION_NAMES = {
    "cn-north-1": "中国北京（亚马逊云科技中国（北京）区域）",
    "cn-northwest-1": "中国宁夏（亚马逊云科技中国（宁夏）区域）",
    "ap-east-1": "中国香港（亚马逊云科技亚太（香港）区域）",
    "ap-southeast-1": "新加坡（亚马逊云科技亚太（新加坡）区域）",
    "ap-northeast-1": "日本东京（亚马逊云科技亚太（东京）区域）",
}

DEFAULT_HANDLER = "北京市人力资源服务行业协会"
DEFAULT_CITY_SYSTEM = "北京市人力资源市场管理信息系统（由北京市人力资源和社会保障主管部门管理）"
DEFAULT_RIGHTS_ANSWER_WORKING_DAYS = 15
# GB/T 35273-2020 8.7: a request is answered within 30 days at most; 15 working days stays inside it.
MAX_RIGHTS_ANSWER_WORKING_DAYS = 20

REFUSALS: dict[Purpose, str] = {
    "processing": "请阅读个人信息保护说明，并勾选“我已阅读并同意”后再提交。",
    "city_system": "请阅读说明中“向市系统提供”一项，并勾选同意向北京市人力资源市场管理信息系统"
    "提供信息后再提交。考试通过后须录入市系统，不同意则无法完成培训考试。",
    "cross_border": "请阅读说明中“境外存储”一项，并勾选同意在中国大陆以外存储您的信息后再提交；"
    "不同意则无法在本系统报名，请联系工作人员了解其他报名方式。",
}


def region_name(region: str) -> str:
    return REGION_NAMES.get(region, f"亚马逊云科技 {region} 区域")


def outside_mainland(setting: str, regions: tuple[str, ...]) -> bool:
    """`DATA_OUTSIDE_MAINLAND` as set (`true`/`false`), or derived: any region outside the mainland."""
    chosen = setting.strip().lower()
    if chosen in ("true", "1", "yes"):
        return True
    if chosen in ("false", "0", "no"):
        return False
    if chosen:
        raise ValueError(f"DATA_OUTSIDE_MAINLAND must be true, false or empty: {setting!r}")
    return any(region not in MAINLAND_REGIONS for region in regions if region)


@value_class
class NoticeFacts:
    """What the notice states, from the stage's settings (never a literal in a template)."""

    handler: str = DEFAULT_HANDLER
    contact: str = ""
    city_system: str = DEFAULT_CITY_SYSTEM
    city_basis: CityBasis = "consent"
    retention_years: int = 3
    export_retention_days: int = 90
    storage_region: str = ""
    mail_region: str = ""
    outside_mainland: bool = False
    answer_working_days: int = DEFAULT_RIGHTS_ANSWER_WORKING_DAYS

    def __init__(
        self,
        handler: str = DEFAULT_HANDLER,
        contact: str = "",
        city_system: str = DEFAULT_CITY_SYSTEM,
        city_basis: CityBasis = "consent",
        retention_years: int = 3,
        export_retention_days: int = 90,
        storage_region: str = "",
        mail_region: str = "",
        outside_mainland: bool = False,
        answer_working_days: int = DEFAULT_RIGHTS_ANSWER_WORKING_DAYS,
    ) -> None:
        self.__dict__.update(
            handler=handler,
            contact=contact,
            city_system=city_system,
            city_basis=city_basis,
            retention_years=retention_years,
            export_retention_days=export_retention_days,
            storage_region=storage_region,
            mail_region=mail_region,
            outside_mainland=outside_mainland,
            answer_working_days=answer_working_days,
        )

    @property
    def required(self) -> tuple[Purpose, ...]:
        """The consents a registration must carry, in the form's order."""
        wanted: list[Purpose] = ["processing"]
        if self.city_basis == "consent":
            wanted.append("city_system")
        if self.outside_mainland:
            wanted.append("cross_border")
        return tuple(wanted)

    @property
    def storage_place(self) -> str:
        return region_name(self.storage_region)

    @property
    def mail_place(self) -> str:
        return region_name(self.mail_region) if self.mail_region else ""

    @property
    def versions(self) -> dict[str, str]:
        """Each consent asked on this stage, by its label, with the version of its text."""
        return {PURPOSE_LABELS[purpose]: CONSENT_VERSIONS[purpose] for purpose in self.required}


@value_class
class Consent:
    """One consent a candidate gave: its purpose, the notice version and when."""

    purpose: Purpose
    version: str
    at: dt.datetime

    def __init__(self, purpose: Purpose, version: str, at: dt.datetime) -> None:
        self.__dict__.update(purpose=purpose, version=version, at=at)

    def public(self) -> dict[str, str]:
        return {"purpose": self.purpose, "version": self.version, "at": self.at.isoformat(timespec="seconds")}


def given_consents(body: Mapping[str, object], facts: NoticeFacts, at: dt.datetime) -> tuple[Consent, ...]:
    """Every required consent, each exactly `true` in its own field, refused field by field in order.

    A consent not required here is ignored even when sent: it was not shown, so it says nothing.
    """
    for purpose in facts.required:
        if body.get(CONSENT_FIELDS[purpose]) is not True:
            raise Invalid(CONSENT_FIELDS[purpose], REFUSALS[purpose])
    return tuple(Consent(purpose, CONSENT_VERSIONS[purpose], at) for purpose in facts.required)
