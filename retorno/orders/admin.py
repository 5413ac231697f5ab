from typing import Any

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from retorno.domain.money import minor_units
from retorno.orders.models import CsvImport, Customer, Order, OrderLine, Product, Variant
from retorno.orders.services.intake import (
    ORDER_AMOUNTS,
    ORDER_TIMES,
    FieldProblem,
    amount_problem,
    order_amount_problems,
    time_problem,
)

# What a person is told, by problem code; the domain's messages are English only.
MESSAGES = {
    "time_out_of_range": gettext_lazy(
        "Enter a time from 1 January 2000 to one day from now: this one cannot have happened."
    ),
    "unknown_currency": gettext_lazy("Enter a three-letter ISO 4217 currency code, e.g. EUR."),
}


def _message(problem: FieldProblem, currency: str) -> str:
    if problem.code == "invalid_amount":
        digits = minor_units(currency)
        return gettext(
            "%(currency)s has %(digits)s decimals: enter the amount with no more than that."
        ) % {"currency": currency, "digits": digits}
    return str(MESSAGES.get(problem.code, problem.message))


class OrderAdminForm(forms.ModelForm):
    """The same refusals as the order intake: times that cannot have happened, amounts finer
    than the currency (the order's own, and its lines' under a changed currency)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        now = timezone.now()
        for name in ORDER_TIMES:
            problem = time_problem((name,), cleaned.get(name), now=now)
            if problem is not None:
                self.add_error(name, _message(problem, ""))
        currency = str(cleaned.get("currency") or "").upper()
        lines = self.instance.lines.all() if self.instance.pk else []
        data = {
            "currency": currency,
            **{name: cleaned.get(name) for name in ORDER_AMOUNTS},
            "lines": [
                {
                    "unit_price": line.unit_price,
                    "discount": line.discount_amount,
                    "tax": line.tax_amount,
                }
                for line in lines
            ],
        }
        refused: dict[str, str] = {}
        for problem in order_amount_problems(data):
            # A line's amount is not editable here: it is the currency that does not fit it.
            name = str(problem.field[0])
            refused.setdefault(
                name if name in ORDER_AMOUNTS else "currency", _message(problem, currency)
            )
        for name, message in refused.items():
            self.add_error(name, message)
        if "currency" in cleaned and not self.has_error("currency"):
            cleaned["currency"] = currency
        return cleaned


def _store_of(variant: Variant, product: Product | None) -> Any:
    """The store of a variant being edited: its own, or (a new one in its product's page) its
    product's."""
    if variant.store_id is not None:
        return variant.store
    product = product or (variant.product if variant.product_id is not None else None)
    return product.store if product is not None else None


class VariantAdminForm(forms.ModelForm):
    """A variant's price is in its store's currency, exact in its minor unit."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        store = cleaned.get("store") or _store_of(self.instance, cleaned.get("product"))
        if store is not None:
            problem = amount_problem(("price",), cleaned.get("price"), store.currency)
            if problem is not None:
                self.add_error("price", _message(problem, store.currency))
        return cleaned


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "tier", "store", "created_at")
    list_filter = ("store", "tier")
    search_fields = ("email", "name", "external_id", "phone")


class VariantInline(admin.TabularInline):
    model = Variant
    form = VariantAdminForm
    extra = 0
    fields = ("sku", "options", "price", "stock", "weight_grams")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "vendor", "store")
    list_filter = ("store", "category", "vendor")
    search_fields = ("title", "external_id", "variants__sku")
    inlines = [VariantInline]


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    form = VariantAdminForm
    list_display = ("sku", "product", "price", "stock", "store")
    list_filter = ("store", "product__category")
    search_fields = ("sku", "product__title")
    list_select_related = ("product", "store")


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = (
        "external_id",
        "sku",
        "title",
        "category",
        "quantity",
        "unit_price",
        "discount_amount",
        "order_discount_amount",
        "tax_amount",
        "final_sale",
    )
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    form = OrderAdminForm
    list_display = (
        "number",
        "external_id",
        "customer",
        "currency",
        "placed_at",
        "delivered_at",
        "store",
    )
    list_filter = ("store", "currency", "country")
    search_fields = ("number", "external_id", "customer__email")
    date_hierarchy = "placed_at"
    list_select_related = ("customer", "store")
    raw_id_fields = ("customer",)
    # The order's discount is spread over its lines at intake; changing it here would leave
    # the lines' shares behind.
    readonly_fields = ("discount_amount",)
    exclude = ("intake_digest",)
    inlines = [OrderLineInline]

    def save_model(self, request: Any, obj: Order, form: Any, change: bool) -> None:
        # Changed by hand: the next intake of this order writes it again, not skips it.
        obj.intake_digest = ""
        super().save_model(request, obj, form, change)


@admin.register(CsvImport)
class CsvImportAdmin(admin.ModelAdmin):
    list_display = ("id", "store", "kind", "filename", "state", "rows", "records", "written")
    list_filter = ("store", "kind", "state")
    search_fields = ("filename", "sha256")
    exclude = ("content",)
    readonly_fields = ("problems", "mapping")
