"""Fuzz every JSON route from docs/openapi.yaml against `make run`'s stack.

Bounded in examples so it runs in CI; it fails on any 500 and on any response
the spec does not describe (status, content type, body schema). Operations
are driven through Hypothesis directly (schemathesis's pytest plugin does
not support this pytest release).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from app import app
from tests.support.spec import SPEC_PATH
from tests.support.stack import Stack, local_stack

pytestmark = [pytest.mark.server]
EXAMPLES = 15
# What the spec promises. Left out: positive_data_acceptance, because a body
# can be valid by schema and still wrong for the domain (an ID number with a
# bad check character is a string); the contract answers that with 422.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


# Workbook uploads are fuzzed as arbitrary bytes, as an octet stream would be.
schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"
)


def _schema() -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_path(str(SPEC_PATH))


# The routes the app serves; tests/api/test_openapi.py checks the two lists agree.
OPERATIONS = [
    op
    for op in (result.ok() for result in _schema().get_all_operations())
    if op.method.upper() in app.routes.get(op.path, {})
]


@pytest.fixture(scope="module")
def fuzz_stack() -> Iterator[Stack]:
    with local_stack() as running:
        yield running


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_route_answers_outside_the_spec(operation: schemathesis.APIOperation, fuzz_stack: Stack) -> None:
    base_url = fuzz_stack.url.rstrip("/")
    headers = {"Authorization": f"Bearer {fuzz_stack.staff_token}"}

    @given(operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    run()
