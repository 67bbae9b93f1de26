"""Secrets: HMAC keys and staff token hashes, from SSM Parameter Store.

Deployed stages keep their secrets as SecureString parameters under the
stage's `SSM_PREFIX`, read once per container. Staff tokens are re-read at
most once a minute, so a revoked token stops within a minute, and also on a
miss (at most once a second), so a token created a moment ago in another
container works at once. The local stage may
carry its HMAC keys in its environment instead; staff token hashes always live
in SSM (moto's, locally), so there is one code path for staff access.
Only SHA-256 hashes of staff tokens are stored: a token is 256 random bits, so
a fast hash is as good as a slow one and keeps the check cheap.

Each staff member is one parameter, `staff-tokens/<base32 of the name>` (SSM
names are ASCII; staff names are Chinese), whose value is
`{"hash", "name", "role"}`. A value that is a bare hash is a token made before
roles existed: its name is the parameter's, its role admin.

Staff tokens are managed from the console (admins) as well as the CLI, so the
Lambda role may put and delete parameters under `staff-tokens/` (and only
there: the HMAC keys and the SMTP login stay operator-only). The console's
create is a conditional put (`Overwrite=False`): it never replaces a token
someone holds; the CLI's `create` replaces one, as it always has.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets as random_source
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import Settings
from chalicelib.domain.errors import StaffExists, StaffNotFound, Unavailable
from chalicelib.domain.staff import DEFAULT_ROLE, Role, StaffMember
from chalicelib.storage import aws

STAFF_TOKEN_TTL_SECONDS = 60.0
STAFF_TOKEN_PREFIX = "hrx_"
# A miss re-reads at once, but not more than once a second: a stream of wrong
# tokens must not become a stream of SSM reads.
STAFF_MISS_REREAD_SECONDS = 1.0
_LEGACY_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
# A parameter key: base32 of a name (40 characters of 4 UTF-8 bytes at most) or a legacy name.
_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
STAFF_PATH = "staff-tokens"


def hash_staff_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_staff_token() -> str:
    return STAFF_TOKEN_PREFIX + random_source.token_urlsafe(32)


def staff_parameter_key(name: str) -> str:
    """The SSM-safe last part of a staff member's parameter name."""
    return base64.b32encode(name.encode("utf-8")).decode().rstrip("=").lower()


def _member(parameter_name: str, value: str) -> tuple[str, StaffMember] | None:
    if _HASH.match(value):
        return value, StaffMember(parameter_name.rsplit("/", 1)[-1], Role.ADMIN)
    try:
        record = json.loads(value)
        return str(record["hash"]), StaffMember(str(record["name"]), Role.parse(record["role"]))
    except (ValueError, KeyError, TypeError):
        return None


class MissingSecret(RuntimeError):
    """A parameter the stage needs is not in SSM: bootstrap (or the operator) has not put it there."""


class SecretStore:
    def __init__(self, settings: Settings, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._monotonic = monotonic
        self._values: dict[str, bytes] = {}
        self._staff: dict[str, StaffMember] = {}
        # Each token hash's parameter key (the last part of its SSM name).
        self._staff_keys: dict[str, str] = {}
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
                if aws.error_code(exc) == "ParameterNotFound":
                    raise MissingSecret(
                        f"secret {self._path(name)} is missing: run `python -m chalicelib.cli "
                        f"bootstrap --stage {self._settings.stage}`"
                    ) from exc
                raise Unavailable() from exc
            except BotoCoreError as exc:
                raise Unavailable() from exc
            value = answer["Parameter"]["Value"].encode()
        self._values[name] = value
        return value

    def find(self, name: str) -> bytes | None:
        """A secret that a stage may leave unset (SMTP credentials), or None; cached once found."""
        try:
            return self.get(name)
        except MissingSecret:
            return None

    @aws.operator_only
    def put(self, name: str, value: str) -> None:
        """Store (or replace) a secret the operator supplies, such as the SMTP login."""
        self._ssm().put_parameter(Name=self._path(name), Value=value, Type="SecureString", Overwrite=True)
        self._values.pop(name, None)

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
            if aws.error_code(exc) == "ParameterAlreadyExists":
                return False
            raise
        return True

    # Staff tokens -------------------------------------------------------

    def staff_for(self, token: str) -> StaffMember | None:
        """The staff member a bearer token belongs to, or None."""
        if not token.startswith(STAFF_TOKEN_PREFIX):
            return None
        wanted = hash_staff_token(token)
        found = self._staff_hashes().get(wanted)
        if found is None:
            with self._lock:
                read_at = self._staff_read_at
            if read_at is None or self._monotonic() - read_at >= STAFF_MISS_REREAD_SECONDS:
                found = self._staff_hashes(force=True).get(wanted)
        return found

    def staff_key_for(self, token: str) -> str | None:
        """The parameter key of a valid token's holder (what a download link names), or None."""
        if self.staff_for(token) is None:
            return None
        with self._lock:
            return self._staff_keys.get(hash_staff_token(token))

    def staff_by_key(self, key: str) -> tuple[str, StaffMember] | None:
        """(token hash, member) of the token stored under `staff-tokens/<key>`, from the cached list
        (re-read at most once a minute, so a revoked token's links stop within a minute)."""
        members = self._staff_hashes()
        with self._lock:
            for token_hash, found in self._staff_keys.items():
                if found == key and token_hash in members:
                    return token_hash, members[token_hash]
        return None

    def staff_name_for(self, token: str) -> str | None:
        member = self.staff_for(token)
        return member.name if member else None

    def _staff_hashes(self, force: bool = False) -> dict[str, StaffMember]:
        now = self._monotonic()
        with self._lock:
            fresh = self._staff_read_at is not None and now - self._staff_read_at < STAFF_TOKEN_TTL_SECONDS
            if fresh and not force:
                return self._staff
        hashes: dict[str, StaffMember] = {}
        keys: dict[str, str] = {}
        try:
            pages = (
                self._ssm()
                .get_paginator("get_parameters_by_path")
                .paginate(Path=self._path(STAFF_PATH), WithDecryption=True)
            )
            for page in pages:
                for parameter in page["Parameters"]:
                    entry = _member(parameter["Name"], parameter["Value"])
                    if entry is not None:
                        hashes[entry[0]] = entry[1]
                        keys[entry[0]] = parameter["Name"].rsplit("/", 1)[-1]
        except (ClientError, BotoCoreError) as exc:
            raise Unavailable() from exc
        with self._lock:
            self._staff, self._staff_keys, self._staff_read_at = hashes, keys, now
        return hashes

    def add_staff_token(self, name: str, role: Role = DEFAULT_ROLE, replace: bool = True) -> str:
        """Create the token of `name`; only its hash is stored. Returns the token.

        With `replace` (the CLI) an existing token of that name is replaced; without it
        (the console) the put is conditional and an existing one raises `StaffExists`.
        """
        if not replace and _LEGACY_NAME.match(name) and name in self.staff_names():
            # A token from before names were encoded lives under the bare name: the conditional
            # put below cannot see it, so the list (read a moment ago) decides.
            raise StaffExists()
        token = new_staff_token()
        record = {"hash": hash_staff_token(token), "name": name, "role": role.label}
        try:
            self._ssm().put_parameter(
                Name=self._path(f"{STAFF_PATH}/{staff_parameter_key(name)}"),
                Value=json.dumps(record, ensure_ascii=False),
                Type="SecureString",
                Overwrite=replace,
            )
        except ClientError as exc:
            if aws.error_code(exc) == "ParameterAlreadyExists":
                raise StaffExists() from exc
            raise Unavailable() from exc
        except BotoCoreError as exc:
            raise Unavailable() from exc
        if replace and _LEGACY_NAME.match(name):
            self._delete(f"{STAFF_PATH}/{name}")
        self._staff_read_at = None
        return token

    def _delete(self, name: str) -> bool:
        try:
            self._ssm().delete_parameter(Name=self._path(name))
        except ClientError as exc:
            if aws.error_code(exc) == "ParameterNotFound":
                return False
            raise Unavailable() from exc
        except BotoCoreError as exc:
            raise Unavailable() from exc
        return True

    def revoke_staff_token(self, name: str) -> bool:
        """Delete the token of `name` (stops in every container within a minute). True when one was."""
        revoked = self._delete(f"{STAFF_PATH}/{staff_parameter_key(name)}")
        if _LEGACY_NAME.match(name) and self._delete(f"{STAFF_PATH}/{name}"):
            revoked = True
        self._staff_read_at = None
        return revoked

    def revoke_staff_key(self, key: str) -> StaffMember:
        """Revoke the token stored under `staff-tokens/<key>` (the console names it by the
        key, ASCII, that `staff_entries` lists); `StaffNotFound` when there is none."""
        if not _KEY.match(key):
            raise StaffNotFound()
        member = dict(self.staff_entries()).get(key)
        if member is None or not self._delete(f"{STAFF_PATH}/{key}"):
            raise StaffNotFound()
        self._staff_read_at = None
        return member

    def staff_entries(self) -> list[tuple[str, StaffMember]]:
        """(parameter key, member) of every staff token, read now, by name."""
        self._staff_read_at = None
        keys = self._staff_keys
        members = self._staff_hashes()
        return sorted(((keys[token_hash], m) for token_hash, m in members.items()), key=lambda e: e[1].name)

    def staff_members(self) -> list[StaffMember]:
        return [member for _, member in self.staff_entries()]

    def staff_names(self) -> list[str]:
        return [member.name for member in self.staff_members()]
