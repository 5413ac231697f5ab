"""A store's webhook endpoints, the events published to them, and every delivery attempt.

An event is written once per source (a step on a return's trail, a claim, an exchange order)
in the transaction that caused it; a delivery is written per subscribed endpoint beside it,
with its outbox message. The attempts are the log the store reads and replays from.
"""

from __future__ import annotations

from django.db import models

from retorno.core.models import StoreScopedQuerySet, TimeStampedModel
from retorno.stores.models import Store


class WebhookEndpoint(TimeStampedModel):
    """Where a store wants its events. The secret is stored encrypted (webhooks.crypto); while
    it is rotated the previous one keeps signing until `previous_secret_expires_at`."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # The event types subscribed to; empty means every type.
    event_types = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    # Why the endpoint stopped ("gone": the receiver answered 410; "" when the store disabled it).
    disabled_reason = models.CharField(max_length=40, blank=True)
    # Set when a delivery spent every attempt; cleared by the next delivery that succeeds.
    failing_since = models.DateTimeField(null=True, blank=True)
    secret_token = models.TextField()
    secret_hint = models.CharField(max_length=16)
    previous_secret_token = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["store", "enabled"])]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """One published event: `body` is the exact JSON sent and signed, the same on every
    attempt and replay. `source_key` names what caused it, so it is published once."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="webhook_events")
    public_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=40)
    source_key = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "source_key"], name="uniq_webhook_source")
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.type}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class WebhookDelivery(TimeStampedModel):
    """One event for one endpoint (at most one: the unique constraint is the guarantee)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="uniq_webhook_delivery")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery: what the receiver answered and how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField()
    replay = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.status_code or self.error}"
