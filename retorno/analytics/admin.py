"""The rollups in the admin, read only: derived data, written by the services and by
`retorno analytics rebuild`, never by hand."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from retorno.analytics.models import (
    DailyFigure,
    DigestOptOut,
    DigestRun,
    Label,
    OrderContribution,
    PendingOrder,
    RollupState,
    SupplierAlert,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DailyFigure)
class DailyFigureAdmin(ReadOnly):
    list_display = ("day", "store", "dimension", "basis", "key", "returns", "orders", "units")
    list_filter = ("dimension", "basis")
    search_fields = ("key",)


@admin.register(OrderContribution)
class OrderContributionAdmin(ReadOnly):
    list_display = ("order_id", "store")
    search_fields = ("order_id",)


@admin.register(Label)
class LabelAdmin(ReadOnly):
    list_display = ("dimension", "key", "label", "store")
    list_filter = ("dimension",)
    search_fields = ("key", "label")


@admin.register(PendingOrder)
class PendingOrderAdmin(ReadOnly):
    list_display = ("order_id", "store")
    search_fields = ("order_id",)


@admin.register(RollupState)
class RollupStateAdmin(ReadOnly):
    list_display = ("store", "version", "rebuilt_at")


@admin.register(SupplierAlert)
class SupplierAlertAdmin(ReadOnly):
    list_display = ("opened_at", "store", "supplier", "kind", "rate", "threshold", "closed_at")
    list_filter = ("kind",)
    search_fields = ("supplier",)


@admin.register(DigestRun)
class DigestRunAdmin(ReadOnly):
    list_display = ("week_start", "store", "recipients", "queued_at")


@admin.register(DigestOptOut)
class DigestOptOutAdmin(admin.ModelAdmin):
    list_display = ("user", "store", "created_at")
    raw_id_fields = ("user",)
