"""Staff views of the message log (read-only) and of each store's notification settings."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from retorno.notifications.models import (
    Message,
    MessageStatus,
    MessageTemplate,
    NotificationSettings,
)
from retorno.notifications.services import message_resend


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "rma",
        "claim_number",
        "kind",
        "channel",
        "recipient",
        "language",
        "status",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "kind", "language")
    search_fields = ("=rma", "=claim_number", "recipient", "=tracking_token", "subject")
    date_hierarchy = "created_at"
    list_select_related = ("store",)
    ordering = ("-created_at", "-id")
    actions = ("resend_failed",)
    readonly_fields = [field.name for field in Message._meta.fields] + ["html_preview"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "store",
                    "rma",
                    "return_id",
                    "tracking_token",
                    "claim_number",
                    "event_id",
                    "kind",
                )
            },
        ),
        (
            "Delivery",
            {
                "fields": (
                    "channel",
                    "recipient",
                    "language",
                    "status",
                    "attempts",
                    "error",
                    "created_at",
                    "sent_at",
                    "provider_message_id",
                    "outbox_message_id",
                    "dedupe_key",
                )
            },
        ),
        ("Content", {"fields": ("subject", "body_text", "body_html", "html_preview")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Preview")
    def html_preview(self, obj: Message) -> str:
        if not obj.body_html:
            return "-"
        # A sandboxed frame: the stored HTML can never run script in the admin's origin.
        return format_html(
            '<iframe sandbox srcdoc="{}" style="width:640px;height:720px;border:1px solid #ccc">'
            "</iframe>",
            obj.body_html,
        )

    @admin.action(description="Send the selected failed messages again")
    def resend_failed(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        resent = 0
        for message in queryset.filter(status=MessageStatus.FAILED).select_related("store"):
            if message_resend(store=message.store, message_id=message.id) is not None:
                resent += 1
        self.message_user(request, f"{resent} message(s) queued again.", messages.SUCCESS)


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ("store", "email_enabled", "sms_enabled", "whatsapp_enabled", "updated_at")
    list_select_related = ("store",)
    search_fields = ("store__name", "store__slug")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """A store's own words for its messages (edited in the back office's Settings)."""

    list_display = ("store", "kind", "language", "subject", "updated_at")
    list_filter = ("kind", "language", "store")
