"""Delivery channels: email through Django's mail framework, SMS and WhatsApp through adapters.

A text channel adapter is any class with `send(recipient, text, *, reference="") -> provider id`,
selected by dotted path in settings (NOTIFY_SMS_BACKEND, NOTIFY_WHATSAPP_BACKEND). `reference`
is our stable message id, for providers that accept an idempotency key or a client reference.
Adapters raise `PermanentSendError` when retrying cannot help (invalid number, opted out); any
other exception counts as transient and the outbox retries it.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from email.utils import formataddr
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from retorno.notifications.models import Channel

if TYPE_CHECKING:
    from retorno.notifications.models import Message

logger = logging.getLogger(__name__)

CONSOLE_TEXT_BACKEND = "retorno.notifications.channels.ConsoleTextBackend"
DEFAULT_EMAIL_TIMEOUT_SECONDS = 10
# Steps of one SMTP conversation that each wait up to EMAIL_TIMEOUT: connect, EHLO, STARTTLS,
# EHLO again, AUTH, MAIL FROM, RCPT TO, DATA, the message, QUIT.
SMTP_STEPS_PER_SEND = 10


class PermanentSendError(Exception):
    """The other side refused the message for good (bad address, unknown number)."""


class TextBackend(Protocol):
    def send(self, recipient: str, text: str, *, reference: str = "") -> str: ...


class ConsoleTextBackend:
    """Writes the message to the log instead of sending it: the default for development."""

    def __init__(self, channel: str = Channel.SMS) -> None:
        self.channel = channel

    def send(self, recipient: str, text: str, *, reference: str = "") -> str:
        provider_id = f"console-{uuid.uuid4().hex}"
        logger.info("%s to %s [%s]: %s", self.channel, recipient, reference, text)
        return provider_id


class LocmemTextBackend:
    """Keeps sent messages in `LocmemTextBackend.outbox`, for tests."""

    outbox: list[dict[str, str]] = []

    def __init__(self, channel: str = Channel.SMS) -> None:
        self.channel = channel

    def send(self, recipient: str, text: str, *, reference: str = "") -> str:
        provider_id = f"locmem-{len(self.outbox) + 1}"
        self.outbox.append(
            {"channel": str(self.channel), "to": recipient, "text": text, "reference": reference}
        )
        return provider_id


def text_backend(channel: str) -> TextBackend:
    setting = {Channel.SMS: "NOTIFY_SMS_BACKEND", Channel.WHATSAPP: "NOTIFY_WHATSAPP_BACKEND"}[
        Channel(channel)
    ]
    path = getattr(settings, setting) or CONSOLE_TEXT_BACKEND
    backend: TextBackend = import_string(path)(channel=channel)
    return backend


def message_id_header(message: Message) -> str:
    """A Message-ID that depends only on our message id: a duplicate sent after a crash (sent,
    then the worker died before recording it) carries the same id, so mail systems and people
    can recognise it."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "retorno.local"
    return f"<retorno.message.{message.id}@{domain}>"


def send(message: Message) -> str:
    """Send a stored message on its channel; returns the provider's id for it."""
    if message.channel == Channel.EMAIL:
        return send_email(message)
    reference = f"retorno.message.{message.id}"
    return text_backend(message.channel).send(
        message.recipient, message.body_text, reference=reference
    )


def send_email(message: Message) -> str:
    store = message.store
    message_id = message_id_header(message)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=formataddr((store.name, settings.DEFAULT_FROM_EMAIL)),
        to=[message.recipient],
        reply_to=[store.support_email] if store.support_email else None,
        headers={
            "Message-ID": message_id,
            # RFC 3834: an automatic message, so auto-responders do not answer it.
            "Auto-Submitted": "auto-generated",
            "Content-Language": message.language,
            **({"X-Retorno-RMA": message.rma} if message.rma else {}),
            **({"X-Retorno-Claim": message.claim_number} if message.claim_number else {}),
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    timeout = settings.EMAIL_TIMEOUT or DEFAULT_EMAIL_TIMEOUT_SECONDS
    email.connection = get_connection(fail_silently=False, timeout=timeout)
    try:
        sent = email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        if all(code >= 500 for code, _reason in exc.recipients.values()):
            raise PermanentSendError(f"recipient refused: {exc.recipients}") from exc
        raise
    if not sent:
        raise RuntimeError("the mail backend reported nothing sent")
    return message_id


def send_test_email(*, store: Any, rendered: Any, to: str, language: str) -> bool:
    """A message's preview e-mailed to a staff member to see it in their own mail program: not
    a message to a shopper, so it is neither logged nor retried. Marked as a test in its subject;
    answers whether the mail server took it."""
    with translation.override(language):
        subject = _("[Test] %(subject)s") % {"subject": rendered.subject}
    email = EmailMultiAlternatives(
        subject=subject,
        body=rendered.text,
        from_email=formataddr((store.name, settings.DEFAULT_FROM_EMAIL)),
        to=[to],
        reply_to=[store.support_email] if store.support_email else None,
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    if rendered.html:
        email.attach_alternative(rendered.html, "text/html")
    email.connection = get_connection(
        fail_silently=False, timeout=settings.EMAIL_TIMEOUT or DEFAULT_EMAIL_TIMEOUT_SECONDS
    )
    try:
        return bool(email.send())
    except (OSError, smtplib.SMTPException):
        return False
