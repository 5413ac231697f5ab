from django.contrib import admin

from retorno.money.models import (
    Charge,
    Claim,
    ClaimLine,
    ClaimPhoto,
    CreditEntry,
    ExchangeLine,
    ExchangeOrder,
    MoneySettings,
    Refund,
    RefundLine,
    StoreCreditWallet,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RefundLineInline(ReadOnlyInline):
    model = RefundLine


@admin.register(Charge)
class ChargeAdmin(admin.ModelAdmin):
    """Read-only, like refunds: charges are written by services and settled in the back office."""

    list_display = (
        "idempotency_key",
        "store",
        "rma",
        "kind",
        "state",
        "amount",
        "currency",
        "provider",
        "created_at",
    )
    list_filter = ("state", "kind", "store")
    search_fields = ("idempotency_key", "rma", "provider_reference")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    """Read-only: the ledger is written by services only (finance acts in the back office)."""

    list_display = (
        "idempotency_key",
        "store",
        "rma",
        "kind",
        "destination",
        "state",
        "amount",
        "currency",
        "provider",
        "created_at",
    )
    list_filter = ("state", "destination", "kind", "store")
    search_fields = ("idempotency_key", "rma", "provider_reference")
    inlines = [RefundLineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CreditEntryInline(ReadOnlyInline):
    model = CreditEntry
    fk_name = "wallet"
    exclude = ("refund",)


@admin.register(StoreCreditWallet)
class WalletAdmin(admin.ModelAdmin):
    list_display = ("customer", "store", "balance_amount", "currency", "updated_at")
    inlines = [CreditEntryInline]

    # The balance follows the ledger: a wallet is only ever opened and moved by its service.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ExchangeLineInline(ReadOnlyInline):
    model = ExchangeLine


@admin.register(ExchangeOrder)
class ExchangeAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "store",
        "rma",
        "state",
        "instant",
        "difference_amount",
        "difference_direction",
        "created_at",
    )
    inlines = [ExchangeLineInline]

    # Exchanges move stock and money: only the resolutions service writes them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClaimLineInline(ReadOnlyInline):
    model = ClaimLine


class ClaimPhotoInline(ReadOnlyInline):
    model = ClaimPhoto


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("number", "store", "reason", "state", "resolution", "created_at")
    list_filter = ("state", "reason")
    inlines = [ClaimLineInline, ClaimPhotoInline]


admin.site.register(MoneySettings)
