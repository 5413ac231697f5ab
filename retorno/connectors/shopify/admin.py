"""The Shopify connection and its records in the admin. The connection's token and secret are
stored encrypted and never shown; receipts, backfills, return links and calls are written by the
connector and only read here."""

from django.contrib import admin

from retorno.connectors.readonly_admin import ReadOnly
from retorno.connectors.shopify.models import (
    ShopifyBackfill,
    ShopifyCall,
    ShopifyConnection,
    ShopifyReturnLink,
    ShopifyWebhookReceipt,
)


@admin.register(ShopifyConnection)
class ShopifyConnectionAdmin(ReadOnly):
    list_display = (
        "shop_domain",
        "store",
        "api_version",
        "token_hint",
        "checked_at",
        "check_error",
    )
    search_fields = ("shop_domain", "store__name")
    exclude = ("token_encrypted", "secret_encrypted")


@admin.register(ShopifyWebhookReceipt)
class ShopifyWebhookReceiptAdmin(ReadOnly):
    list_display = ("webhook_id", "store", "topic", "status", "attempts", "received_at")
    list_filter = ("status", "topic")
    search_fields = ("webhook_id",)


@admin.register(ShopifyBackfill)
class ShopifyBackfillAdmin(ReadOnly):
    list_display = ("store", "days", "status", "imported", "refused", "total", "started_at")
    list_filter = ("status",)


@admin.register(ShopifyReturnLink)
class ShopifyReturnLinkAdmin(ReadOnly):
    list_display = ("rma", "store", "shopify_return_id", "shopify_status", "origin")
    list_filter = ("shopify_status", "origin")
    search_fields = ("rma", "shopify_return_id", "shopify_order_id")


@admin.register(ShopifyCall)
class ShopifyCallAdmin(ReadOnly):
    list_display = ("key", "store", "kind", "shopify_id", "created_at")
    list_filter = ("kind",)
    search_fields = ("key", "shopify_id")
