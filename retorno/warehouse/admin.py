from typing import Any

from django import forms
from django.contrib import admin

from retorno.warehouse.models import (
    Inspection,
    InventoryEvent,
    RtvBatch,
    Supplier,
    UnexpectedItem,
    WarehouseDocument,
)
from retorno.warehouse.services import document_errors


class WarehouseDocumentForm(forms.ModelForm):
    """Checklists and disposition rules are checked with the warehouse's own parser."""

    class Meta:
        model = WarehouseDocument
        fields = ("store", "kind", "version", "document", "note", "created_by", "created_at")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") and "document" in data:
            for error in document_errors(data["kind"], data["document"]):
                self.add_error("document", f"{error['field'] or 'document'}: {error['message']}")
        return data


@admin.register(WarehouseDocument)
class WarehouseDocumentAdmin(admin.ModelAdmin):
    """Add a new version to change the rules: the highest version is current."""

    form = WarehouseDocumentForm
    list_display = ("store", "kind", "version", "created_by", "created_at")
    list_filter = ("kind", "store")


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "store", "terms_days", "contact_email")
    list_filter = ("store",)
    search_fields = ("code", "name")


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = (
        "rma",
        "sku",
        "quantity",
        "grade",
        "proposed_disposition",
        "disposition",
        "restocked_quantity",
        "inspected_at",
    )
    list_filter = ("grade", "disposition", "store")
    search_fields = ("rma", "sku")
    readonly_fields = [f.name for f in Inspection._meta.fields]


@admin.register(UnexpectedItem)
class UnexpectedItemAdmin(admin.ModelAdmin):
    list_display = ("rma", "sku", "quantity", "received_at", "received_by")
    search_fields = ("rma", "sku")


@admin.register(RtvBatch)
class RtvBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "supplier_code", "warehouse", "status", "deadline_at", "store")
    list_filter = ("status", "store")


@admin.register(InventoryEvent)
class InventoryEventAdmin(admin.ModelAdmin):
    list_display = ("sku", "quantity_delta", "stock_after", "rma", "created_at")
    readonly_fields = [f.name for f in InventoryEvent._meta.fields]
