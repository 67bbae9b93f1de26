"""Read back what the app sent, as a recipient would see it: through moto's SES, or a real SMTP server.

moto keeps every accepted e-mail in its SES backend (an internal API, see
moto's SES docs): raw e-mails with their full MIME text, simple ones with
subject and body. This works for the in-process mock and for the moto server
of `local_stack()`, which runs in the test's own process.

With `MAIL_TRANSPORT_UNDER_TEST=smtp` (`make test-smtp`), the API suite runs
with the stage's mail transport set to SMTP instead, against a real aiosmtpd
server started once per test process on a free loopback port; the same
helpers then read what that server accepted, so every API test's assertions
about mail hold for both transports. Over SMTP every e-mail is a MIME
message: `raw_emails` are those with attachments, `text_emails` those without.
"""

from __future__ import annotations

import atexit
import csv
import email
import email.policy
import io
import logging
import os
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import RawMessage, ses_backends

# The API suite's mail transport: "ses" (moto's SES, the default) or "smtp" (a real aiosmtpd server).
SMTP_UNDER_TEST = os.environ.get("MAIL_TRANSPORT_UNDER_TEST", "ses").strip().lower() == "smtp"


class _Accepted:
    """aiosmtpd handler: keeps every message the server accepted, parsed, in arrival order."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    def snapshot(self) -> list[tuple[list[str], EmailMessage]]:
        with self._lock:
            return list(self.messages)


_server: dict[str, Any] = {}


def smtp_stage() -> dict[str, str]:
    """Start this process's SMTP server (once), empty its mailbox, and return the stage settings
    that send through it. Plain SMTP on loopback: the transport's TLS modes are `test_smtp.py`'s."""
    if not _server:
        from aiosmtpd.controller import Controller

        from ops.devstack import free_port

        # aiosmtpd logs every envelope (addresses included) on "mail.log": the test's server, not
        # the app, so it is quieted, or the log tests would find the candidates' addresses in it.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        handler = _Accepted()
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        atexit.register(controller.stop)
        _server.update(handler=handler, port=controller.port)
    _server["handler"].clear()
    return {
        "MAIL_TRANSPORT": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(_server["port"]),
        "SMTP_SECURITY": "none",
    }


def _smtp_messages() -> list[tuple[list[str], EmailMessage]]:
    return _server["handler"].snapshot() if _server else []


def _backend(region: str) -> Any:
    return ses_backends[DEFAULT_ACCOUNT_ID][region]


def raw_emails(region: str) -> list[EmailMessage]:
    """Every raw e-mail SES accepted in `region` (over SMTP: every one with attachments), parsed."""
    if SMTP_UNDER_TEST:
        return [message for _, message in _smtp_messages() if any(message.iter_attachments())]
    parsed = []
    for message in _backend(region).sent_messages:
        if isinstance(message, RawMessage):
            parsed.append(email.message_from_string(message.raw_data, policy=email.policy.default))
    return parsed  # type: ignore[return-value]


@dataclass(frozen=True)
class TextEmail:
    to: list[str]
    subject: str
    body: str


def text_emails(region: str) -> list[TextEmail]:
    """Every simple (SendEmail) e-mail SES accepted in `region` (over SMTP: every one without attachments)."""
    if SMTP_UNDER_TEST:
        return [
            TextEmail(to, str(message["Subject"]), _plain(message))
            for to, message in _smtp_messages()
            if not any(message.iter_attachments())
        ]
    found = []
    for message in _backend(region).sent_messages:
        if not isinstance(message, RawMessage) and hasattr(message, "subject"):
            found.append(
                TextEmail(list(message.destinations.get("ToAddresses", [])), message.subject, message.body)
            )
    return found


def attachments(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename() or "": part.get_payload(decode=True) for part in message.iter_attachments()}


def attachment(message: EmailMessage, extension: str) -> tuple[str, bytes]:
    found = [(name, data) for name, data in attachments(message).items() if name.endswith(extension)]
    assert len(found) == 1, f"expected one .{extension} attachment, found {list(attachments(message))}"
    return found[0]


def csv_rows(data: bytes) -> list[list[str]]:
    """The CSV as Excel would read it: the BOM is checked, then dropped."""
    assert data.startswith(b"\xef\xbb\xbf"), "the CSV must start with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_sheet(data: bytes) -> Any:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data)).worksheets[0]


def _plain(message: EmailMessage) -> str:
    """The text part as SES's SendEmail kept it: MIME's CRLF line ends and final newline undone."""
    text = body_text(message).replace("\r\n", "\n")
    return text[:-1] if text.endswith("\n") else text


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())
