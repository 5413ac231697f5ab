"""Returns (RMAs), their items and their append-only event trail."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from retorno.core.models import StoreScopedQuerySet
from retorno.domain.returns.ledger import ItemDecision, QuantityLedger, item_status
from retorno.domain.returns.states import ReturnStatus
from retorno.money.models import ExchangeLine, ExchangeState, RefundLine
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
    IN_STORE = "in_store", "Returned in store"
    KEEP = "keep", "Keep the item"


# Statuses the queue shows last (finished, or only waiting to be closed).
QUEUE_FINISHED = (
    ReturnStatus.RESOLVED,
    ReturnStatus.REJECTED,
    ReturnStatus.CANCELLED,
    ReturnStatus.CLOSED,
)


class Return(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="returns")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="returns")
    customer_tier = models.CharField(
        max_length=40,
        blank=True,
        help_text="The customer's loyalty tier when the return was requested (analytics count "
        "it there, whatever the tier is now).",
    )
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
    shop_now = models.JSONField(
        default=list,
        blank=True,
        help_text="Catalogue items the shopper bought with this return's store credit: "
        '[{"variant": id, "units": n}]; reserved at approval, paid when the credit is issued.',
    )
    pickup_date = models.DateField(
        null=True, blank=True, help_text="The pickup day the shopper chose."
    )
    language = models.CharField(
        max_length=8, blank=True, help_text="The shopper's language for messages."
    )
    source = models.CharField(max_length=16, default="api", help_text="api, portal, staff or demo")
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    status_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the return reached its status (the queue's timers); empty on rows "
        "written in bulk, which then read their last change.",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member working on the return.",
    )
    queue_rank = models.GeneratedField(
        expression=Case(
            When(status=ReturnStatus.PENDING_REVIEW.value, then=Value(0)),
            When(status__in=[s.value for s in QUEUE_FINISHED], then=Value(2)),
            default=Value(1),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        help_text="The staff queue's order: 0 waiting for review, 1 other open returns, 2 "
        "finished. Computed by the database from the status, so an index serves the queue.",
    )

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["store", "rma"], name="uniq_rma_per_store")]
        indexes = [
            models.Index(fields=["store", "status", "-updated_at"]),
            models.Index(fields=["store", "updated_at", "id"]),
            # The staff queue, unfiltered or open returns only: its page is the first rows of
            # this index (no sort of the store's history for 25 rows).
            models.Index(fields=["store", "queue_rank", "created_at", "id"], name="return_queue"),
            # The queue filtered by one status, and the dashboard's oldest open returns.
            models.Index(fields=["store", "status", "created_at", "id"], name="return_status_age"),
            # The queue of one agent ("assigned to me"), in the queue's order.
            models.Index(
                fields=["store", "assignee", "queue_rank", "created_at", "id"],
                name="return_assignee_queue",
            ),
        ]

    def __str__(self) -> str:
        return self.rma

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whoever moves a return saves its status: the time it reached it goes with it.
        fields = kwargs.get("update_fields")
        if fields is not None and "status" in fields and "status_since" not in fields:
            kwargs["update_fields"] = [*fields, "status_since"]
        super().save(*args, **kwargs)

    @property
    def in_status_since(self) -> datetime:
        """When the return reached its status (its last change for rows without the time)."""
        return self.status_since or self.updated_at


# What with_settled_units() annotates on each item.
SETTLED = ("settled_refund_units", "settled_exchange_units")


class ReturnItemQuerySet(models.QuerySet["ReturnItem"]):
    def with_settled_units(self) -> ReturnItemQuerySet:
        """Each item with what the money ledger settled for it, read in the same query: units
        refunded (refund lines in any state) and units in exchange orders not cancelled."""
        refunded = (
            RefundLine.objects.filter(return_item_id=OuterRef("pk"))
            .values("return_item_id")
            .annotate(units=Sum("units"))
            .values("units")
        )
        exchanged = (
            ExchangeLine.objects.filter(return_item_id=OuterRef("pk"))
            .exclude(exchange__state=ExchangeState.CANCELLED)
            .values("return_item_id")
            .annotate(units=Sum("units"))
            .values("units")
        )
        return self.annotate(
            settled_refund_units=Coalesce(Subquery(refunded), 0),
            settled_exchange_units=Coalesce(Subquery(exchanged), 0),
        )


class ReturnItem(models.Model):
    """One returned line. Units refunded and exchanged are not stored here: the money ledger
    holds them, and `quantity_refunded` / `quantity_exchanged` read them from it (annotated by
    `ReturnItem.objects.with_settled_units()`, or asked for when not)."""

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

    objects = ReturnItemQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order_line.sku} × {self.quantity_requested}"

    def _settled(self) -> tuple[int, int]:
        """(units refunded, units exchanged), each bounded as the ledger bounds them."""
        if not hasattr(self, SETTLED[0]):  # not annotated: ask the ledger once
            found = ReturnItem.objects.with_settled_units().filter(pk=self.pk).first()
            for name in SETTLED:
                setattr(self, name, getattr(found, name, 0))
        refund_units, exchange_units = (int(getattr(self, name)) for name in SETTLED)
        refunded = min(refund_units, self.quantity_approved)
        exchanged = min(exchange_units, self.quantity_approved - refunded)
        return refunded, exchanged

    @property
    def quantity_refunded(self) -> int:
        return self._settled()[0]

    @property
    def quantity_exchanged(self) -> int:
        return self._settled()[1]

    @property
    def outstanding(self) -> int:
        """Approved units neither received nor written off as missing."""
        return QuantityLedger(
            requested=self.quantity_requested,
            approved=self.quantity_approved,
            received=self.quantity_received,
            missing=self.quantity_missing,
        ).outstanding

    @property
    def ledger(self) -> QuantityLedger:
        refunded, exchanged = self._settled()
        return QuantityLedger(
            requested=self.quantity_requested,
            approved=self.quantity_approved,
            received=self.quantity_received,
            missing=self.quantity_missing,
            refunded=refunded,
            exchanged=exchanged,
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


class ReturnStatusTally(models.Model):
    """How many of a store's returns entered (+1) or left (-1) a status: the dashboard's counts
    are the sums per status, read from this small table instead of counting the history.

    Written by the database itself (triggers on the returns table, migration 0010): every
    insert, status change and delete of a return appends its rows, whatever code path or bulk
    load wrote it, and appending never waits on another writer's lock (a counter row per status
    would serialise every command of a store). `status_tally_compact` folds a store's rows into
    one per status now and then; `status_tally_rebuild` writes them from the returns (after a
    load that ran with triggers off)."""

    # No database constraint: the returns' delete trigger appends rows while a store is deleted.
    store = models.ForeignKey(
        Store, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    status = models.CharField(max_length=20)
    delta = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["store", "status"], name="return_status_tally")]

    def __str__(self) -> str:
        return f"{self.status} {self.delta:+d}"
