"""The secret administration left in chalicelib refuses to run inside Lambda, before any AWS call.

The Lambda roles grant none of it (tests/packaging/test_policy.py skips it for that reason).
Bootstrap and post-deploy live in `ops/`, which is not in the deployment zip at all. Staff
tokens are the exception: admins manage them from the console, so the Lambda writes them
(the policies grant it on `staff-tokens/*` only).
"""

from __future__ import annotations

import pytest

from chalicelib.config import load_settings
from chalicelib.storage.secrets import SecretStore


@pytest.fixture
def in_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "hr-exam-prod")


def settings() -> object:
    return load_settings(
        {
            "TABLE_NAME": "t",
            "BUCKET_NAME": "b",
            "AWS_REGION": "ap-east-1",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        }
    )


@pytest.mark.parametrize(("call", "args"), [("ensure", ("someone",)), ("put", ("smtp-password", "x"))])
def test_secret_administration_refuses_inside_lambda(
    in_lambda: None, call: str, args: tuple[str, ...]
) -> None:
    store = SecretStore(settings())  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="operator's CLI only"):
        getattr(store, call)(*args)
