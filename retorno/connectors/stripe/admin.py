"""The Stripe account and the events it received in the admin: the key and the webhook secret
are stored encrypted and never shown; both are written by the connector and only read here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from retorno.connectors.stripe.models import StripeAccount, StripeEvent


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StripeAccount)
class StripeAccountAdmin(ReadOnly):
    list_display = ("store", "key_hint", "api_base_url", "updated_at")
    search_fields = ("store__name",)
    exclude = ("key_encrypted", "webhook_secret_encrypted", "webhook_token")


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnly):
    list_display = ("event_id", "type", "object_id", "store", "received_at", "outcome")
    list_filter = ("type",)
    search_fields = ("event_id", "object_id")
