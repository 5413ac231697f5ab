"""What the policy engine knows about an order, a customer and a return request.

The caller (the policies app adapter) builds these from the database; the engine never reads
anything else. Construction validates the facts so the engine can trust them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from retorno.domain.errors import DomainError
from retorno.domain.money import minor_units, quantize


class FactsError(DomainError):
    """Facts that cannot be decided on (naive datetimes, negative quantities, duplicate lines...).

    `code` is "invalid_facts" for order, line and customer facts, and "invalid_request" for a
    return request, so the API can tell a bad request from a programming error upstream.
    """

    def __init__(self, message: str, *, code: str = "invalid_facts") -> None:
        super().__init__(message, code=code)
        self.message = message


def _require_aware(value: datetime | None, name: str) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise FactsError(f"{name} must be a timezone-aware datetime.")


def _require_count(
    value: int, name: str, *, minimum: int, code: str = "invalid_facts", line_id: str = ""
) -> None:
    """`name` is the field's name; with `line_id` it is said as "Line <id> <name>" (the message
    is built only when the value is refused: a replay builds facts by the hundred thousand)."""
    if value.__class__ is int and value >= minimum:
        return
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return
    label = f"Line {line_id} {name}" if line_id else name
    raise FactsError(f"{label} must be an integer of at least {minimum}.", code=code)


def _require_money(value: Decimal, name: str, *, line_id: str = "") -> None:
    if isinstance(value, Decimal) and value.is_finite() and value >= 0:
        return
    label = f"Line {line_id} {name}" if line_id else name
    raise FactsError(f"{label} must be a finite, non-negative Decimal.")


@dataclass(frozen=True, slots=True, kw_only=True)
class LineFacts:
    """One order line. `discount` and `tax` are totals for the whole line, not per unit.

    `already_returned_quantity` counts units held by open or completed returns (computed by the
    caller); a value above `quantity` is tolerated and simply leaves nothing to return.
    """

    line_id: str
    sku: str
    title: str
    category: str
    tags: frozenset[str] = frozenset()
    quantity: int
    unit_price: Decimal
    discount: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    final_sale: bool = False
    vendor: str = ""
    already_returned_quantity: int = 0

    def __post_init__(self) -> None:
        line_id = self.line_id
        _require_count(self.quantity, "quantity", minimum=0, line_id=line_id)
        _require_count(
            self.already_returned_quantity,
            "already_returned_quantity",
            minimum=0,
            line_id=line_id,
        )
        _require_money(self.unit_price, "unit_price", line_id=line_id)
        _require_money(self.discount, "discount", line_id=line_id)
        _require_money(self.tax, "tax", line_id=line_id)
        if self.discount > self.gross_amount:
            raise FactsError(f"Line {self.line_id} discount exceeds its price.")

    @property
    def gross_amount(self) -> Decimal:
        """Price of all units before discount and tax."""
        return self.unit_price * self.quantity

    @property
    def paid_amount(self) -> Decimal:
        """What the customer paid for the whole line: price - discount + tax (not quantized)."""
        return self.unit_price * self.quantity - self.discount + self.tax

    @property
    def remaining_quantity(self) -> int:
        """Units not yet held by any return."""
        return max(0, self.quantity - self.already_returned_quantity)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFacts:
    """An order as received from the store. `country` is ISO 3166-1 alpha-2."""

    order_id: str
    currency: str
    placed_at: datetime
    delivered_at: datetime | None = None
    country: str = ""
    postal_code: str = ""
    lines: tuple[LineFacts, ...] = ()

    def __post_init__(self) -> None:
        try:
            minor_units(self.currency)
        except DomainError as error:
            raise FactsError(str(error)) from None
        _require_aware(self.placed_at, "placed_at")
        _require_aware(self.delivered_at, "delivered_at")
        if not isinstance(self.lines, tuple):
            raise FactsError("lines must be a tuple of LineFacts.")
        line_ids = [line.line_id for line in self.lines]
        if len(set(line_ids)) != len(line_ids):
            raise FactsError(f"Order {self.order_id} has duplicate line ids.")

    @property
    def order_value(self) -> Decimal:
        """Sum of what was paid for every line, in minor units of the order's currency."""
        return quantize(sum((line.paid_amount for line in self.lines), Decimal(0)), self.currency)


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerFacts:
    """The shopper as the policy sees them. `tier` is "" when they have no loyalty tier."""

    tier: str = ""
    tags: frozenset[str] = frozenset()
    # Abuse signals that hold for this customer and this request (retorno.domain.insight.signals),
    # computed by the caller when the policy asks for them (Policy.uses_signals).
    signals: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RequestedItem:
    """One line the shopper wants to return, how many units, and why (a reason code)."""

    line_id: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestFacts:
    """A return request: the items and the resolution the shopper chose (None = not yet)."""

    items: tuple[RequestedItem, ...]
    resolution: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.items, tuple) or not self.items:
            raise FactsError("A return request needs at least one item.", code="invalid_request")
        seen: set[str] = set()
        for item in self.items:
            if item.quantity.__class__ is not int or item.quantity < 1:
                _require_count(
                    item.quantity,
                    f"Requested quantity of line {item.line_id}",
                    minimum=1,
                    code="invalid_request",
                )
            if item.line_id in seen:
                raise FactsError(
                    f"Line {item.line_id} is requested more than once.", code="invalid_request"
                )
            seen.add(item.line_id)
