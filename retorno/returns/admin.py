from django.contrib import admin

from retorno.returns.models import Return, ReturnEvent, ReturnItem, ReturnStatusTally


class ReturnItemInline(admin.TabularInline):
    model = ReturnItem
    extra = 0
    fields = (
        "order_line",
        "reason",
        "decision",
        "quantity_requested",
        "quantity_approved",
        "quantity_received",
        "quantity_missing",
        "quantity_refunded",
        "quantity_exchanged",
        "amount",
    )
    readonly_fields = fields
    can_delete = False


class ReturnEventInline(admin.TabularInline):
    """The return's timeline, oldest first; events are append-only."""

    model = ReturnEvent
    extra = 0
    fields = (
        "created_at",
        "kind",
        "from_status",
        "to_status",
        "actor_kind",
        "actor_label",
        "note",
        "data",
    )
    readonly_fields = fields
    can_delete = False
    ordering = ("created_at", "id")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    """Read-only: returns change through their commands (API, back office), never by editing rows."""

    list_display = (
        "rma",
        "status",
        "order",
        "customer",
        "resolution",
        "method",
        "refund_estimate_amount",
        "currency",
        "created_at",
        "store",
    )
    list_filter = ("store", "status", "resolution", "method", "requires_review")
    search_fields = ("rma", "order__number", "order__external_id", "customer__email")
    date_hierarchy = "created_at"
    list_select_related = ("order", "customer", "store")
    inlines = [ReturnItemInline, ReturnEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ReturnEvent)
class ReturnEventAdmin(admin.ModelAdmin):
    list_display = (
        "return_request",
        "kind",
        "from_status",
        "to_status",
        "actor_kind",
        "actor_label",
        "created_at",
    )
    list_filter = ("store", "kind", "actor_kind")
    search_fields = ("return_request__rma", "note", "actor_label")
    list_select_related = ("return_request",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReturnStatusTally)
class ReturnStatusTallyAdmin(admin.ModelAdmin):
    """Read-only: the database's triggers write it (migration 0010)."""

    list_display = ("store", "status", "delta")
    list_filter = ("store", "status")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
