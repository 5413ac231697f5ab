"""Carriers, allocation rules and shipments in the Django admin.

Carrier accounts are edited in the back office (/staff/carriers), which encrypts credentials;
here their secrets are never shown. Shipments, tracking events and pickup records are facts
written by the booking and tracking jobs: the admin reads them, it does not change them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from retorno.logistics.models import (
    AllocationRuleSet,
    CarrierAccount,
    LogisticsSettings,
    PickupAttempt,
    PickupRecovery,
    Shipment,
    TrackingEvent,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CarrierAccount)
class CarrierAccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "store", "enabled", "transit_days", "updated_at")
    list_filter = ("kind", "enabled", "store")
    search_fields = ("code", "name", "webhook_code")
    exclude = ("credentials_encrypted",)


@admin.register(AllocationRuleSet)
class AllocationRuleSetAdmin(ReadOnlyAdmin):
    list_display = ("store", "version", "note", "created_by", "created_at")
    list_filter = ("store",)
    ordering = ("store", "-version")


@admin.register(LogisticsSettings)
class LogisticsSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "store",
        "failed_pickups_before_desk",
        "failed_pickups_before_cancel",
        "default_parcel_weight_grams",
    )


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    extra = 0
    can_delete = False
    fields = ("occurred_at", "status", "raw_status", "failure_reason", "location", "description")
    readonly_fields = fields
    ordering = ("occurred_at",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "rma",
        "store",
        "carrier_account",
        "method",
        "booking_state",
        "status",
        "tracking_number",
        "created_at",
    )
    list_filter = ("booking_state", "status", "method", "store", "carrier_account")
    search_fields = ("reference", "rma", "tracking_number", "booking_id")
    date_hierarchy = "created_at"
    inlines = [TrackingEventInline]


@admin.register(TrackingEvent)
class TrackingEventAdmin(ReadOnlyAdmin):
    list_display = ("tracking_number", "status", "raw_status", "occurred_at", "received_at")
    list_filter = ("status", "carrier_account")
    search_fields = ("tracking_number", "dedupe_key")
    date_hierarchy = "occurred_at"


@admin.register(PickupAttempt)
class PickupAttemptAdmin(ReadOnlyAdmin):
    list_display = ("return_id", "attempt_number", "carrier_account", "succeeded", "occurred_at")
    list_filter = ("succeeded", "failure_reason", "carrier_account")


@admin.register(PickupRecovery)
class PickupRecoveryAdmin(ReadOnlyAdmin):
    list_display = ("rma", "store", "carrier_account", "reason", "state", "created_at")
    list_filter = ("state", "reason", "store")
    search_fields = ("rma",)
