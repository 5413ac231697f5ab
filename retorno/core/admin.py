from django.contrib import admin

from retorno.core.models import IdempotencyRecord, OutboxMessage


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("operation", "key", "store_id", "response_status", "created_at")
    list_filter = ("operation",)
    search_fields = ("key",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read only: a message is delivered by the outbox and its sweeper, never edited by hand."""

    list_display = ("kind", "status", "attempts", "store_id", "next_attempt_at", "delivered_at")
    list_filter = ("status", "kind")
    search_fields = ("dedupe_key",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
