"""Customers, catalog and orders, as received from the store's platform."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models

from retorno.core.models import StoreScopedQuerySet, TimeStampedModel
from retorno.stores.models import Store


def money_field(**kwargs: Any) -> models.DecimalField:
    """An amount in the record's currency; 4 decimals store any currency's minor unit exactly."""
    return models.DecimalField(max_digits=14, decimal_places=4, **kwargs)


class Customer(TimeStampedModel):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="customers")
    external_id = models.CharField(max_length=120, blank=True)
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    tier = models.CharField(
        max_length=40, blank=True, help_text="Loyalty tier, e.g. silver or gold."
    )
    tags = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=8, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "external_id"],
                condition=~models.Q(external_id=""),
                name="uniq_customer_external_id",
            )
        ]
        indexes = [
            models.Index(fields=["store", "email"]),
            # The queue's tier filter lists the tiers in use by skipping through this index.
            models.Index(fields=["store", "tier"], name="customer_tier"),
            # The customer list, newest first, by keyset cursor (created_at, id).
            models.Index(fields=["store", "created_at", "id"], name="customer_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Product(TimeStampedModel):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="products")
    external_id = models.CharField(max_length=120)
    title = models.CharField(max_length=255)
    category = models.CharField(max_length=80, blank=True)
    vendor = models.CharField(max_length=120, blank=True)
    image_url = models.CharField(max_length=500, blank=True)
    url = models.CharField(
        max_length=500, blank=True, help_text="The product's page in the store's shop."
    )
    tags = models.JSONField(default=list, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], name="uniq_product")
        ]
        indexes = [models.Index(fields=["store", "category"])]

    def __str__(self) -> str:
        return self.title


class Variant(TimeStampedModel):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="variants")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=120)
    options = models.JSONField(
        default=dict, blank=True, help_text='e.g. {"size": "M", "colour": "blue"}'
    )
    price = money_field()
    stock = models.IntegerField(default=0)
    image_url = models.CharField(max_length=500, blank=True)
    weight_grams = models.PositiveIntegerField(default=0)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "sku"], name="uniq_variant_sku")]

    def __str__(self) -> str:
        return self.sku


class Channel(models.TextChoices):
    """Where the order was placed (analytics compare return rates by it)."""

    WEB = "web", "Online store"
    STORE = "store", "Physical store"
    MARKETPLACE = "marketplace", "Marketplace"


class Order(TimeStampedModel):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="orders")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    external_id = models.CharField(max_length=120)
    number = models.CharField(max_length=64)
    currency = models.CharField(max_length=3)
    placed_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    country = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    channel = models.CharField(
        max_length=16,
        choices=Channel.choices,
        default=Channel.WEB,
        help_text="Where the order was placed: the online store, a physical store or a "
        "marketplace.",
    )
    shipping_amount = money_field(default=Decimal("0"))
    shipping_tax_amount = money_field(default=Decimal("0"))
    discount_amount = money_field(
        default=Decimal("0"),
        db_default=Decimal("0"),
        help_text="Discount on the whole order (a coupon, a promotion), spread over its lines "
        "in `OrderLine.order_discount_amount`.",
    )
    tags = models.JSONField(default=list, blank=True)
    payment_reference = models.CharField(
        max_length=255,
        blank=True,
        default="",
        db_default="",
        help_text="The payment provider's id of what the shopper paid (a Stripe PaymentIntent, "
        "pi_…): refunds to the original payment go back to it.",
    )
    # What the intake last wrote for this order (its customer and lines included), hashed: the
    # same order sent again is skipped whole (a CSV file imported twice, a webhook repeated).
    # Any other writer of the order clears it, so the next intake writes again.
    intake_digest = models.CharField(max_length=64, blank=True, default="", db_default="")

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "external_id"], name="uniq_order")]
        indexes = [
            models.Index(fields=["store", "number"]),
            models.Index(fields=["store", "placed_at"]),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    external_id = models.CharField(max_length=120)
    variant = models.ForeignKey(
        Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sku = models.CharField(max_length=120)
    product_id = models.CharField(
        max_length=120,
        blank=True,
        help_text="The store's id of the line's product, when it sends one (analytics group "
        "variants by it; without it, by title).",
    )
    title = models.CharField(max_length=255)
    category = models.CharField(max_length=80, blank=True)
    vendor = models.CharField(max_length=120, blank=True)
    tags = models.JSONField(default=list, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = money_field()
    discount_amount = money_field(default=Decimal("0"), help_text="Total discount on the line.")
    order_discount_amount = money_field(
        default=Decimal("0"),
        db_default=Decimal("0"),
        help_text="The line's share of the order's discount (largest remainder by line value).",
    )
    tax_amount = money_field(default=Decimal("0"), help_text="Total tax on the line.")
    final_sale = models.BooleanField(default=False)
    options = models.JSONField(default=dict, blank=True)
    image_url = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "external_id"], name="uniq_order_line")
        ]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"

    @property
    def discount_total(self) -> Decimal:
        """The line's own discount and its share of the order's."""
        return self.discount_amount + self.order_discount_amount

    @property
    def paid_amount(self) -> Decimal:
        return self.unit_price * self.quantity - self.discount_total + self.tax_amount


class ImportKind(models.TextChoices):
    ORDERS = "orders", "Orders"
    CATALOG = "catalog", "Catalogue"


class ImportState(models.TextChoices):
    CHECKED = "checked", "Checked (dry run)"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class CsvImport(TimeStampedModel):
    """A CSV file of orders or of the catalogue: checked first (a dry run lists every bad row),
    then written by a job that records its progress, so a page can show it and a job that
    stopped goes on from the last chunk it wrote."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="csv_imports")
    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    filename = models.CharField(max_length=200, blank=True)
    content = models.TextField(help_text="The file's text, kept until the import is done.")
    sha256 = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict, help_text="Retorno's column -> the file's header.")
    state = models.CharField(
        max_length=10, choices=ImportState.choices, default=ImportState.CHECKED
    )
    rows = models.PositiveIntegerField(default=0, help_text="Data rows in the file.")
    records = models.PositiveIntegerField(default=0, help_text="Orders or products to write.")
    written = models.PositiveIntegerField(default=0, help_text="Orders or products written.")
    created = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0, help_text="Rows with a problem.")
    problems = models.JSONField(default=list, blank=True, help_text="The first 1,000 problems.")
    created_by = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["store", "-created_at"], name="csv_import_recent")]

    def __str__(self) -> str:
        return f"{self.kind} import {self.id}"

    @property
    def percent(self) -> int:
        return 100 if not self.records else min(100, self.written * 100 // self.records)
