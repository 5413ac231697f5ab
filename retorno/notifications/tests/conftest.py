"""A real SMTP server on 127.0.0.1 (aiosmtpd), and Django pointed at it."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from retorno.backoffice.tests.conftest import signed_in, staff  # noqa: F401 (staff pages)
from retorno.money.tests.conftest import provider  # noqa: F401 (a fake payment provider)
from retorno.notifications.channels import LocmemTextBackend


@dataclass
class Arrival:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        # Long encoded subjects are folded right after "Subject:"; the folding white space is
        # not part of the value (RFC 5322), but Python's parser keeps it.
        return str(self.message["Subject"]).strip()

    def part(self, content_type: str) -> str:
        body = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        assert body is not None, f"no {content_type} part"
        assert body.get_content_type() == content_type
        return body.get_content()

    @property
    def text(self) -> str:
        return self.part("text/plain")

    @property
    def html(self) -> str:
        return self.part("text/html")


@dataclass
class Inbox:
    arrivals: list[Arrival] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.arrivals.append(Arrival(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """An SMTP server on a fixed port that a test can start, stop and start again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self._controller: Controller | None = None

    @property
    def arrivals(self) -> list[Arrival]:
        return self.inbox.arrivals

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    """Django sends through SMTP to a server on 127.0.0.1 that is not started yet."""
    server = SmtpServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "returns@retorno.test"
    yield server
    server.stop()


@pytest.fixture
def smtp_server(smtp: SmtpServer) -> SmtpServer:
    """The same, running."""
    smtp.start()
    return smtp


@pytest.fixture
def texts(settings: Any) -> Iterator[list[dict[str, str]]]:
    settings.NOTIFY_SMS_BACKEND = "retorno.notifications.channels.LocmemTextBackend"
    settings.NOTIFY_WHATSAPP_BACKEND = "retorno.notifications.channels.LocmemTextBackend"
    LocmemTextBackend.outbox.clear()
    yield LocmemTextBackend.outbox
    LocmemTextBackend.outbox.clear()
