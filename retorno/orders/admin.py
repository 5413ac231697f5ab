from django.contrib import admin

from retorno.orders.models import Customer, Order, OrderLine, Product, Variant


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "tier", "store", "created_at")
    list_filter = ("store", "tier")
    search_fields = ("email", "name", "external_id", "phone")


class VariantInline(admin.TabularInline):
    model = Variant
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
        "tax_amount",
        "final_sale",
    )
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
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
    inlines = [OrderLineInline]
