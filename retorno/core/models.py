"""Shared model kernel: timestamps, store scoping, idempotency records."""

from __future__ import annotations

from typing import Any

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class StoreScopedQuerySet(models.QuerySet):
    """Every read of tenant data goes through `for_store`; another store's row is simply absent."""

    def for_store(self, store: Any) -> StoreScopedQuerySet:
        return self.filter(store=store)


class IdempotencyRecord(models.Model):
    """The stored response of a request made with an Idempotency-Key, per store and operation.

    Written in the same transaction as the change it answers for, so a retried request either
    finds the full result or nothing at all.
    """

    store_id = models.BigIntegerField()
    operation = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store_id", "operation", "key"], name="uniq_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.operation}:{self.key}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class OutboxMessage(models.Model):
    """A side effect (email, webhook, carrier booking) written in the transaction that causes it.

    A task delivers it after commit; a sweeper re-drives what a crash left behind. `dedupe_key`
    makes the same event enqueue at most one message.
    """

    store_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=40)
    dedupe_key = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=12, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.dedupe_key} ({self.status})"
