"""`make run`'s stack for tests: a real moto server and `chalice local` in a subprocess.

Concurrency and browser tests need real HTTP and a real emulator answering
one request at a time; this starts the same pieces `make run` starts
(ops.devstack), on free loopback ports, and lets the test prepare data
in-process against the same moto server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chalicelib import runtime
from chalicelib.config import load_settings
from chalicelib.storage import aws
from ops import provision
from ops.cli import load_stage
from ops.devstack import MotoServer, free_port, start_chalice_local, wait_for


class Stack:
    def __init__(self, moto: MotoServer, url: str, staff_token: str) -> None:
        self.moto = moto
        self.url = url
        self.staff_token = staff_token

    def runtime(self) -> runtime.Runtime:
        """The app's runtime in this process, pointed at the same moto server."""
        return runtime.current()


@contextmanager
def stage_on(url: str) -> Iterator[None]:
    """This process's environment and runtime pointed at the moto server at `url`, with
    the local stage bootstrapped on it (all undone afterwards)."""
    saved = dict(os.environ)
    try:
        os.environ["AWS_ENDPOINT_URL"] = url
        load_stage("local")
        runtime.reset()
        aws.reset_clients()
        for _ in provision.bootstrap(load_settings()):
            pass
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        runtime.reset()
        aws.reset_clients()


@contextmanager
def emulated_stage() -> Iterator[MotoServer]:
    """A fresh moto server with the local stage bootstrapped on it, and this
    process's environment and runtime pointed at it (all undone afterwards)."""
    moto = MotoServer().start()
    try:
        # moto keeps its state in this process, not in the server: without a
        # reset, a second stack would start with the first one's tables and items.
        reset = urllib.request.Request(moto.url + "/moto-api/reset", method="POST")
        urllib.request.urlopen(reset, timeout=10).close()
        with stage_on(moto.url):
            yield moto
    finally:
        moto.stop()


@contextmanager
def local_stack() -> Iterator[Stack]:
    """`emulated_stage()` plus `chalice local` serving the app from it, with a staff token."""
    with emulated_stage() as moto:
        token = runtime.current().secrets.add_staff_token("tests")
        port = free_port()
        server: subprocess.Popen[Any] = start_chalice_local(port, dict(os.environ), autoreload=False)
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_for(url + "api/today")
            yield Stack(moto, url, token)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(10)
