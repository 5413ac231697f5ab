"""A store's WooCommerce connection, the webhooks it received, its backfills, and the calls made
to the store once per key (refunds, restocks, exchange orders)."""

from __future__ import annotations

from django.db import models

from retorno.connectors.records import BackfillStatus, CallBase, WebhookReceiptBase
from retorno.core.models import StoreScopedQuerySet, TimeStampedModel
from retorno.stores.models import Store


class WooConnection(TimeStampedModel):
    """One WooCommerce store per Retorno store. The REST API key (consumer key and secret) and
    the webhook secret are stored encrypted (connectors.woocommerce.crypto), never shown again."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="woocommerce")
    # The site's URL as its webhooks name it (X-WC-Webhook-Source), without the trailing slash.
    store_url = models.CharField(max_length=255, unique=True)
    # Where the REST API answers: <store_url>/wp-json/wc/v3 unless the store gave another.
    api_base_url = models.CharField(max_length=500)
    key_encrypted = models.TextField()
    key_hint = models.CharField(max_length=12)
    secret_encrypted = models.TextField()
    webhook_secret_encrypted = models.TextField()
    # Refunds to the original payment go through WooCommerce (the store's payment adapter)…
    refunds_in_woocommerce = models.BooleanField(default=True)
    # …through the order's payment gateway (`api_refund`), or recorded only (paid by hand).
    api_refund = models.BooleanField(default=True)
    # Refunded lines go back to stock with the refund (`api_restock`) instead of at restock.
    restock_with_refund = models.BooleanField(default=False)
    fallback_payment_adapter = models.CharField(max_length=40, blank=True)
    store_name = models.CharField(max_length=255, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    check_error = models.CharField(max_length=500, blank=True)
    # The polling of orders?modified_after=: the latest modification time read (the store's
    # GMT), and when it last ran.
    polled_through = models.CharField(max_length=30, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.store_url


class WooWebhookReceipt(WebhookReceiptBase):
    """A WooCommerce webhook, once per X-WC-Webhook-Delivery-ID."""

    delivery_id = models.CharField(max_length=100)
    webhook_id = models.CharField(max_length=40, blank=True)

    class Meta(WebhookReceiptBase.Meta):
        constraints = [
            models.UniqueConstraint(fields=["store", "delivery_id"], name="uniq_woo_delivery")
        ]
        indexes = [models.Index(fields=["store", "status"])]

    def __str__(self) -> str:
        return f"{self.topic} {self.delivery_id}"


class WooBackfill(models.Model):
    """An import of the last `days` days of orders, page by page (oldest first): the last page
    done is saved after each, so a retried run goes on from the next."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="woo_backfills")
    days = models.PositiveIntegerField()
    since = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=BackfillStatus.choices, default=BackfillStatus.RUNNING
    )
    page = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    total_pages = models.PositiveIntegerField(null=True, blank=True)
    imported = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    waited_seconds = models.FloatField(default=0)
    error = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"backfill {self.id} ({self.days} days)"


class WooCall(CallBase):
    """A call made to WooCommerce, once per key; `woo_id` is what it created or changed there."""

    woo_id = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "key"], name="uniq_woo_call_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
