"""Mail over SMTP (stages without SES): the same e-mails through a real SMTP server, aiosmtpd.

The server runs in the test on a free loopback port; it logs in with the
credentials the stage keeps in SSM (moto's), refuses what a real one refuses,
and can drop the connection mid-message. Nothing counts as sent that the
server did not accept.
"""

from __future__ import annotations

import datetime as dt
import logging
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPProtocol
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from chalicelib.runtime import Runtime
from chalicelib.services import export, mail
from chalicelib.storage import aws, keys
from chalicelib.storage.mail import Mailer
from chalicelib.storage.models import OutboxItem
from chalicelib.storage.smtp import SMTP_PASSWORD, SMTP_USERNAME, SmtpServer, SmtpTransport
from ops.devstack import free_port
from tests.conftest import beijing
from tests.support.export_data import add_passers, contact, make_period, register

EXAM_DAY = dt.date(2026, 12, 18)
EVENING = beijing(2026, 12, 18, 19)
USER, PASSWORD = "exam-mailer@association.example.cn", "correct horse"


@dataclass
class Mailbox:
    """What the server accepted, and how it is told to misbehave."""

    messages: list[tuple[Envelope, EmailMessage]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    refuse_recipients: set[str] = field(default_factory=set)
    drop_during_data: bool = False

    async def handle_RCPT(
        self, server: SMTPProtocol, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse_recipients:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPProtocol, session: Session, envelope: Envelope) -> str:
        if self.drop_during_data:
            assert server.transport is not None
            server.transport.close()
            return "421 closing"
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((envelope, parsed))
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTPProtocol, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        user, password = data.login.decode(), data.password.decode()
        if (user, password) != (USER, PASSWORD):
            return AuthResult(success=False, handled=False)
        self.logins.append(user)
        return AuthResult(success=True)


def _controller(box: Mailbox, tls: ssl.SSLContext | None = None) -> Controller:
    return Controller(
        box,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=box.authenticate,
        auth_require_tls=tls is not None,
        tls_context=tls,
        require_starttls=tls is not None,
    )


@pytest.fixture
def server() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = _controller(box)
    controller.start()
    yield box, controller.port
    controller.stop()


def smtp_stage(rt: Runtime, port: int, user: str = USER, password: str = PASSWORD) -> Runtime:
    """The runtime of a stage whose MAIL_TRANSPORT is smtp, its login in SSM as `smtp-login` puts it."""
    ssm = aws.client("ssm", rt.settings.region)
    for name, value in ((SMTP_USERNAME, user), (SMTP_PASSWORD, password)):
        ssm.put_parameter(
            Name=f"{rt.settings.ssm_prefix}/{name}", Value=value, Type="SecureString", Overwrite=True
        )
    settings = replace(
        rt.settings, mail_transport="smtp", smtp_host="127.0.0.1", smtp_port=str(port), smtp_security="none"
    )
    return replace(rt, settings=settings, mailer=None, papers=None)


def queued() -> list[OutboxItem]:
    return list(OutboxItem.query(keys.OUTBOX_PK, consistent_read=True))


@pytest.fixture
def period(rt: Runtime, travel: Any) -> Any:
    travel(beijing(2026, 12, 1, 10))
    return make_period(rt, EXAM_DAY, name="2026年12月考试")


def test_a_confirmation_goes_out_over_smtp_after_logging_in_with_the_ssm_credentials(rt, period, server):
    box, port = server
    stage = smtp_stage(rt, port)
    person = contact(1)
    register(stage, period, person)

    run = mail.send_outbox(stage)

    assert (run.sent, run.failed) == (1, 0)
    assert box.logins == [USER]
    [(envelope, message)] = box.messages
    assert envelope.mail_from == rt.settings.ses_sender and envelope.rcpt_tos == [person.email]
    assert "报名成功" in str(message["Subject"])
    text = message.get_content()
    assert "2026年12月18日" in text and person.id_number not in text
    assert queued() == []


def test_the_export_goes_out_over_smtp_with_both_files_and_marks_the_passers(rt, period, server, travel):
    box, port = server
    stage = smtp_stage(rt, port)
    people = add_passers(stage, period, range(3))
    travel(EVENING)

    summary = export.export_passers(stage)

    [result] = summary.exported
    assert (result.count, result.marked) == (3, 3)
    [(envelope, message)] = box.messages
    assert envelope.rcpt_tos == list(rt.settings.export_recipients)
    names = sorted(part.get_filename() or "" for part in message.iter_attachments())
    assert [name.rsplit(".", 1)[-1] for name in names] == ["csv", "xlsx"]
    csv_part = next(p for p in message.iter_attachments() if (p.get_filename() or "").endswith(".csv"))
    csv_text = csv_part.get_content()
    if isinstance(csv_text, bytes):
        csv_text = csv_text.decode("utf-8-sig")
    assert all(person.id_number in csv_text for person in people)


def test_a_refused_login_sends_nothing_and_the_entry_waits_for_a_retry(rt, period, server, caplog):
    box, port = server
    stage = smtp_stage(rt, port, password="wrong")
    register(stage, period, contact(1))

    with caplog.at_level(logging.WARNING):
        run = mail.send_outbox(stage)

    assert (run.sent, run.failed) == (0, 1)
    assert box.messages == []
    [item] = queued()
    assert item.attempts == 1
    assert "535" in caplog.text and "wrong" not in caplog.text and USER not in caplog.text


def test_a_refused_recipient_is_not_counted_as_sent(rt, period, server, caplog):
    box, port = server
    stage = smtp_stage(rt, port)
    person = contact(1)
    box.refuse_recipients.add(person.email)
    register(stage, period, person)

    with caplog.at_level(logging.WARNING):
        run = mail.send_outbox(stage)

    assert (run.sent, run.failed) == (0, 1)
    [item] = queued()
    assert item.attempts == 1
    assert person.email not in caplog.text


def test_one_refused_export_recipient_fails_the_export_and_marks_nobody(rt, period, server, travel):
    box, port = server
    stage = smtp_stage(rt, port)
    stage = replace(
        stage, settings=replace(stage.settings, export_recipients=("a@example.cn", "b@example.cn"))
    )
    box.refuse_recipients.add("b@example.cn")
    add_passers(stage, period, range(2))
    travel(EVENING)

    summary = export.export_passers(stage)

    # The server delivered to the one it accepted; the export still counts as not sent, so
    # the next run sends it again (a duplicate for a@ beats b@ never getting it).
    assert summary.failed == [period.id] and summary.exported == []
    # ...and staff are warned at once, naming the period (contract v2, "Other").
    export_mail, warning = box.messages
    assert export_mail[0].rcpt_tos == ["a@example.cn"]
    assert warning[0].rcpt_tos == list(stage.settings.staff_alert_recipients)
    assert period.name in str(warning[1]["Subject"]) and summary.warned == [period.id]
    again = replace(stage, mailer=None, papers=None)
    box.refuse_recipients.clear()
    [result] = export.export_passers(again).exported
    assert (result.count, result.marked) == (2, 2)


def test_a_connection_dropped_mid_message_counts_nothing_and_a_later_run_sends_it(rt, period, server, travel):
    box, port = server
    stage = smtp_stage(rt, port)
    register(stage, period, contact(1))
    box.drop_during_data = True

    assert mail.send_outbox(stage).failed == 1
    assert box.messages == []

    box.drop_during_data = False
    travel(beijing(2026, 12, 1, 10) + mail.retry_pause(1) + dt.timedelta(seconds=1))
    assert mail.send_outbox(stage).sent == 1
    assert len(box.messages) == 1 and queued() == []


def test_no_server_listening_is_a_failed_send_not_an_error(rt, period):
    stage = smtp_stage(rt, free_port())
    register(stage, period, contact(1))
    assert mail.send_outbox(stage).failed == 1
    assert len(queued()) == 1


def _self_signed(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a fresh self-signed certificate for 127.0.0.1, and a client trusting it."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    # Fixed, wide validity: OpenSSL checks it against the real clock, while the test's own clock
    # has travelled (time_machine does not reach OpenSSL).
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=365 * 6))
        .not_valid_after(now + dt.timedelta(days=365 * 20))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert_file, key_file)
    client_side = ssl.create_default_context(cafile=str(cert_file))
    return server_side, client_side


def test_starttls_encrypts_before_logging_in(rt, swap, period, tmp_path):
    server_tls, client_tls = _self_signed(tmp_path)
    box = Mailbox()
    controller = _controller(box, tls=server_tls)
    controller.start()
    try:
        secure = SmtpTransport(
            SmtpServer("127.0.0.1", controller.port, "starttls", tls_context=client_tls),
            lambda: (USER, PASSWORD),
        )
        rt = swap(mailer=Mailer(rt.settings.ses_sender, rt.settings.ses_region, smtp=secure))
        register(rt, period, contact(1))
        assert mail.send_outbox(rt).sent == 1
        assert box.logins == [USER] and len(box.messages) == 1

        # A server whose certificate the client does not trust gets nothing, not even the login.
        untrusting = SmtpTransport(
            SmtpServer("127.0.0.1", controller.port, "starttls"), lambda: (USER, PASSWORD)
        )
        rt = swap(mailer=Mailer(rt.settings.ses_sender, rt.settings.ses_region, smtp=untrusting))
        register(rt, period, contact(2))
        assert mail.send_outbox(rt).failed == 1
        assert box.logins == [USER] and len(box.messages) == 1
    finally:
        controller.stop()
