"""Small builders so each test states only the facts it is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from retorno.domain.policies import (
    CustomerFacts,
    LineFacts,
    OrderFacts,
    Policy,
    RequestedItem,
    RequestFacts,
    default_policy_document,
    parse_policy,
)

NOW = datetime(2026, 9, 4, 12, 0, tzinfo=UTC)
DEFAULT_POLICY = parse_policy(default_policy_document())


def line(line_id: str = "l1", **facts: Any) -> LineFacts:
    values: dict[str, Any] = {
        "sku": f"SKU-{line_id}",
        "title": f"Item {line_id}",
        "category": "shirts",
        "quantity": 1,
        "unit_price": Decimal("40.00"),
    }
    values.update(facts)
    for money_field in ("unit_price", "discount", "tax"):
        if isinstance(values.get(money_field), str):
            values[money_field] = Decimal(values[money_field])
    return LineFacts(line_id=line_id, **values)


def order(
    *lines: LineFacts,
    delivered_days_ago: float | None = 10,
    currency: str = "EUR",
    country: str = "ES",
) -> OrderFacts:
    delivered_at = None if delivered_days_ago is None else NOW - timedelta(days=delivered_days_ago)
    return OrderFacts(
        order_id="o1",
        currency=currency,
        placed_at=NOW - timedelta(days=(delivered_days_ago or 0) + 3),
        delivered_at=delivered_at,
        country=country,
        postal_code="28001",
        lines=lines or (line(),),
    )


def customer(tier: str = "", *tags: str) -> CustomerFacts:
    return CustomerFacts(tier=tier, tags=frozenset(tags))


def request(*items: tuple[str, int, str], resolution: str | None = "refund") -> RequestFacts:
    return RequestFacts(
        items=tuple(
            RequestedItem(line_id, quantity, reason) for line_id, quantity, reason in items
        ),
        resolution=resolution,
    )


def policy(base: dict[str, Any] | None = None, rules: list[dict[str, Any]] | None = None) -> Policy:
    """The default policy with some base settings changed and, if given, other rules."""
    document = default_policy_document()
    document["base"].update(base or {})
    if rules is not None:
        document["rules"] = rules
    return parse_policy(document)


def codes(reasons: Any) -> list[str]:
    return [reason.code for reason in reasons]
