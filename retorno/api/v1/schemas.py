"""Request and response bodies of API v1. Input limits live here, in the fields."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from retorno.domain.money import MoneyError, minor_units
from retorno.domain.times import TimeOutOfRange, check_fact_time
from retorno.orders.services.intake import (
    FieldProblem,
    order_amount_problems,
    order_discount_problems,
)

Id = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[^\s/?#]([^/?#]*[^\s/?#])?$")]
ShortText = Annotated[str, Field(max_length=200)]
Amount = Annotated[
    Decimal,
    Field(
        ge=0,
        max_digits=14,
        decimal_places=4,
        allow_inf_nan=False,
        description="With no more decimals than the currency has (EUR 2, JPY 0, KWD 3).",
    ),
]
Tag = Annotated[str, Field(min_length=1, max_length=60)]


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset: no such time in UTC
        raise PydanticCustomError("time_out_of_range", "This time has no UTC equivalent.") from None


def _fact_time(value: datetime) -> datetime:
    try:
        return check_fact_time(value, now=timezone.now())
    except TimeOutOfRange as exc:
        raise PydanticCustomError(exc.code, str(exc)) from None


# A time with its offset, kept in UTC: Python takes offsets up to ±23:59, PostgreSQL up to ±15:59.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
# The time of something that happened (an order placed, a parcel delivered): any other is a 422.
FactTime = Annotated[
    AwareDatetime,
    AfterValidator(_fact_time),
    Field(description="With its offset; from 2000-01-01 to one day from now."),
]


def refuse(title: str, problems: list[FieldProblem], data: Any) -> None:
    """Raise the pydantic error of `problems`, each at its own path, so the 422 names the field."""
    if problems:
        raise ValidationError.from_exception_data(
            title,
            [
                InitErrorDetails(
                    type=PydanticCustomError(problem.code, problem.message),
                    loc=problem.field,
                    input=data,
                )
                for problem in problems
            ],
        )


class Problem(Schema):
    """RFC 9457 problem details, served as application/problem+json."""

    type: str = "about:blank"
    title: str
    status: int
    code: str = Field(description="Stable, machine-readable error code.")
    detail: str
    errors: list[dict[str, Any]] | None = None
    items: list[dict[str, Any]] | None = None


class Body(BaseModel):
    """An input body checked by pydantic alone. ninja's Schema wraps every object's validation to
    read Django models too, which a body of JSON never needs: for the order intake (seven objects
    an order, a thousand orders a call) that wrapper took a fifth of the call."""


class AddressIn(Body):
    name: ShortText = ""
    line1: ShortText = ""
    line2: ShortText = ""
    city: ShortText = ""
    region: ShortText = ""
    postal_code: Annotated[str, Field(max_length=20)] = ""
    country: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")] | Literal[""] = ""
    phone: Annotated[str, Field(max_length=40)] = ""


class CustomerIn(Body):
    external_id: Annotated[str, Field(max_length=120)] = ""
    email: Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
    name: ShortText = ""
    phone: Annotated[str, Field(max_length=40)] = ""
    tier: Annotated[str, Field(max_length=40)] = ""
    tags: Annotated[list[Tag], Field(max_length=50)] = []
    language: Annotated[str, Field(max_length=8)] = ""


class OrderLineIn(Body):
    external_id: Id
    sku: Annotated[str, Field(min_length=1, max_length=120)]
    product_id: Annotated[
        str,
        Field(
            max_length=120,
            description="The store's id of the product the line's variant belongs to. Analytics "
            "group a product's variants by it; without it, by the line's title (or by the "
            "catalog's product when Retorno knows the SKU).",
        ),
    ] = ""
    title: Annotated[str, Field(max_length=255)] = ""
    category: Annotated[str, Field(max_length=80)] = ""
    vendor: Annotated[str, Field(max_length=120)] = ""
    quantity: Annotated[int, Field(ge=1, le=100_000)]
    unit_price: Amount
    discount: Amount = Decimal("0")
    tax: Amount = Decimal("0")
    final_sale: bool = False
    tags: Annotated[list[Tag], Field(max_length=50)] = []
    options: dict[str, Annotated[str, Field(max_length=80)]] = Field(default={}, max_length=10)
    image_url: Annotated[str, Field(max_length=500)] = ""


class OrderIn(Body):
    external_id: Id
    number: Annotated[str, Field(max_length=64)] = ""
    placed_at: FactTime
    delivered_at: FactTime | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]
    customer: CustomerIn
    shipping_address: AddressIn = AddressIn()
    shipping_amount: Amount = Decimal("0")
    shipping_tax_amount: Amount = Decimal("0")
    discount_amount: Annotated[
        Amount,
        Field(
            description="A discount on the whole order (a coupon, a promotion), apart from the "
            "lines' own discounts. Retorno spreads it over the lines in proportion to what each "
            "costs after its own discount (largest remainder, exact in minor units); it may not "
            "exceed what the lines cost together (`discount_exceeds_lines`).",
        ),
    ] = Decimal("0")
    tags: Annotated[list[Tag], Field(max_length=50)] = []
    payment_reference: Annotated[
        str,
        Field(
            max_length=255,
            pattern=r"^[A-Za-z0-9_\-]*$",
            description="The payment provider's id of what the shopper paid: for a store whose "
            "refunds go through Stripe, the PaymentIntent (`pi_…`) that refunds go back to.",
        ),
    ] = ""
    channel: Literal["web", "store", "marketplace"] = Field(
        default="web",
        description="Where the order was placed: `web` (the online store, the default), "
        "`store` (a physical shop) or `marketplace`.",
    )
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=500)]

    def as_data(self) -> dict[str, Any]:
        """The order as the intake service takes it: what `model_dump()` gives, copied from the
        fields directly (no nested model has aliases or serializers), at a tenth of the cost —
        dumping was a fifth of a 1,000-order bulk call."""
        data = dict(self.__dict__)
        data["customer"] = dict(self.customer.__dict__)
        data["shipping_address"] = dict(self.shipping_address.__dict__)
        data["lines"] = [dict(line.__dict__) for line in self.lines]
        return data

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        try:
            minor_units(value.upper())
        except MoneyError as exc:
            raise ValueError(f"unknown currency {value!r}") from exc
        return value.upper()

    @model_validator(mode="after")
    def _amounts_fit_the_currency(self) -> OrderIn:
        data = self.model_dump(
            include={"currency", "shipping_amount", "shipping_tax_amount", "discount_amount"}
        )
        data["lines"] = [
            {
                "unit_price": line.unit_price,
                "discount": line.discount,
                "tax": line.tax,
                "quantity": line.quantity,
            }
            for line in self.lines
        ]
        problems = order_amount_problems(data)
        refuse("OrderIn", problems or order_discount_problems(data), data)
        return self


class OrderBulkIn(Body):
    orders: Annotated[list[OrderIn], Field(min_length=1, max_length=1000)]


class OrderLineOut(Schema):
    external_id: str
    sku: str
    product_id: str
    title: str
    category: str
    quantity: int
    unit_price: Decimal
    discount: Decimal = Field(description="The line's own discount, for all its units.")
    order_discount: Decimal = Field(
        description="The line's share of the order's `discount_amount`."
    )
    tax: Decimal = Field(description="Tax on the line, for all its units.")
    paid: Decimal = Field(
        description="What the shopper paid for the line: unit price times quantity, less both "
        "discounts, plus tax. No refund of the line ever gives back more."
    )
    final_sale: bool
    tags: list[str]


class OrderOut(Schema):
    external_id: str
    number: str
    currency: str
    placed_at: datetime
    delivered_at: datetime | None
    customer_email: str
    customer_tier: str
    shipping_amount: Decimal
    shipping_tax_amount: Decimal
    discount_amount: Decimal = Field(description="The discount on the whole order.")
    payment_reference: str = Field(description="The provider's id of the payment, if given.")
    paid_total: Decimal = Field(
        description="What the shopper paid for the order: every line's `paid` and the shipping "
        "with its tax."
    )
    return_url: str = Field(
        description="Opens this order in the returns portal, signed: put it in the order e-mail "
        "so the shopper need not type the number and e-mail (valid PORTAL_ORDER_LINK_DAYS, "
        "365 by default)."
    )
    lines: list[OrderLineOut]


class BulkResult(Schema):
    external_id: str
    status: Literal["created", "updated", "error"]
    error: dict[str, Any] | None = None


class BulkOut(Schema):
    created: int
    updated: int
    failed: int
    results: list[BulkResult]


class ReasonOut(Schema):
    code: str
    message: str


class LineEligibilityOut(Schema):
    line: str
    sku: str
    title: str
    quantity: int
    eligible: bool
    returnable_quantity: int
    window_ends_at: datetime | None
    reasons: list[ReasonOut]
    allowed_resolutions: list[str]
    restocking_fee: Decimal
    requires_review: bool
    refund_timing: str
    rules_fired: list[str]


class EligibilityOut(Schema):
    order: str
    currency: str
    policy_version: int
    evaluated_at: datetime
    lines: list[LineEligibilityOut]


ReasonCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]


class ReturnItemIn(Schema):
    line: Id
    quantity: Annotated[int, Field(ge=1, le=100_000)]
    reason: ReasonCode
    comment: Annotated[str, Field(max_length=2000)] = ""
    exchange_sku: Annotated[
        str | None,
        Field(
            max_length=120,
            description="For the exchange resolution: the SKU of the variant the shopper gets "
            "instead (another variant of the same product, in stock). Left out, the item is "
            "settled in money.",
        ),
    ] = None


class ReturnIn(Schema):
    order: Id
    items: Annotated[list[ReturnItemIn], Field(min_length=1, max_length=100)]
    resolution: Literal["refund", "store_credit", "exchange"]
    method: Literal["pickup", "drop_off", "self_ship", "in_store"]
    pickup_address: AddressIn | None = None


class QuantitiesOut(Schema):
    requested: int
    approved: int
    received: int
    missing: int
    refunded: int
    exchanged: int


class ReturnItemOut(Schema):
    line: str
    sku: str
    title: str
    reason: str
    comment: str
    decision: str
    decision_reasons: list[ReasonOut]
    status: str
    quantities: QuantitiesOut
    amount: Decimal
    restocking_fee: Decimal
    exchange_sku: str | None = Field(
        None, description="The variant chosen in exchange for this item, if any."
    )


class AmountsOut(Schema):
    items: Decimal
    return_shipping_fee: Decimal
    restocking_fee: Decimal
    shipping_refund: Decimal = Field(
        description="Outbound shipping this return gives back (policy refund_shipping), once "
        "per order: included in refund_estimate."
    )
    refund_estimate: Decimal
    store_credit_bonus: Decimal


class ReturnOut(Schema):
    rma: str
    status: str
    order: str
    order_number: str
    customer_email: str
    resolution: str
    method: str
    currency: str
    requires_review: bool
    policy_version: int
    items: list[ReturnItemOut]
    amounts: AmountsOut
    tracking_url: str
    created_at: datetime
    updated_at: datetime


class ReturnListOut(Schema):
    results: list[ReturnOut]
    next_cursor: str | None


class NoteIn(Schema):
    note: Annotated[str, Field(max_length=2000)] = ""


class OverrideIn(Schema):
    line: Id
    decision: Literal["accepted", "rejected", "manual_review"]
    rule: Annotated[str, Field(max_length=120)] = ""
    note: Annotated[str, Field(min_length=1, max_length=2000)]


class EventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    actor_kind: str
    actor_id: str
    actor_label: str
    note: str
    data: dict[str, Any]
    created_at: datetime


class PolicyOut(Schema):
    version: int
    document: dict[str, Any]
    note: str
    created_by: str
    created_at: datetime


class PolicyIn(Schema):
    document: dict[str, Any]
    note: Annotated[str, Field(max_length=500)] = ""


class PolicyPreviewIn(Schema):
    document: dict[str, Any]
    order: Id
    items: Annotated[list[ReturnItemIn], Field(max_length=100)] = []
    resolution: Literal["refund", "store_credit", "exchange"] | None = None


class KeepItemOut(Schema):
    allowed: bool
    code: str = Field(
        description="shipping_exceeds_recovery (allowed), keep_item_disabled, "
        "above_max_item_value, worth_returning or not_approvable"
    )
    recovered_value: Decimal
    return_shipping_cost: Decimal


class PolicyPreviewOut(Schema):
    outcome: str
    requires_review: bool
    return_shipping_fee: Decimal
    review_reasons: list[ReasonOut]
    lines: list[LineEligibilityOut]
    instant_exchange: bool
    instant_exchange_return_days: int
    keep_item: KeepItemOut
    trace: list[dict[str, Any]]
