"""Read back what the app sent through moto's SES, as a recipient would see it.

moto keeps every accepted e-mail in its SES backend (an internal API, see
moto's SES docs): raw e-mails with their full MIME text, simple ones with
subject and body. This works for the in-process mock and for the moto server
of `local_stack()`, which runs in the test's own process.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import RawMessage, ses_backends


def _backend(region: str) -> Any:
    return ses_backends[DEFAULT_ACCOUNT_ID][region]


def raw_emails(region: str) -> list[EmailMessage]:
    """Every raw e-mail SES accepted in `region`, parsed."""
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
    """Every simple (SendEmail) e-mail SES accepted in `region`."""
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


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())
