"""A store's Shopify connection, the webhooks it received, its backfills, and the links between
Retorno's records and Shopify's (returns, exchange orders), so each call to Shopify is made once.
"""

from __future__ import annotations

from django.db import models

from retorno.connectors.records import BackfillStatus, CallBase, WebhookReceiptBase
from retorno.core.models import StoreScopedQuerySet, TimeStampedModel
from retorno.stores.models import Store


class ShopifyConnection(TimeStampedModel):
    """One Shopify shop per store. The Admin API token and the webhook secret are stored
    encrypted (connectors.shopify.crypto), never shown again."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="shopify")
    shop_domain = models.CharField(max_length=255, unique=True)
    # Where the Admin API answers: https://<shop_domain> unless the store gave another base URL
    # (a development store behind a proxy, the local simulator).
    api_base_url = models.CharField(max_length=500)
    api_version = models.CharField(max_length=10)
    token_encrypted = models.TextField()
    token_hint = models.CharField(max_length=12)
    secret_encrypted = models.TextField()
    # Which Shopify location receives restocked units; empty: the original fulfillment's.
    restock_location_id = models.CharField(max_length=80, blank=True)
    # Refunds to the original payment go through Shopify (the store's payment adapter).
    refunds_in_shopify = models.BooleanField(default=True)
    # The store's payment adapter before it chose Shopify's: it refunds orders that did not
    # come from the shop, and is the store's again when it disconnects.
    fallback_payment_adapter = models.CharField(max_length=40, blank=True)
    shop_name = models.CharField(max_length=255, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    check_error = models.CharField(max_length=500, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.shop_domain


class ShopifyWebhookReceipt(WebhookReceiptBase):
    """A Shopify webhook, once per X-Shopify-Webhook-Id."""

    webhook_id = models.CharField(max_length=100)
    triggered_at = models.CharField(max_length=40, blank=True)

    class Meta(WebhookReceiptBase.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["store", "webhook_id"], name="uniq_shopify_webhook_per_store"
            )
        ]
        indexes = [models.Index(fields=["store", "status"])]

    def __str__(self) -> str:
        return f"{self.topic} {self.webhook_id}"


class ShopifyBackfill(models.Model):
    """An import of the last `days` days of orders through the Admin API, page by page: the
    cursor is saved after each page, so a retried run goes on where it stopped."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="shopify_backfills")
    days = models.PositiveIntegerField()
    since = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=BackfillStatus.choices, default=BackfillStatus.RUNNING
    )
    cursor = models.CharField(max_length=500, blank=True)
    total = models.PositiveIntegerField(null=True, blank=True)
    imported = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    waited_seconds = models.FloatField(default=0)
    error = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"backfill {self.id} ({self.days} days)"


class ShopifyReturnLink(TimeStampedModel):
    """A Retorno return and its Shopify return, with each step already done in Shopify."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="shopify_returns")
    rma = models.CharField(max_length=40)
    shopify_order_id = models.CharField(max_length=80)
    shopify_return_id = models.CharField(max_length=80, blank=True)
    # "shopify": the customer asked in Shopify (returns/request); "retorno": asked in Retorno.
    origin = models.CharField(max_length=10)
    # What Shopify has been told: requested, open, declined, canceled, closed.
    shopify_status = models.CharField(max_length=12, blank=True)
    reverse_delivery_id = models.CharField(max_length=80, blank=True)
    tracking_number = models.CharField(max_length=120, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "rma"], name="uniq_shopify_return_rma"),
        ]
        indexes = [models.Index(fields=["store", "shopify_return_id"])]

    def __str__(self) -> str:
        return f"{self.rma} ↔ {self.shopify_return_id or '(not yet in Shopify)'}"


class ShopifyCall(CallBase):
    """A call made to Shopify, once per key; `shopify_id` is what it created there."""

    shopify_id = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "key"], name="uniq_shopify_call_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
