"""A cold start imports only what every request needs.

Lambda imports `app` once per container, before the first request; qrcode,
openpyxl, MIME building, email-validator and jinja2 belong to the few routes
that use them, and every service to its routes and schedules: each is
imported there. Each check runs `import app` in a
fresh interpreter, as Lambda does.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT

HEAVY = [
    "qrcode",
    "png",
    "openpyxl",
    "et_xmlfile",
    "email.mime",
    "email.generator",
    "email_validator",
    "dns",
    "jinja2",
    "markupsafe",
    # Every service (the export's CSV and XLSX writers and thread pool among them) is imported
    # by the route or schedule that uses it: Chalice needs the route table at import, not the
    # handlers' services, so a cold start loads only what its first request uses.
    "chalicelib.services",
    # The stores and domain rules only those services use.
    "chalicelib.storage.archive",
    "chalicelib.storage.audit",
    "chalicelib.storage.bank",
    "chalicelib.storage.calendar_years",
    "chalicelib.storage.city_template",
    "chalicelib.storage.entries",
    "chalicelib.storage.exports",
    "chalicelib.storage.helpdesk",
    "chalicelib.storage.mail",
    "chalicelib.storage.outbox",
    "chalicelib.storage.papers",
    "chalicelib.storage.rights",
    "chalicelib.storage.smtp",
    "chalicelib.domain.bank",
    "chalicelib.domain.bank_sheet",
    "chalicelib.domain.blueprint",
    "chalicelib.domain.entries",
    "chalicelib.domain.feedback",
    "chalicelib.domain.helpdesk",
    "chalicelib.domain.item_analysis",
    "chalicelib.domain.mails",
    "chalicelib.domain.notice",
    "chalicelib.domain.paper_sheet",
    "chalicelib.domain.rights",
    "chalicelib.domain.stats",
    "chalicelib.domain.tokens",
    "concurrent.futures.thread",
    # Rules and stores a candidate's request never reaches, which the core used to pull in for
    # a constant or a type: the city template's rules (config wanted two row limits), the
    # export's (one conversion of a passer), the paper's (the attempt cache's type hints), and
    # the deletions, built on first use as the outbox is (`Runtime.retention_store`).
    "chalicelib.domain.city_template",
    "chalicelib.domain.export",
    "chalicelib.domain.papers",
    "chalicelib.storage.retention",
    # The item kinds only staff's routes, the schedules and a rights request use (locks, export
    # state, the city template, the bank's pointer, audit events, rights requests): each
    # PynamoDB model costs its metaclass two walks over every member of the class.
    "chalicelib.storage.staff_models",
    # The ID check digit (stdnum imports pydoc and pkgutil) and the holiday tables load on the
    # first ID number checked and the first day no supplied year describes.
    "stdnum",
    "pydoc",
    "pkgutil",
    "chinese_calendar",
    # boto3 (and its s3transfer, multiprocessing) adds nothing our low-level clients use.
    "boto3",
    "s3transfer",
    # Test and local tooling must never ride along.
    "moto",
    "pytest",
    "yaml",
    "chalice.deploy",
    "ops.devstack",
    "ops.deployment",
    "ops.bytecode",
    "ops.provision",
    "ops.postdeploy",
]

PROBE = """
import dataclasses, json, sys
import app
from chalicelib.storage import aws

def compiled(cls):
    # What `@dataclass` generates is compiled from a string at import.
    methods = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__")
    code = [getattr(cls.__dict__.get(name), "__code__", None) for name in methods]
    return any(c is not None and c.co_filename == "<string>" for c in code)

ours = [
    obj
    for name, module in list(sys.modules.items())
    if name == "app" or name.startswith("chalicelib.")
    for obj in vars(module).values()
    if isinstance(obj, type) and obj.__module__ == name and dataclasses.is_dataclass(obj)
]
print(json.dumps({
    "modules": sorted(sys.modules),
    "clients": len(aws._clients),
    "compiled": sorted(f"{c.__module__}.{c.__qualname__}" for c in ours if compiled(c)),
    "dataclasses": len(ours),
}))
"""


@pytest.fixture(scope="module")
def cold_start() -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=PROJECT, capture_output=True, text=True, timeout=120, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", HEAVY)
def test_import_app_does_not_import(cold_start: dict[str, object], module: str) -> None:
    modules = cold_start["modules"]
    assert isinstance(modules, list)
    loaded = [m for m in modules if m == module or m.startswith(module + ".")]
    assert not loaded, f"`import app` imports {loaded}: import it inside the function that needs it"


def test_import_app_builds_no_aws_client(cold_start: dict[str, object]) -> None:
    """Clients are built on first use; importing the app touches no network and no credentials."""
    assert cold_start["clients"] == 0


def test_import_app_compiles_no_dataclass_methods(cold_start: dict[str, object]) -> None:
    """`@dataclass` compiles each class's methods with `exec` at import, which no bytecode in the
    package saves: the cold start's value types are `chalicelib.values.value_class`es instead."""
    assert cold_start["compiled"] == []
    seen = cold_start["dataclasses"]
    assert isinstance(seen, int) and seen >= 18, "the probe sees the value types"


def test_the_probe_sees_what_app_does_import(cold_start: dict[str, object]) -> None:
    modules = cold_start["modules"]
    assert isinstance(modules, list)
    assert {"app", "chalice.app", "chalicelib.web.middleware"} <= set(modules)
