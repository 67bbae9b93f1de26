"""Every error code the app can answer is documented in docs/openapi.yaml.

The codes are read from the error classes (all in chalicelib/domain/errors.py)
and from the `code="..."` overrides raised in the source, so a new code fails
here until the contract's document names it.
"""

from __future__ import annotations

import re
from pathlib import Path

import app  # noqa: F401  (imports every route, service and store, so every error class is defined)
from chalicelib.domain import errors

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = (ROOT / "docs" / "openapi.yaml").read_text(encoding="utf-8")


def _classes(base: type[errors.DomainError]) -> list[type[errors.DomainError]]:
    found = []
    for sub in base.__subclasses__():
        found.append(sub)
        found.extend(_classes(sub))
    return found


def codes() -> set[str]:
    found = {errors.DomainError.code} | {cls.code for cls in _classes(errors.DomainError)}
    for path in (ROOT / "chalicelib").rglob("*.py"):
        found |= set(re.findall(r'\bcode="([a-z_]+)"', path.read_text(encoding="utf-8")))
    return found


def test_the_codes_are_found() -> None:
    assert {"duplicate", "already_submitted", "paper_invalid", "exam_date_taken", "unavailable"} <= codes()


def test_every_error_class_lives_in_domain_errors() -> None:
    assert {cls.__module__ for cls in _classes(errors.DomainError)} == {"chalicelib.domain.errors"}


def test_every_error_code_is_in_openapi() -> None:
    missing = sorted(code for code in codes() if not re.search(rf"\b{code}\b", OPENAPI))
    assert missing == []
