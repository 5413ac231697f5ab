from django.contrib import admin

from retorno.core.models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("operation", "key", "store_id", "response_status", "created_at")
    list_filter = ("operation",)
    search_fields = ("key",)
