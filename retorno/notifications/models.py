"""The log of every message sent to a shopper, and each store's notification settings.

Notifications sit below returns in the layer order, so a message does not point at its return
with a foreign key: it keeps the return's id, RMA and tracking token as plain, indexed values.
A message about a claim (which has no return) keeps the claim's number instead.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from retorno.core.models import StoreScopedQuerySet
from retorno.stores.models import Store


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"


class MessageKind(models.TextChoices):
    CREATED = "created", "Return created"
    APPROVED = "approved", "Return approved"
    REJECTED = "rejected", "Return rejected"
    HELD_FOR_REVIEW = "held_for_review", "Held for review"
    LABEL_READY = "label_ready", "Label or pickup ready"
    PICKUP_FAILED = "pickup_failed", "Pickup failed"
    BOOKING_FAILED = "booking_failed", "No carrier could book the return"
    IN_TRANSIT = "in_transit", "Picked up / in transit"
    RECEIVED = "received", "Received at the warehouse"
    REFUNDED = "refunded", "Refund or credit issued"
    CANCELLED = "cancelled", "Return cancelled"
    EXCHANGE_CHARGED = "exchange_charged", "Exchange price difference charged"
    EXCHANGE_PAYMENT_FAILED = "exchange_payment_failed", "Exchange price difference declined"
    RETURN_DUE_SOON = "return_due_soon", "Instant exchange: original due back soon"
    CHARGED_BACK = "charged_back", "Charged: original not sent back"
    CHARGE_REFUNDED = "charge_refunded", "Charge refunded: original arrived"
    CLAIM_OPENED = "claim_opened", "Claim opened"
    CLAIM_RESOLVED = "claim_resolved", "Claim resolved"
    CLAIM_REJECTED = "claim_rejected", "Claim rejected"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Never sent: the shopper had already been told of a later step when its turn came.
    SKIPPED = "skipped", "Skipped"


class Message(models.Model):
    """One message to a shopper about one step of a return (or of a claim), on one channel.

    Queued when the step happens (in its transaction) with the step's facts on its outbox row;
    rendered from those facts on the first delivery attempt and never re-rendered: every later
    attempt or resend sends exactly what is stored here. `dedupe_key` makes an event yield at most one message per
    channel, however often the event's side effects run.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    return_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    rma = models.CharField(max_length=24, blank=True, db_index=True)
    tracking_token = models.CharField(max_length=64, blank=True, db_index=True)
    claim_number = models.CharField(max_length=40, blank=True, db_index=True)
    event_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=32, choices=MessageKind.choices)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=255, blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(
        max_length=8, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    dedupe_key = models.CharField(max_length=200, unique=True)
    outbox_message_id = models.BigIntegerField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    skipped_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["store", "return_id", "created_at"]),
            models.Index(fields=["status", "created_at"]),
            # The store's message log, newest first, in keyset pages.
            models.Index(fields=["store", "created_at", "id"], name="message_store_log"),
        ]

    def __str__(self) -> str:
        return f"{self.rma or self.claim_number} {self.kind} {self.channel} ({self.status})"


class NotificationSettings(models.Model):
    """Which channels a store uses, and which kinds of message it has turned off per channel.

    A store without a row gets the defaults: email for every kind, no SMS, no WhatsApp.
    """

    store = models.OneToOneField(
        Store, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email_enabled = models.BooleanField(default=True)
    sms_enabled = models.BooleanField(default=False)
    whatsapp_enabled = models.BooleanField(default=False)
    muted_kinds = models.JSONField(
        default=dict,
        blank=True,
        help_text='Kinds turned off per channel, e.g. {"sms": ["received", "in_transit"]}.',
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"Notification settings of {self.store_id}"

    def clean(self) -> None:
        muted = self.muted_kinds or {}
        if not isinstance(muted, dict):
            raise ValidationError({"muted_kinds": "Use an object of channel: [kinds]."})
        for channel, kinds in muted.items():
            if channel not in Channel.values:
                raise ValidationError({"muted_kinds": f"Unknown channel {channel!r}."})
            if not isinstance(kinds, list) or any(k not in MessageKind.values for k in kinds):
                raise ValidationError(
                    {"muted_kinds": f"List known kinds for {channel!r}: {MessageKind.values}."}
                )

    def sends(self, channel: str, kind: str) -> bool:
        """Whether this store sends `kind` messages on `channel`."""
        enabled = {
            Channel.EMAIL: self.email_enabled,
            Channel.SMS: self.sms_enabled,
            Channel.WHATSAPP: self.whatsapp_enabled,
        }.get(Channel(channel), False)
        muted = (self.muted_kinds or {}).get(str(channel), [])
        return bool(enabled) and kind not in muted


class MessageTemplate(models.Model):
    """A store's own words for one kind of message in one language: the subject, the headline
    and an opening paragraph, with {variables} (retorno.domain.message_templates). An empty
    field keeps Retorno's words; the rest of the message (items, amounts, links) stays."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="message_templates")
    kind = models.CharField(max_length=32, choices=MessageKind.choices)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=200, blank=True)
    headline = models.CharField(max_length=200, blank=True)
    intro = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "kind", "language"], name="uniq_message_template"
            )
        ]

    def __str__(self) -> str:
        return f"{self.store} · {self.kind} · {self.language}"
