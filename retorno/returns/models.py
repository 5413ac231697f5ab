"""Returns (RMAs), their items and their append-only event trail."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from retorno.core.models import StoreScopedQuerySet
from retorno.domain.returns.ledger import ItemDecision, QuantityLedger, item_status
from retorno.domain.returns.states import ReturnStatus
from retorno.orders.models import Customer, Order, OrderLine, Variant, money_field
from retorno.policies.models import PolicyVersion
from retorno.stores.models import Store


class Resolution(models.TextChoices):
    REFUND = "refund", "Refund to original payment"
    STORE_CREDIT = "store_credit", "Store credit"
    EXCHANGE = "exchange", "Exchange"


class Method(models.TextChoices):
    PICKUP = "pickup", "Carrier pickup"
    DROP_OFF = "drop_off", "Drop-off"
    SELF_SHIP = "self_ship", "Self-ship with a label"
    KEEP = "keep", "Keep the item"


class Return(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="returns")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="returns")
    rma = models.CharField(max_length=24)
    status = models.CharField(max_length=20, choices=[(s.value, s.value) for s in ReturnStatus])
    resolution = models.CharField(max_length=16, choices=Resolution.choices)
    method = models.CharField(max_length=16, choices=Method.choices)
    currency = models.CharField(max_length=3)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    decision = models.JSONField(default=dict, help_text="The policy decision with its trace.")
    requires_review = models.BooleanField(default=False)
    items_amount = money_field(default=Decimal("0"), help_text="Paid value of the returned units.")
    return_shipping_fee_amount = money_field(default=Decimal("0"))
    restocking_fee_amount = money_field(default=Decimal("0"))
    store_credit_bonus_amount = money_field(default=Decimal("0"))
    refund_estimate_amount = money_field(default=Decimal("0"))
    shipping_refund_amount = money_field(
        null=True,
        blank=True,
        help_text="Outbound shipping this return gives back (its policy refunds it and no other "
        "return of the order holds it); empty on returns made before it was recorded.",
    )
    tracking_token = models.CharField(max_length=64, unique=True)
    pickup_address = models.JSONField(default=dict, blank=True)
    pickup_date = models.DateField(
        null=True, blank=True, help_text="The pickup day the shopper chose."
    )
    language = models.CharField(
        max_length=8, blank=True, help_text="The shopper's language for messages."
    )
    source = models.CharField(max_length=16, default="api", help_text="api, portal, staff or demo")
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["store", "rma"], name="uniq_rma_per_store")]
        indexes = [
            models.Index(fields=["store", "status", "-updated_at"]),
            models.Index(fields=["store", "updated_at", "id"]),
        ]

    def __str__(self) -> str:
        return self.rma


class ReturnItem(models.Model):
    return_request = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="items")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_items")
    reason = models.CharField(max_length=40)
    comment = models.TextField(blank=True, max_length=2000)
    decision = models.CharField(max_length=16, choices=[(d.value, d.value) for d in ItemDecision])
    decision_reasons = models.JSONField(default=list, blank=True)
    quantity_requested = models.PositiveIntegerField()
    quantity_approved = models.PositiveIntegerField(default=0)
    quantity_received = models.PositiveIntegerField(default=0)
    quantity_missing = models.PositiveIntegerField(default=0)
    quantity_refunded = models.PositiveIntegerField(default=0)
    quantity_exchanged = models.PositiveIntegerField(default=0)
    amount = money_field(default=Decimal("0"), help_text="Paid value of the requested units.")
    first_unit = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Which of the line's per-unit paid shares the item's units take (the units "
        "other returns held when it was requested): its refunds pay exactly `amount`.",
    )
    restocking_fee_amount = money_field(default=Decimal("0"))
    exchange_variant = models.ForeignKey(
        Variant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The variant the shopper wants instead, for an exchange.",
    )
    photos = models.JSONField(
        default=list, blank=True, help_text="Stored photo paths, as evidence."
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order_line.sku} × {self.quantity_requested}"

    @property
    def ledger(self) -> QuantityLedger:
        return QuantityLedger(
            requested=self.quantity_requested,
            approved=self.quantity_approved,
            received=self.quantity_received,
            missing=self.quantity_missing,
            refunded=self.quantity_refunded,
            exchanged=self.quantity_exchanged,
        )

    @property
    def status(self) -> str:
        return item_status(self.ledger, self.decision).value


class ActorKind(models.TextChoices):
    SYSTEM = "system", "System"
    API_KEY = "api_key", "API key"
    STAFF = "staff", "Staff"
    SHOPPER = "shopper", "Shopper"
    CARRIER = "carrier", "Carrier"


class ReturnEvent(models.Model):
    """One step of a return's audit trail: who, when, why, from which state to which.

    Append-only: services create events and nothing updates or deletes them.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    return_request = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["return_request", "created_at"])]

    def __str__(self) -> str:
        return f"{self.return_request_id} {self.kind}"
