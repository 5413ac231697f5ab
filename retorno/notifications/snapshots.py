"""What notifications need to know about a return or a claim, as plain data.

Returns sits above notifications, so it hands over a `ReturnSnapshot` built from its own rows
(see retorno.returns.effects) instead of notifications reading the Return model; claims come as
a `ClaimSnapshot` (see retorno.returns.workflows.claims), resolutions being a sibling of notifications.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemSnapshot:
    title: str
    sku: str
    quantity: int
    amount: Decimal
    variant: str = ""
    image_url: str = ""
    exchange_variant: str = ""  # the variant the shopper gets instead, for an exchange


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnSnapshot:
    """A return as the shopper sees it. Amounts are in `currency`, already quantized."""

    return_id: int
    rma: str
    tracking_token: str
    tracking_url: str
    status: str
    resolution: str
    method: str
    order_number: str
    currency: str
    customer_name: str
    customer_email: str
    customer_phone: str = ""
    customer_language: str = ""
    customer_tier: str = ""
    items: tuple[ItemSnapshot, ...] = ()
    items_amount: Decimal = Decimal("0")
    return_shipping_fee_amount: Decimal = Decimal("0")
    restocking_fee_amount: Decimal = Decimal("0")
    store_credit_bonus_amount: Decimal = Decimal("0")
    refund_estimate_amount: Decimal = Decimal("0")
    shipping_refund_amount: Decimal = Decimal("0")
    pickup_address: Mapping[str, Any] = field(default_factory=dict)
    refund_timing: str = ""  # the return's (RefundTiming value); "" reads as on_receipt
    instant_exchange: bool = False
    # Shop now: what the return's store credit buys (amount = units at their price).
    bought: tuple[ItemSnapshot, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimSnapshot:
    """A claim as the shopper sees it, with what it was settled with once it is."""

    claim_id: int
    number: str
    state: str
    reason: str
    order_number: str
    currency: str
    customer_name: str
    customer_email: str
    customer_phone: str = ""
    customer_language: str = ""
    items: tuple[ItemSnapshot, ...] = ()
    resolution: str = ""
    resolution_note: str = ""
    refund_amount: Decimal = Decimal("0")
    refund_destination: str = ""
    replacement_number: str = ""


def claim_snapshot_to_json(snapshot: ClaimSnapshot) -> dict[str, Any]:
    data = {name: getattr(snapshot, name) for name in ClaimSnapshot.__dataclass_fields__}
    data["items"] = [
        {name: getattr(item, name) for name in ItemSnapshot.__dataclass_fields__}
        for item in snapshot.items
    ]
    return _decimals_as_strings(data)


def claim_snapshot_from_json(data: Mapping[str, Any]) -> ClaimSnapshot:
    fields = dict(data)
    fields["items"] = tuple(
        ItemSnapshot(**{**item, "amount": Decimal(item["amount"])}) for item in data["items"]
    )
    fields["refund_amount"] = Decimal(data["refund_amount"])
    return ClaimSnapshot(**fields)


def snapshot_to_json(snapshot: ReturnSnapshot) -> dict[str, Any]:
    """The snapshot as JSON data (amounts as strings), to travel in an outbox payload."""
    data = {name: getattr(snapshot, name) for name in ReturnSnapshot.__dataclass_fields__}
    for kind in ("items", "bought"):
        data[kind] = [
            {name: getattr(item, name) for name in ItemSnapshot.__dataclass_fields__}
            for item in getattr(snapshot, kind)
        ]
    data["pickup_address"] = dict(snapshot.pickup_address)
    return _decimals_as_strings(data)


def snapshot_from_json(data: Mapping[str, Any]) -> ReturnSnapshot:
    """The inverse of snapshot_to_json."""
    fields = dict(data)
    for kind in ("items", "bought"):  # a payload written before shop now has no "bought"
        fields[kind] = tuple(
            ItemSnapshot(**{**item, "amount": Decimal(item["amount"])})
            for item in data.get(kind, ())
        )
    for name in _AMOUNT_FIELDS:
        if name in data:  # a payload written before the field existed has its default
            fields[name] = Decimal(data[name])
    return ReturnSnapshot(**fields)


_AMOUNT_FIELDS = (
    "items_amount",
    "return_shipping_fee_amount",
    "restocking_fee_amount",
    "store_credit_bonus_amount",
    "refund_estimate_amount",
    "shipping_refund_amount",
)


def _decimals_as_strings(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _decimals_as_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decimals_as_strings(item) for item in value]
    return value
