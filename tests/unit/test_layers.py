"""The layering the code relies on: domain rules import no AWS and no web framework."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "chalicelib" / "domain"
FORBIDDEN = ("boto3", "botocore", "pynamodb", "chalice", "moto")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_modules_import_no_aws_and_no_chalice():
    modules = sorted(DOMAIN.glob("*.py"))
    assert len(modules) >= 5
    for path in modules:
        for name in imported_modules(path):
            root = name.split(".")[0]
            assert root not in FORBIDDEN, f"{path.name} imports {name}"
            assert not name.startswith(("chalicelib.storage", "chalicelib.web", "chalicelib.services")), (
                f"{path.name} imports {name}"
            )


CHALICELIB = DOMAIN.parent
# `python -m chalicelib.cli` is the contract's command line; it hands over to ops.cli at run time.
CLI_SHIM = CHALICELIB / "cli.py"


def test_nothing_in_chalicelib_imports_the_operator_tooling():
    modules = sorted(CHALICELIB.rglob("*.py"))
    assert len(modules) >= 20
    for path in modules:
        if path == CLI_SHIM:
            continue
        for name in imported_modules(path):
            assert name.split(".")[0] != "ops", f"{path.relative_to(CHALICELIB)} imports {name}"


def test_the_cli_shim_only_hands_over_to_ops():
    assert imported_modules(CLI_SHIM) - {"__future__", "sys", "collections.abc"} == {"ops.cli"}


def test_aws_error_codes_are_read_in_one_place():
    """`aws.error_code` copes with an error that got no answer (a timeout); reading
    `exc.response["Error"]` directly turned such a failure into a 500 once."""
    readers = []
    for path in [*(ROOT / "chalicelib").rglob("*.py"), *(ROOT / "ops").rglob("*.py")]:
        if path.name == "aws.py" and path.parent.name == "storage":
            continue
        text = path.read_text(encoding="utf-8")
        if 'response["Error"]' in text or 'response.get("Error"' in text:
            readers.append(str(path.relative_to(ROOT)))
    assert readers == []


# File and workbook writing is not a rule: it lives in services (export_files.py, city_workbook.py).
FILE_WRITING = ("csv", "openpyxl", "tempfile", "shutil")


def test_domain_modules_write_no_files():
    for path in sorted(DOMAIN.glob("*.py")):
        for name in imported_modules(path):
            assert name.split(".")[0] not in FILE_WRITING, f"{path.name} imports {name}"
