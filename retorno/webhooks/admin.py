from django.contrib import admin

from retorno.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "store", "enabled", "disabled_reason", "failing_since", "created_at")
    list_filter = ("enabled", "disabled_reason")
    search_fields = ("url", "description")
    # The secrets are encrypted and never shown; the store rotates them in the back office.
    exclude = ("secret_token", "previous_secret_token")
    readonly_fields = ("secret_hint", "previous_secret_expires_at")


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("public_id", "type", "store", "created_at")
    list_filter = ("type",)
    search_fields = ("public_id", "source_key")
    readonly_fields = ("store", "public_id", "type", "source_key", "body", "created_at")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = (
        "number",
        "replay",
        "started_at",
        "status_code",
        "latency_ms",
        "response_excerpt",
        "error",
    )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "endpoint", "status", "attempts", "last_status_code")
    list_filter = ("status",)
    search_fields = ("event__public_id",)
    readonly_fields = ("store", "endpoint", "event", "attempts", "last_status_code")
    inlines = [WebhookAttemptInline]
