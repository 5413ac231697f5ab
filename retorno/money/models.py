"""Money: the refund and charge ledgers, store-credit wallets, exchange orders and
claims.

Returns sit above this app, so rows here name a return by plain ids (`return_id`, `rma`), never
by a foreign key. The rules live in `retorno.domain.money`; see docs/money.md.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from retorno.core.models import StoreScopedQuerySet
from retorno.domain.money.charges import ChargePurpose
from retorno.domain.money.ledger import RefundState
from retorno.orders.models import Customer, Order, OrderLine, Variant, money_field
from retorno.stores.models import Store

ZERO = Decimal("0")


class MoneySettings(models.Model):
    """How a store pays money back: plumbing, not policy. The money rules that shape a decision
    (instant exchange, keep-the-item, deduction rates) are in the versioned policy document."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="+")
    payment_adapter = models.CharField(
        max_length=40, default="", blank=True, help_text="manual, console, ...; blank: default."
    )

    def __str__(self) -> str:
        return f"money settings of store {self.store_id}"


class Destination(models.TextChoices):
    ORIGINAL_PAYMENT = "original_payment", "Original payment"
    STORE_CREDIT = "store_credit", "Store credit"


class RefundKind(models.TextChoices):
    RETURN = "return", "Return"
    KEEP_ITEM = "keep_item", "Keep the item"
    EXCHANGE_DIFFERENCE = "exchange_difference", "Exchange price difference"
    CLAIM = "claim", "Claim"
    CHARGE_REFUND = "charge_refund", "Charge refunded (the item came back)"


class PaymentAttempt(models.Model):
    """Money moved through a payment adapter, either way: a refund pays the shopper back, a
    charge takes from them. One lifecycle for both (`retorno.money.services.attempts`, ADR 5):
    committed PENDING with its idempotency key before any payment call, then SUCCEEDED or
    FAILED only from what the adapter answered (or finance); a retry after a failure is the next
    attempt with a new key."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    return_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    rma = models.CharField(max_length=24, blank=True)
    attempt = models.PositiveIntegerField(default=1)
    idempotency_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(
        max_length=12, choices=[(s.value, s.value) for s in RefundState], default="pending"
    )
    currency = models.CharField(max_length=3)
    provider = models.CharField(max_length=40, blank=True)
    provider_reference = models.CharField(max_length=200, blank=True)
    calls = models.PositiveIntegerField(default=0, help_text="Payment calls made so far.")
    in_flight_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    awaiting_manual = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    settled_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    succeeded_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    # Which way the money goes: "refund" (to the shopper) or "charge" (from the shopper).
    direction = ""

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.idempotency_key


class Refund(PaymentAttempt):
    """One refund in the ledger (see PaymentAttempt), with what it pays item by item."""

    claim = models.ForeignKey(
        "Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    charge = models.ForeignKey(
        "Charge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds",
        help_text="The charge this refund gives back (kind charge_refund).",
    )
    kind = models.CharField(max_length=24, choices=RefundKind.choices)
    destination = models.CharField(max_length=20, choices=Destination.choices)
    sequence = models.PositiveIntegerField()
    amount = money_field(help_text="What is paid back (to the payment or as credit).")
    items_amount = money_field(default=ZERO)
    deduction_amount = money_field(default=ZERO)
    restocking_fee_amount = money_field(default=ZERO)
    shipping_amount = money_field(default=ZERO)
    return_shipping_fee_amount = money_field(default=ZERO)
    tax_amount = money_field(default=ZERO)
    bonus_amount = money_field(default=ZERO, help_text="Store-credit bonus on top of `amount`.")
    preview = models.JSONField(default=dict, blank=True)

    direction = "refund"

    class Meta(PaymentAttempt.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="refund_amount_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["store", "state", "-created_at"]),
            models.Index(fields=["order", "state"]),
            # The ledger's pages and the API's list, newest first: a keyset cursor
            # (created_at, id) starts its scan here however deep it is.
            models.Index(fields=["store", "created_at", "id"], name="refund_newest_first"),
        ]


class ChargeKind(models.TextChoices):
    EXCHANGE_DIFFERENCE = ChargePurpose.EXCHANGE_DIFFERENCE.value, "Exchange price difference"
    UNRETURNED_ITEM = ChargePurpose.UNRETURNED_ITEM.value, "Instant exchange, item not returned"


class Charge(PaymentAttempt):
    """One charge of the shopper (see PaymentAttempt), the refund ledger's mirror. At most one
    charge of each kind per exchange order."""

    exchange = models.ForeignKey("ExchangeOrder", on_delete=models.PROTECT, related_name="charges")
    kind = models.CharField(max_length=24, choices=ChargeKind.choices)
    amount = money_field(help_text="What is taken from the shopper.")
    detail = models.JSONField(
        default=dict, blank=True, help_text="How the amount was reached (units, prices)."
    )

    direction = "charge"

    class Meta(PaymentAttempt.Meta):
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="charge_amount_positive"),
            models.UniqueConstraint(
                fields=["exchange", "kind"], name="one_charge_per_exchange_kind"
            ),
        ]
        indexes = [
            models.Index(fields=["store", "state", "-created_at"]),
            # The ledger's pages, newest first, by keyset cursor (created_at, id).
            models.Index(fields=["store", "created_at", "id"], name="charge_newest_first"),
        ]


class RefundLine(models.Model):
    """What one order line contributes to a refund (the preview's item, frozen)."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    return_item_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    units = models.PositiveIntegerField()
    gross_amount = money_field()
    discount_amount = money_field(default=ZERO)
    tax_amount = money_field(default=ZERO)
    deduction_amount = money_field(default=ZERO)
    deduction_reason_code = models.CharField(max_length=40, blank=True)
    deduction_message = models.CharField(max_length=300, blank=True)
    restocking_fee_amount = money_field(default=ZERO)
    net_amount = money_field()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order_line_id} × {self.units}"


class StoreCreditWallet(models.Model):
    """A shopper's store credit. The ledger (CreditEntry) is the truth; `balance_amount` is kept
    in the same transaction as each entry, for lists."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    balance_amount = money_field(default=ZERO)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "customer"], name="uniq_wallet_per_customer"),
            models.CheckConstraint(
                condition=models.Q(balance_amount__gte=0), name="wallet_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"wallet {self.customer_id} {self.balance_amount} {self.currency}"


class CreditEntry(models.Model):
    """One append-only wallet entry (credit, bonus, spend, expiry, reversal); see
    retorno.domain.money.store_credit. `amount` is positive; the kind gives the sign."""

    wallet = models.ForeignKey(StoreCreditWallet, on_delete=models.CASCADE, related_name="entries")
    entry_id = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=12)
    amount = money_field()
    currency = models.CharField(max_length=3)
    expires_at = models.DateTimeField(null=True, blank=True)
    target_entry_id = models.CharField(max_length=120, blank=True)
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_entries"
    )
    note = models.CharField(max_length=300, blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="credit_entry_positive")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind} {self.amount}"


class ExchangeState(models.TextChoices):
    RESERVED = "reserved", "Stock reserved"
    AWAITING_PAYMENT = "awaiting_payment", "Waiting for the price difference"
    RELEASED = "released", "Sent for fulfilment"
    FULFILLED = "fulfilled", "Fulfilled"
    CANCELLED = "cancelled", "Cancelled"


class ExchangeOrder(models.Model):
    """The new items a shopper gets for returned ones (or a claim's replacement), with their
    stock reserved and the price difference settled."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    return_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    rma = models.CharField(max_length=24, blank=True)
    claim = models.ForeignKey(
        "Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="exchanges"
    )
    number = models.CharField(max_length=40)
    state = models.CharField(
        max_length=20, choices=ExchangeState.choices, default=ExchangeState.RESERVED
    )
    instant = models.BooleanField(default=False, help_text="Sent before the old item arrives.")
    shop_now = models.BooleanField(
        default=False,
        help_text="Catalogue items bought with the return's store credit: they replace no "
        "returned unit, so the return's units are refunded as credit all the same.",
    )
    return_due_by = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Instant exchanges: the original must be on its way by then, or it is charged.",
    )
    currency = models.CharField(max_length=3)
    difference_amount = money_field(default=ZERO)
    difference_direction = models.CharField(max_length=20, default="even")
    release_note = models.TextField(
        blank=True, help_text="Why staff released it without the difference being paid."
    )
    released_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "number"], name="uniq_exchange_number"),
            models.UniqueConstraint(
                fields=["return_id"],
                condition=models.Q(return_id__isnull=False),
                name="one_exchange_per_return",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ExchangeLine(models.Model):
    exchange = models.ForeignKey(ExchangeOrder, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    return_item_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    units = models.PositiveIntegerField()
    new_unit_price = money_field()
    returned_unit_paid = money_field(default=ZERO)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.variant_id} × {self.units}"


class ClaimReason(models.TextChoices):
    """Claims have their own reasons, apart from return reasons: nothing is sent back."""

    DAMAGED_IN_TRANSIT = "damaged_in_transit", "Arrived damaged"
    MISSING_ITEM = "missing_item", "Item missing from the parcel"
    WRONG_ITEM = "wrong_item", "Wrong item received"
    DEFECTIVE_ON_ARRIVAL = "defective_on_arrival", "Does not work out of the box"
    NEVER_ARRIVED = "never_arrived", "Parcel never arrived"


class ClaimState(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    REJECTED = "rejected", "Rejected"


class ClaimResolution(models.TextChoices):
    REFUND = "refund", "Refund"
    REPLACEMENT = "replacement", "Replacement"
    BOTH = "both", "Refund and replacement"


class Claim(models.Model):
    """A damaged, missing or wrong item reported without sending anything back."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=40)
    reason = models.CharField(max_length=40, choices=ClaimReason.choices)
    description = models.TextField(blank=True, max_length=4000)
    state = models.CharField(max_length=12, choices=ClaimState.choices, default=ClaimState.OPEN)
    resolution = models.CharField(max_length=12, choices=ClaimResolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    resolved_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "number"], name="uniq_claim_number")
        ]
        indexes = [
            # The claims page and the API's list, newest first, all or in one state: a keyset
            # cursor (created_at, id) starts its scan here however deep it is.
            models.Index(fields=["store", "created_at", "id"], name="claim_newest_first"),
            models.Index(
                fields=["store", "state", "created_at", "id"], name="claim_state_newest_first"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    units = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "order_line"], name="uniq_claim_line")
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id} × {self.units}"


class ClaimPhoto(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="photos")
    path = models.CharField(max_length=500, help_text="Stored photo path or URL, as evidence.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.path
