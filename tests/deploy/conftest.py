"""Deployment steps against a real moto server, run as an operator runs them: `python -m chalicelib.cli`."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import boto3.session
import pytest

from ops.devstack import MotoServer
from tests.conftest import PROJECT

REGION = "ap-east-1"


def _reset(url: str) -> None:
    """moto keeps its state per process, across servers: each test starts from an empty account."""
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10).close()


@pytest.fixture
def moto_url() -> Iterator[str]:
    with MotoServer() as server:
        _reset(server.url)
        yield server.url
        _reset(server.url)


@pytest.fixture
def operator_env(moto_url: str) -> dict[str, str]:
    """An operator's shell pointed at the emulator: credentials and region, no stage settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STAGE"))}
    env.update(
        AWS_ENDPOINT_URL=moto_url,
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID="operator",
        AWS_SECRET_ACCESS_KEY="operator",
    )
    return env


@pytest.fixture
def cli(operator_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "chalicelib.cli", *args],
            cwd=PROJECT,
            env=env or operator_env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run


@pytest.fixture
def aws(moto_url: str) -> Callable[[str], Any]:
    """boto3 clients on the same emulator, for the test's own look at what the CLI did."""
    session = boto3.session.Session(
        aws_access_key_id="operator", aws_secret_access_key="operator", region_name=REGION
    )

    def client(service: str, region: str = REGION) -> Any:
        return session.client(service, region_name=region, endpoint_url=moto_url)  # type: ignore[call-overload]

    return client
