"""Mail: the export e-mail with its attachments, and candidates' plain-text e-mails.

The only module that talks to SES; stages without SES send the same messages
through `storage/smtp.py` instead (the `MAIL_TRANSPORT` setting). Every SES or network failure leaves it as
`MailFailed` (503, safe to retry), never as a botocore error; callers decide
what a failed send means (the export marks nothing, the outbox retries).
MIME building is imported only when an e-mail with attachments is built.
SES has its own region setting: it is not offered in every region the rest
of the stack may run in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import MailFailed, MailNotConfigured, MailTooLarge
from chalicelib.domain.mails import Mail
from chalicelib.domain.text import one_line
from chalicelib.storage import aws
from chalicelib.storage.smtp import SmtpTransport

log = logging.getLogger(__name__)

# SendRawEmail takes a message of at most 10 MB, attachments (base64) included.
RAW_MESSAGE_LIMIT = 10 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    filename: str
    path: Path
    content_type: str


class Mailer:
    """Sends from the stage's sender through SES, or through `smtp` when given.

    `client` (an SES client) may be injected (tests, faults)."""

    def __init__(
        self,
        sender: str,
        region: str,
        client: Any | None = None,
        raw_limit: int = RAW_MESSAGE_LIMIT,
        smtp: SmtpTransport | None = None,
    ) -> None:
        self.sender = sender
        self._region = region
        self._client = client
        self._raw_limit = raw_limit
        self._smtp = smtp

    def _ses(self) -> Any:
        if not self.sender:
            raise MailNotConfigured()
        return self._client if self._client is not None else aws.client("ses", self._region)

    @property
    def raw_limit(self) -> int:
        return self._raw_limit

    def compose(self, recipients: Sequence[str], mail: Mail, attachments: Sequence[Attachment]) -> bytes:
        """The raw e-mail, checked against SES's size limit (`MailTooLarge` when over it)."""
        if not recipients:
            raise MailNotConfigured()
        if not self.sender:
            raise MailNotConfigured()
        raw = _raw_message(self.sender, recipients, mail, attachments)
        if len(raw) > self._raw_limit:
            log.warning("export e-mail of %d bytes exceeds the SES limit", len(raw))
            raise MailTooLarge(len(raw))
        return raw

    def send_raw(self, recipients: Sequence[str], raw: bytes) -> str:
        """Send a message `compose` built; its id once SES or the SMTP server has accepted it."""
        if self._smtp is not None:
            if not self.sender:
                raise MailNotConfigured()
            self._smtp.send(self.sender, recipients, raw)
            return _message_id(raw)
        ses = self._ses()
        with _ses_errors("SendRawEmail"):
            response = ses.send_raw_email(
                Source=self.sender, Destinations=list(recipients), RawMessage={"Data": raw}
            )
        return str(response["MessageId"])

    def send_with_attachments(
        self, recipients: Sequence[str], mail: Mail, attachments: Sequence[Attachment]
    ) -> str:
        """One raw e-mail to all recipients; SES's message id once it has accepted it."""
        return self.send_raw(recipients, self.compose(recipients, mail, attachments))

    def send_text(self, recipients: Sequence[str], mail: Mail) -> str:
        """A plain-text e-mail (UTF-8); SES's message id once it has accepted it."""
        if not recipients:
            raise MailNotConfigured()
        if self._smtp is not None:
            return self.send_raw(recipients, self.compose(recipients, mail, ()))
        ses = self._ses()
        with _ses_errors("SendEmail"):
            response = ses.send_email(
                Source=self.sender,
                Destination={"ToAddresses": list(recipients)},
                Message={
                    "Subject": {"Data": one_line(mail.subject), "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": mail.body, "Charset": "UTF-8"}},
                },
            )
        return str(response["MessageId"])


@contextmanager
def _ses_errors(operation: str) -> Iterator[None]:
    """SES's refusals and network failures become `MailFailed`; the log names only the code."""
    try:
        yield
    except ClientError as exc:
        log.warning("ses %s refused: %s", operation, aws.error_code(exc) or "unknown")
        raise MailFailed() from exc
    except BotoCoreError as exc:
        log.warning("ses %s failed: %s", operation, type(exc).__name__)
        raise MailFailed() from exc


def _message_id(raw: bytes) -> str:
    """The Message-ID `_raw_message` wrote (SMTP servers answer none of their own)."""
    from email.parser import BytesHeaderParser
    from email.policy import SMTP

    return str(BytesHeaderParser(policy=SMTP).parsebytes(raw).get("Message-ID", "")).strip("<>")


def _raw_message(
    sender: str, recipients: Sequence[str], mail: Mail, attachments: Sequence[Attachment]
) -> bytes:
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import formatdate, make_msgid

    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    # Headers are built from text that may quote stored names: one line, always.
    message["Subject"] = one_line(mail.subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(mail.body, charset="utf-8", cte="base64")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.path.read_bytes(),
            maintype=maintype,
            subtype=subtype,
            filename=one_line(attachment.filename),
        )
    return message.as_bytes()
