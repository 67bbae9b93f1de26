"""Test people: valid resident ID numbers and registration bodies, for every layer.

`person(n)` gives the n-th candidate, whose ID number, phone and e-mail differ
from every other n, so tests can make as many distinct candidates as they need
and still collide on purpose (`person(2, phone=person(1).phone)`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace
from typing import Any

from stdnum.cn import ric

# A Beijing district code; the contract checks no county list, any six digits would do.
REGION = "110105"


def id_number(birth: dt.date = dt.date(1990, 1, 1), sequence: int = 1, region: str = REGION) -> str:
    """A valid 18-character resident ID number (correct check character)."""
    body = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    # stdnum's calc_check_digit expects the full number and ignores its last character.
    return body + ric.calc_check_digit(body + "?")


def with_wrong_check_character(number: str) -> str:
    """The same number with a check character that does not match."""
    right = number[-1]
    wrong = next(c for c in "0123456789X" if c != right)
    return number[:-1] + wrong


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    phone: str
    email: str

    def registration(self, **changes: Any) -> dict[str, Any]:
        """The body of `POST /api/registrations`, consent given."""
        return {**asdict(self), "consent": True, **changes}

    def lookup(self, **changes: Any) -> dict[str, Any]:
        """The body of `POST /api/registrations/lookup`."""
        return {"id_number": self.id_number, "phone": self.phone, **changes}


def person(n: int, **changes: str) -> Person:
    """The n-th test candidate (0 <= n < 10**7), with any detail replaced."""
    born = dt.date(1970, 1, 1) + dt.timedelta(days=n % 10000)
    someone = Person(
        name=f"测试{n}",
        id_number=id_number(born, sequence=n // 10000 + 1),
        phone=f"139{n:08d}",
        email=f"candidate{n}@example.com",
    )
    return replace(someone, **changes)
