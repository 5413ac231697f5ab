"""Telling a store's admins that an endpoint is failing: an e-mail in the store's language
(Spanish or English), sent by the outbox once per spell of failing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from retorno.accounts.selectors import admin_emails_for_store
from retorno.core.models import OutboxMessage
from retorno.webhooks.models import WebhookEndpoint


def failing_notice_deliver(message: OutboxMessage) -> dict[str, Any]:
    """Outbox handler of `webhook.failing`. Nothing to send when the endpoint was deleted or
    recovered meanwhile, or when the store has no admin with an address."""
    endpoint = (
        WebhookEndpoint.objects.select_related("store")
        .filter(id=message.payload["endpoint_id"])
        .first()
    )
    if endpoint is None or endpoint.failing_since is None:
        return {"sent": 0, "reason": "no longer failing"}
    recipients = admin_emails_for_store(store=endpoint.store)
    if not recipients:
        return {"sent": 0, "reason": "no admin address"}
    language = (
        endpoint.store.default_language if endpoint.store.default_language in ("es", "en") else "en"
    )
    with translation.override(language):
        subject = _("Webhook endpoint failing: %(url)s") % {"url": endpoint.url[:80]}
        body = _(
            "Hello,\n\n"
            "%(store)s could not deliver an event to the webhook endpoint %(url)s after ten "
            "attempts over about three days. The endpoint is marked as failing; new events are "
            "still sent to it, and the first one it accepts clears the mark.\n\n"
            "Each attempt, with what the endpoint answered, is listed here (you can send any "
            "event again from there):\n%(link)s\n"
        ) % {
            "store": endpoint.store.name,
            "url": endpoint.url,
            "link": settings.RETORNO_PUBLIC_URL
            + reverse("backoffice:webhook_endpoint", args=[endpoint.id]),
        }
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients).send()
    return {"sent": len(recipients)}
