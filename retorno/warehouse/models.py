"""Warehouse records: configuration documents, suppliers, inspections with their disposition,
unexpected items, return-to-vendor batches and inventory events.

The warehouse sits below `returns` (see docs/adr/0004-warehouse-records-use-plain-return-ids.md):
it refers to returns and return items by plain ids (`return_id`, `return_item_id`, `rma`), never
by foreign key, and the returns layer passes it the facts it needs.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from retorno.core.models import StoreScopedQuerySet
from retorno.domain.warehouse import Disposition, Grade
from retorno.orders.models import Variant, money_field
from retorno.stores.models import Store


class DocumentKind(models.TextChoices):
    CHECKLISTS = "checklists", "Inspection checklists"
    DISPOSITION_RULES = "disposition_rules", "Disposition rules"


class WarehouseDocument(models.Model):
    """One version of a store's checklists or disposition rules. A change is a new version; the
    highest version is current, and every inspection records the rules version it was judged by."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="warehouse_documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    version = models.PositiveIntegerField()
    document = models.JSONField()
    note = models.CharField(max_length=500, blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["store", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "kind", "version"], name="uniq_warehouse_document_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.store} {self.kind} v{self.version}"


class Supplier(models.Model):
    """A supplier (the product's `vendor`) and how long it accepts goods back."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="suppliers")
    code = models.CharField(max_length=120, help_text="As written in the catalog's vendor field.")
    name = models.CharField(max_length=200, blank=True)
    terms_days = models.PositiveIntegerField(
        default=30, help_text="Days from receipt within which the supplier takes goods back."
    )
    contact_email = models.EmailField(blank=True)
    # The store's thresholds for this supplier, as fractions of units sold (0.05 is 5 %): an
    # alert is sent once when a rate crosses one (retorno.domain.analytics.quality).
    return_rate_threshold = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True
    )
    defect_rate_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Blank: the default threshold of the analytics.",
    )

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["store", "code"], name="uniq_supplier_code")]

    def __str__(self) -> str:
        return self.name or self.code


class UnexpectedItem(models.Model):
    """Something in a parcel that the return did not announce (a SKU not on the return)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    return_id = models.BigIntegerField(db_index=True)
    rma = models.CharField(max_length=24)
    sku = models.CharField(max_length=120)
    variant = models.ForeignKey(
        Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    quantity = models.PositiveIntegerField()
    note = models.CharField(max_length=2000, blank=True)
    received_at = models.DateTimeField()
    received_by = models.CharField(max_length=200, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.rma} unexpected {self.sku} × {self.quantity}"


class RtvStatus(models.TextChoices):
    OPEN = "open", "Open"
    SHIPPED = "shipped", "Shipped"


class RtvBatch(models.Model):
    """Units going back to one supplier from one warehouse; it must leave by `deadline_at`, the
    earliest deadline of its units. A shipped batch takes no more units."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="rtv_batches")
    supplier_code = models.CharField(max_length=120, help_text="Normalised (trimmed, casefolded).")
    supplier_name = models.CharField(max_length=200, blank=True)
    warehouse = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=RtvStatus.choices, default=RtvStatus.OPEN)
    deadline_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    shipped_at = models.DateTimeField(null=True, blank=True)
    shipped_by = models.CharField(max_length=200, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["deadline_at", "id"]
        constraints = [
            # At most one open batch per supplier and warehouse: units always join the same one.
            models.UniqueConstraint(
                fields=["store", "supplier_code", "warehouse"],
                condition=models.Q(status="open"),
                name="uniq_open_rtv_batch",
            )
        ]

    def __str__(self) -> str:
        return f"RTV {self.supplier_code} #{self.pk}"


class Inspection(models.Model):
    """Units of one return item inspected together and found in one grade, with the checklist
    answers, photos and notes, and what happens to them next (the disposition).

    An item of 3 units may have several rows (2 like new, 1 damaged); their quantities never
    add up to more than the units received (the returns layer checks this under a row lock).
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    return_id = models.BigIntegerField()
    rma = models.CharField(max_length=24)
    return_item_id = models.BigIntegerField()
    line = models.CharField(max_length=120, help_text="The order line's external id.")
    sku = models.CharField(max_length=120)
    variant = models.ForeignKey(
        Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.CharField(max_length=80, blank=True)
    vendor = models.CharField(max_length=120, blank=True)
    reason = models.CharField(max_length=40, blank=True)
    quantity = models.PositiveIntegerField()
    grade = models.CharField(max_length=16, choices=[(g.value, g.value) for g in Grade])
    qc_level = models.CharField(max_length=16, default="standard")
    auto_passed = models.BooleanField(
        default=False, help_text="Not inspected: the tier's QC is lenient, so it passed on receipt."
    )
    checklist_category = models.CharField(max_length=200, blank=True)
    checklist_answers = models.JSONField(default=dict, blank=True)
    checklist_passed = models.BooleanField(default=True)
    failed_checks = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True, max_length=4000)
    reason_confirmed = models.BooleanField(
        default=False,
        help_text="The inspector found what the shopper said (a defect counts even if the grade "
        "is not damaged).",
    )
    photos = models.JSONField(default=list, blank=True, help_text="Stored photo paths.")
    unit_value_amount = money_field(default=Decimal("0"))
    currency = models.CharField(max_length=3)
    received_at = models.DateTimeField()
    inspected_at = models.DateTimeField()
    inspected_by = models.CharField(max_length=200, blank=True)
    inspected_by_id = models.CharField(max_length=64, blank=True)
    # What the rules propose (None for a unit that is not there to dispose of).
    rules_version = models.PositiveIntegerField(null=True, blank=True)
    proposed_disposition = models.CharField(
        max_length=20, blank=True, choices=[(d.value, d.value) for d in Disposition]
    )
    proposed_recovery_percent = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True
    )
    proposed_recovery_amount = money_field(null=True, blank=True)
    proposal_rule_id = models.CharField(max_length=64, blank=True)
    proposal_explanation = models.CharField(max_length=1000, blank=True)
    # What staff decided; blank until set.
    disposition = models.CharField(
        max_length=20, blank=True, choices=[(d.value, d.value) for d in Disposition]
    )
    disposition_note = models.TextField(blank=True, max_length=2000)
    disposition_overridden = models.BooleanField(default=False)
    disposition_set_at = models.DateTimeField(null=True, blank=True)
    disposition_set_by = models.CharField(max_length=200, blank=True)
    recovery_amount = money_field(null=True, blank=True)
    restocked_quantity = models.PositiveIntegerField(default=0)
    rtv_batch = models.ForeignKey(
        RtvBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="inspections"
    )
    rtv_deadline_at = models.DateTimeField(null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["inspected_at", "id"]
        indexes = [
            models.Index(fields=["store", "return_id"]),
            models.Index(fields=["return_item_id"]),
            models.Index(fields=["store", "disposition"]),
        ]

    def __str__(self) -> str:
        return f"{self.rma} {self.sku} × {self.quantity} {self.grade}"

    @property
    def accepted(self) -> bool:
        """Whether these units count as returned in good order for the money side: present, the
        right item, and not damaged (an auto-passed unit always is)."""
        return self.auto_passed or self.grade in (Grade.NEW, Grade.LIKE_NEW, Grade.USED)


class InventoryEvent(models.Model):
    """A change of a variant's stock caused by the warehouse; the contract towards the store's
    systems (each row is also an `inventory.adjusted` outbox message)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=120)
    quantity_delta = models.IntegerField()
    stock_after = models.IntegerField()
    reason = models.CharField(max_length=40, default="return_restock")
    rma = models.CharField(max_length=24, blank=True)
    return_item_id = models.BigIntegerField(null=True, blank=True)
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["store", "created_at"])]

    def __str__(self) -> str:
        return f"{self.sku} {self.quantity_delta:+d}"
