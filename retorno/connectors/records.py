"""The records every store connector keeps (abstract models; each connector's app has its own
tables): the webhooks it received, kept as received before any work is done, and the calls it
made to the platform once per key."""

from __future__ import annotations

from django.db import models

from retorno.core.models import StoreScopedQuerySet
from retorno.stores.models import Store


class ReceiptStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Failed"
    IGNORED = "ignored", "Ignored"


class BackfillStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


def backfill_percent(status: str, done: int, total: int | None) -> int | None:
    """How far a backfill is, 0–100, from the orders it went through (`done`) and the number the
    platform said there are (None before it has said)."""
    if total is None:
        return None
    if status == BackfillStatus.DONE or total == 0:
        return 100
    return min(99, int(100 * done / total))


class WebhookReceiptBase(models.Model):
    """One verified webhook, kept as received (raw body) before any work is done, so nothing
    is lost: a failed one keeps its error and can be processed again."""

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="%(app_label)s_receipts"
    )
    topic = models.CharField(max_length=60)
    body = models.TextField()
    received_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=ReceiptStatus.choices, default=ReceiptStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-id"]


class CallBase(models.Model):
    """A call made to the platform on Retorno's behalf, once per key (a restock, an exchange
    order, a refund): what it created there."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="%(app_label)s_calls")
    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        abstract = True
