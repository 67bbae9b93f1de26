"""`make run`: an embedded moto server and `chalice local`, seeded and ready.

moto is not thread-safe: its server here answers one request at a time
(werkzeug with `threaded=False`), otherwise two conflicting DynamoDB
transactions could both succeed and the uniqueness the app promises would be
an illusion. Tests that need a real server use `MotoServer` too.
Nothing listens on anything but loopback.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class MotoServer:
    """moto's AWS emulator on loopback, one request at a time, in a background thread."""

    def __init__(self, port: int = 0) -> None:
        self.port = port or free_port()
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> MotoServer:
        import logging

        from moto.server import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        # One line per emulated AWS call would bury the app's own log.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

        application = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(LOOPBACK, self.port, application, threaded=False)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        # moto keeps its state in module globals: without a reset, a second
        # server in the same process (the next test's stack) would start with
        # the first one's tables and items.
        reset = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(reset, timeout=10):
            pass
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def wait_for(url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")
        time.sleep(0.2)


def start_chalice_local(
    port: int, env: dict[str, str], autoreload: bool = True, output: Any = None, project: Path = PROJECT
) -> subprocess.Popen[bytes]:
    """`chalice local` on loopback. Tests turn autoreload off: an edit elsewhere
    in the tree must not restart the server under a running test. `output`
    (a file) takes its stdout and stderr: the app's log lines, which the benchmarks read.
    `project`: another project folder (a benchmark's copy of the settings)."""
    chalice = Path(sys.executable).with_name("chalice")
    command = [str(chalice), "local", "--stage", "local", "--host", LOOPBACK, "--port", str(port)]
    if not autoreload:
        command.append("--no-autoreload")
    return subprocess.Popen(
        command,
        cwd=project,
        env=env,
        start_new_session=True,
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
    )


def prepare(moto_url: str) -> str:
    """Bootstrap and seed the emulator; returns a new staff token."""
    os.environ["AWS_ENDPOINT_URL"] = moto_url
    from ops.cli import load_stage

    load_stage("local")
    from chalicelib import runtime
    from chalicelib.config import load_settings
    from ops import demo, provision

    for line in provision.bootstrap(load_settings()):
        print(line)
    for line in demo.seed():
        print(line)
    return runtime.current().secrets.add_staff_token("local-dev")


def send_mail_periodically(stopping: threading.Event, every: float = 5.0) -> threading.Thread:
    """What the `send_outbox` schedule does on AWS: candidates' e-mails reach moto's SES."""

    def loop() -> None:
        from chalicelib import runtime
        from chalicelib.services import mail

        while not stopping.wait(every):
            try:
                mail.send_outbox(runtime.current())
            except Exception as exc:  # the dev server keeps running; the next round retries
                print(f"outbox sender: {type(exc).__name__}", file=sys.stderr)

    thread = threading.Thread(target=loop, name="outbox", daemon=True)
    thread.start()
    return thread


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    moto = MotoServer(int(os.environ.get("MOTO_PORT", "0"))).start()
    token = prepare(moto.url)
    env = {**os.environ, "AWS_ENDPOINT_URL": moto.url, "PYTHONUNBUFFERED": "1"}
    server = start_chalice_local(port, env)
    url = f"http://{LOOPBACK}:{port}/"
    stopping = threading.Event()

    def stop(*_: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    send_mail_periodically(stopping)
    try:
        wait_for(url + "api/today")
        from chalicelib.services import qr
        from ops import demo

        print()
        print(qr.terminal(url))
        print(f"Candidates (the QR code above): {url}")
        print(f"Lookup / FAQ:                  {url}lookup  {url}faq")
        print(f"Staff console:                 {url}admin  (sign in with the staff token below)")
        candidate = demo.DEMO_CANDIDATE
        print(
            f"Demo candidate (today's exam): {candidate.name}, ID number {candidate.id_number},"
            f" phone {candidate.phone}, e-mail {candidate.email}"
        )
        print(
            f"Candidates' e-mails:           {moto.url}/moto-api/data.json (moto's SES, \"ses\" →"
            " sent messages; the outbox is sent every 5 s)"
        )
        print(f"Staff token (Authorization: Bearer ...):\n{token}")
        print(f"Emulated AWS (moto):           {moto.url}/moto-api/")
        print("Ctrl-C stops both servers.")
        while not stopping.is_set() and server.poll() is None:
            stopping.wait(0.5)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        moto.stop()
        print("stopped")
    return 0 if stopping.is_set() else (server.returncode or 1)


if __name__ == "__main__":
    sys.exit(main())
