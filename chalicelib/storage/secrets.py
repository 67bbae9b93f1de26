"""Secrets: HMAC keys and staff token hashes, from SSM Parameter Store.

Deployed stages keep their secrets as SecureString parameters under the
stage's `SSM_PREFIX`, read once per container (staff tokens: re-read at most
once a minute so a revoked token stops working quickly). The local stage may
carry its HMAC keys in its environment instead; staff token hashes always live
in SSM (moto's, locally), so there is one code path for staff access.
Only SHA-256 hashes of staff tokens are stored: a token is 256 random bits, so
a fast hash is as good as a slow one and keeps the check cheap.
"""

from __future__ import annotations

import hashlib
import secrets as random_source
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import Settings
from chalicelib.domain.errors import Unavailable
from chalicelib.storage import aws

STAFF_TOKEN_TTL_SECONDS = 60.0
STAFF_TOKEN_PREFIX = "hrx_"


def hash_staff_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_staff_token() -> str:
    return STAFF_TOKEN_PREFIX + random_source.token_urlsafe(32)


class SecretStore:
    def __init__(self, settings: Settings, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._monotonic = monotonic
        self._values: dict[str, bytes] = {}
        self._staff: dict[str, str] = {}
        self._staff_read_at: float | None = None
        self._lock = threading.Lock()

    def _ssm(self) -> Any:
        return aws.client("ssm", self._settings.region)

    def _path(self, name: str) -> str:
        return f"{self._settings.ssm_prefix}/{name}"

    def get(self, name: str) -> bytes:
        """A secret by name (e.g. `id-hmac-key`), cached for the container's life."""
        found = self._values.get(name)
        if found is not None:
            return found
        local = self._settings.local_secrets.get(name)
        if local:
            value = local.encode()
        else:
            try:
                answer = self._ssm().get_parameter(Name=self._path(name), WithDecryption=True)
            except ClientError as exc:
                if exc.response["Error"]["Code"] == "ParameterNotFound":
                    raise RuntimeError(
                        f"secret {self._path(name)} is missing: run `python -m chalicelib.cli "
                        f"bootstrap --stage {self._settings.stage}`"
                    ) from exc
                raise Unavailable() from exc
            except BotoCoreError as exc:
                raise Unavailable() from exc
            value = answer["Parameter"]["Value"].encode()
        self._values[name] = value
        return value

    @aws.operator_only
    def ensure(self, name: str) -> bool:
        """Create a random secret in SSM unless it exists. True when created."""
        ssm = self._ssm()
        try:
            ssm.put_parameter(
                Name=self._path(name),
                Value=random_source.token_urlsafe(48),
                Type="SecureString",
                Overwrite=False,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ParameterAlreadyExists":
                return False
            raise
        return True

    # Staff tokens -------------------------------------------------------

    def staff_name_for(self, token: str) -> str | None:
        """The staff member a bearer token belongs to, or None."""
        if not token.startswith(STAFF_TOKEN_PREFIX):
            return None
        hashes = self._staff_hashes()
        return hashes.get(hash_staff_token(token))

    def _staff_hashes(self) -> dict[str, str]:
        now = self._monotonic()
        with self._lock:
            fresh = self._staff_read_at is not None and now - self._staff_read_at < STAFF_TOKEN_TTL_SECONDS
            if fresh:
                return self._staff
        hashes: dict[str, str] = {}
        try:
            pages = (
                self._ssm()
                .get_paginator("get_parameters_by_path")
                .paginate(Path=self._path("staff-tokens"), WithDecryption=True)
            )
            for page in pages:
                for parameter in page["Parameters"]:
                    hashes[parameter["Value"]] = parameter["Name"].rsplit("/", 1)[-1]
        except (ClientError, BotoCoreError) as exc:
            raise Unavailable() from exc
        with self._lock:
            self._staff, self._staff_read_at = hashes, now
        return hashes

    @aws.operator_only
    def add_staff_token(self, name: str) -> str:
        """Create a token for `name`; only its hash is stored. Returns the token."""
        token = new_staff_token()
        self._ssm().put_parameter(
            Name=self._path(f"staff-tokens/{name}"),
            Value=hash_staff_token(token),
            Type="SecureString",
            Overwrite=True,
        )
        self._staff_read_at = None
        return token

    @aws.operator_only
    def revoke_staff_token(self, name: str) -> bool:
        try:
            self._ssm().delete_parameter(Name=self._path(f"staff-tokens/{name}"))
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ParameterNotFound":
                return False
            raise
        self._staff_read_at = None
        return True

    def staff_names(self) -> list[str]:
        self._staff_read_at = None
        return sorted(self._staff_hashes().values())
