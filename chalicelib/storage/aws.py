"""boto3 clients, built lazily and shared, with AWS calls counted per request.

Clients are created on first use, never at import time (a cold start pays only
for what the route uses), and honour `AWS_ENDPOINT_URL` so the whole app runs
against an embedded moto server. Every call made through them, and through
PynamoDB's client, is counted per thread: the request log line carries the
count, and tests assert the contract's budget of AWS calls per route.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import botocore.config
import botocore.session

# Timeouts sized for a public form on Lambda: a stuck connection should turn
# into a quick 503 the phone can retry, not a 29-second API Gateway timeout.
CLIENT_CONFIG = botocore.config.Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "total_max_attempts": 3},
    max_pool_connections=20,
)

_lock = threading.Lock()
_clients: dict[tuple[str, str, str], Any] = {}
_session: botocore.session.Session | None = None
_calls = threading.local()


def _count_call(**_: Any) -> None:
    _calls.count = getattr(_calls, "count", 0) + 1
    _calls.total = getattr(_calls, "total", 0) + 1


def instrument(client: Any) -> Any:
    """Count every API call this client makes (once per call, retries excluded)."""
    client.meta.events.register("before-call.*.*", _count_call, unique_id="hr-exam-call-counter")
    return client


def client(service: str, region: str) -> Any:
    """A shared boto3 client for `service` in `region`, at the configured endpoint."""
    global _session
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    key = (service, region, endpoint)
    found = _clients.get(key)
    if found is not None:
        return found
    with _lock:
        found = _clients.get(key)
        if found is None:
            if _session is None:
                # botocore's own session: boto3's would add nothing a low-level
                # client uses, and importing it (s3transfer, multiprocessing)
                # costs every cold start about 25 ms (docs/benchmarks.md).
                _session = botocore.session.Session()
            # botocore reads AWS_ENDPOINT_URL itself; passing it keeps the
            # cache key and the client in agreement.
            found = instrument(
                _session.create_client(
                    service,
                    region_name=region,
                    endpoint_url=endpoint or None,
                    config=CLIENT_CONFIG,
                )
            )
            _clients[key] = found
    return found


def error_code(error: BaseException) -> str | None:
    """The AWS error code behind a failed call (`ConditionalCheckFailedException`), or None when
    the call got no answer at all (a read timeout, a refused connection).

    PynamoDB's own `cause_response_code` raises AttributeError for an error
    without a response, which turned a DynamoDB timeout into a 500 instead of
    the contract's 503."""
    cause = getattr(error, "cause", None) or error
    response = getattr(cause, "response", None)
    if not isinstance(response, dict):
        return None
    code = response.get("Error", {}).get("Code")
    return str(code) if code is not None else None


def reset_clients() -> None:
    """Forget every client (tests that switch between emulators)."""
    global _session
    with _lock:
        _clients.clear()
        _session = None


def calls_so_far() -> int:
    """AWS calls made by this thread since the last `start_counting`."""
    return int(getattr(_calls, "count", 0))


def total_calls() -> int:
    """AWS calls made by this thread since it started."""
    return int(getattr(_calls, "total", 0))


def start_counting() -> None:
    _calls.count = 0


@contextmanager
def counting() -> Iterator[list[int]]:
    """Count the AWS calls of a block: `with counting() as n: ...; n[0]`."""
    before = total_calls()
    box = [0]
    try:
        yield box
    finally:
        box[0] = total_calls() - before


F = TypeVar("F", bound=Callable[..., Any])


def operator_only(function: F) -> F:
    """Marks code that runs only from an operator's machine (the CLI), with the operator's credentials.

    The Lambda roles do not grant what such code calls, and the policy test
    (tests/packaging/test_policy.py) does not ask them to; a module whose every
    function is like this sets `OPERATOR_ONLY = True` instead. Inside Lambda it
    refuses at once, rather than failing halfway with AccessDenied.
    """

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
            raise RuntimeError(f"{function.__qualname__} runs from the operator's CLI only, never in Lambda")
        return function(*args, **kwargs)

    return cast(F, guarded)
