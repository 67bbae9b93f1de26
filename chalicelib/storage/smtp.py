"""SMTP: the mail transport of stages in regions without SES (AWS China's cn-north-1).

The only module that talks SMTP. It sends the raw messages `storage/mail.py`
builds, so the e-mails are the same whichever transport a stage uses. Every
refusal or network failure becomes `MailFailed` (503, safe to retry), as SES's
do: the export marks nothing exported and the outbox retries later. A message
counts as sent only when the server accepted it for every recipient; a partial
refusal is a failure too (a later retry may send a duplicate to the others,
which is better than a recipient who never gets the export).

Credentials are SSM SecureString parameters (`smtp-username`, `smtp-password`
under the stage's prefix), never the stage's config; the log names only the
kind of failure and the SMTP code, never an address or the credentials.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.config import SMTP_SECURITY_MODES
from chalicelib.domain.errors import MailFailed

if TYPE_CHECKING:
    import smtplib

log = logging.getLogger(__name__)

# SSM parameter names under the stage's prefix (`ops/cli.py smtp-login` puts them there).
SMTP_USERNAME = "smtp-username"
SMTP_PASSWORD = "smtp-password"
DEFAULT_PORTS = {"tls": 465, "starttls": 587, "none": 25}
TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect. `security` is `tls` (implicit, port 465), `starttls` or `none`."""

    host: str
    port: int
    security: str = "tls"
    timeout: float = TIMEOUT_SECONDS
    # Only for a test's own server with a self-signed certificate; never from a stage's settings.
    tls_context: ssl.SSLContext | None = None


class SmtpTransport:
    """Sends raw messages through one SMTP server, logging in when credentials are given.

    `credentials` is called for each connection, so a container reads SSM only
    when it first sends and a rotated password is picked up on the next cold start."""

    def __init__(self, server: SmtpServer, credentials: Callable[[], tuple[str, str] | None]) -> None:
        if server.security not in SMTP_SECURITY_MODES:
            raise ValueError(f"SMTP security must be one of {SMTP_SECURITY_MODES}: {server.security!r}")
        self._server = server
        self._credentials = credentials

    def _connect(self) -> smtplib.SMTP:
        # smtplib brings the e-mail package's generator: imported when a stage first mails over
        # SMTP, not on every cold start (tests/packaging/test_cold_start.py).
        import smtplib

        server = self._server
        context = server.tls_context or ssl.create_default_context()
        connection: smtplib.SMTP
        if server.security == "tls":
            connection = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout, context=context)
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        try:
            connection.ehlo()
            if server.security == "starttls":
                connection.starttls(context=context)
                connection.ehlo()
            login = self._credentials()
            if login is not None:
                connection.login(*login)
        except BaseException:
            _close(connection)
            raise
        return connection

    def send(self, sender: str, recipients: Sequence[str], raw: bytes) -> None:
        """Deliver `raw` to every recipient, or raise `MailFailed` and count nothing as sent."""
        with _smtp_errors():
            connection = self._connect()
            try:
                refused = connection.sendmail(sender, list(recipients), raw)
            finally:
                _close(connection)
        if refused:
            codes = sorted({str(code) for code, _ in refused.values()})
            log.warning(
                "smtp refused %d of %d recipients: %s", len(refused), len(recipients), ",".join(codes)
            )
            raise MailFailed()


def _close(connection: smtplib.SMTP) -> None:
    import smtplib

    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()


@contextmanager
def _smtp_errors() -> Iterator[None]:
    """Refusals, TLS and network failures become `MailFailed`; the log names the kind and code only."""
    import smtplib

    try:
        yield
    except smtplib.SMTPResponseException as exc:
        log.warning("smtp refused: %s %s", type(exc).__name__, exc.smtp_code)
        raise MailFailed() from exc
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({str(code) for code, _ in exc.recipients.values()})
        log.warning("smtp refused every recipient: %s", ",".join(codes))
        raise MailFailed() from exc
    except (TimeoutError, smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        log.warning("smtp failed: %s", type(exc).__name__)
        raise MailFailed() from exc
