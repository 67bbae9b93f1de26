"""API tests: the Chalice app in-process (`chalice.test.Client`) on moto's in-process mock."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from app import app
from chalicelib import runtime
from chalicelib.config import load_settings
from chalicelib.storage import aws
from ops import provision
from ops.cli import load_stage
from tests.conftest import PROJECT
from tests.support import mailbox
from tests.support.spec import check_response


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto's in-process mock, with the local stage's settings in the environment."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    saved = dict(os.environ)
    with mock_aws():
        load_stage("local")
        if mailbox.SMTP_UNDER_TEST:
            os.environ.update(mailbox.smtp_stage())
        runtime.reset()
        aws.reset_clients()
        for _ in provision.bootstrap(load_settings()):
            pass
        yield
    os.environ.clear()
    os.environ.update(saved)
    runtime.reset()
    aws.reset_clients()


class Api:
    """A thin JSON client over chalice.test.Client."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self.staff_token: str | None = None

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        raw: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = self._client.http.request(method, path, headers=sent, body=payload)
        check_response(method, path, response.status_code, response.headers, response.body)
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", path, body, **kwargs)

    def staff(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        assert self.staff_token, "use the `api` fixture, which creates a staff token"
        return self.request(method, path, body, token=self.staff_token, **kwargs)


@pytest.fixture
def api(aws_env: None) -> Iterator[Api]:
    """The app behind a JSON client, on an empty bootstrapped emulator, with a staff token."""
    with Client(app, stage_name="local", project_dir=PROJECT) as client:
        wrapper = Api(client)
        wrapper.staff_token = runtime.current().secrets.add_staff_token("tester")
        yield wrapper


@pytest.fixture
def rt(api: Api) -> runtime.Runtime:
    """The app's runtime on the in-process moto, its SES sender verified (as bootstrap does on emulators)."""
    current = runtime.current()
    aws.client("ses", current.settings.ses_region).verify_email_identity(
        EmailAddress=current.settings.ses_sender
    )
    return current


Swap = Callable[..., runtime.Runtime]


@pytest.fixture
def swap(api: Api, monkeypatch: pytest.MonkeyPatch) -> Swap:
    """`swap(mailer=...)`: the app's runtime with these collaborators in place of its own.

    A copy made by `dataclasses.replace`, installed as the app's runtime until the test
    ends, so the routes and a service called directly both use it; `swap(mailer=None)`
    goes back to the one the runtime builds itself."""

    def swapped(**collaborators: Any) -> runtime.Runtime:
        replaced = dataclasses.replace(runtime.current(), **collaborators)
        monkeypatch.setattr(runtime, "_current", replaced)
        return replaced

    return swapped


def body(response: Any) -> Any:
    return json.loads(response.body)
