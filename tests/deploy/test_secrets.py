"""On a deployed stage secrets come from SSM Parameter Store, once per container."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from chalicelib.config import Settings, load_settings
from chalicelib.domain.staff import Role
from chalicelib.storage import aws
from chalicelib.storage.secrets import STAFF_MISS_REREAD_SECONDS, STAFF_TOKEN_TTL_SECONDS, SecretStore
from tests.deploy.test_bootstrap import stage_env


@pytest.fixture
def prod(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Prod's settings as Lambda has them (AWS_REGION set by Lambda), on moto's in-process mock."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        aws.reset_clients()
        yield load_settings({**stage_env("prod"), "AWS_REGION": "ap-east-1"})
    aws.reset_clients()


def test_a_secret_is_read_from_ssm_once_per_container(prod: Settings) -> None:
    assert not prod.local_secrets
    SecretStore(prod).ensure("id-hmac-key")
    store = SecretStore(prod)  # a fresh container
    with aws.counting() as calls:
        first = store.get("id-hmac-key")
        for _ in range(5):
            assert store.get("id-hmac-key") == first
    assert calls[0] == 1
    assert len(first) >= 48


def test_staff_tokens_are_reread_at_most_once_a_minute(prod: Settings) -> None:
    clock = [1000.0]
    operator = SecretStore(prod)
    token = operator.add_staff_token("wang")
    store = SecretStore(prod, monotonic=lambda: clock[0])
    with aws.counting() as calls:
        assert store.staff_name_for(token) == "wang"
        clock[0] += STAFF_TOKEN_TTL_SECONDS - 1
        assert store.staff_name_for(token) == "wang"
    assert calls[0] == 1
    operator.revoke_staff_token("wang")
    clock[0] += 2
    assert store.staff_name_for(token) is None


def test_a_missing_secret_names_the_command_that_creates_it(prod: Settings) -> None:
    with pytest.raises(RuntimeError, match="bootstrap --stage prod"):
        SecretStore(prod).get("exam-token-key")


def test_a_token_created_in_another_container_works_at_once(prod: Settings) -> None:
    clock = [1000.0]
    store = SecretStore(prod, monotonic=lambda: clock[0])
    operator = SecretStore(prod)
    first = operator.add_staff_token("wang")
    assert store.staff_name_for(first) == "wang"  # the store has read, its cache is fresh
    clock[0] += STAFF_MISS_REREAD_SECONDS
    token = operator.add_staff_token("李老师", Role.VIEWER)
    member = store.staff_for(token)
    assert member is not None and (member.name, member.role) == ("李老师", Role.VIEWER)


def test_wrong_tokens_reread_at_most_once_a_second(prod: Settings) -> None:
    clock = [1000.0]
    SecretStore(prod).add_staff_token("wang")
    store = SecretStore(prod, monotonic=lambda: clock[0])
    with aws.counting() as calls:
        for n in range(20):
            assert store.staff_for(f"hrx_wrong{n}") is None
    assert calls[0] == 1
