"""What notifications need to know about a return, as plain data.

Returns sits above notifications, so it hands over a `ReturnSnapshot` built from its own rows
(see retorno.returns.effects) instead of notifications reading the Return model.
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
    pickup_address: Mapping[str, Any] = field(default_factory=dict)
