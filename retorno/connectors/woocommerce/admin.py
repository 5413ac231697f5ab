"""The WooCommerce connection and its records in the admin: the keys and secrets are stored
encrypted and never shown; receipts, backfills and calls are written by the connector and only
read here."""

from django.contrib import admin

from retorno.connectors.readonly_admin import ReadOnly
from retorno.connectors.woocommerce.models import (
    WooBackfill,
    WooCall,
    WooConnection,
    WooWebhookReceipt,
)


@admin.register(WooConnection)
class WooConnectionAdmin(ReadOnly):
    list_display = ("store_url", "store", "key_hint", "checked_at", "check_error", "polled_at")
    search_fields = ("store_url", "store__name")
    exclude = ("key_encrypted", "secret_encrypted", "webhook_secret_encrypted")


@admin.register(WooWebhookReceipt)
class WooWebhookReceiptAdmin(ReadOnly):
    list_display = ("delivery_id", "store", "topic", "status", "attempts", "received_at")
    list_filter = ("status", "topic")
    search_fields = ("delivery_id",)


@admin.register(WooBackfill)
class WooBackfillAdmin(ReadOnly):
    list_display = ("store", "days", "status", "page", "imported", "total", "started_at")
    list_filter = ("status",)


@admin.register(WooCall)
class WooCallAdmin(ReadOnly):
    list_display = ("key", "store", "kind", "woo_id", "created_at")
    list_filter = ("kind",)
    search_fields = ("key", "woo_id")
