"""Sales and returns for analytics tests, made through the real services."""

from __future__ import annotations

import itertools
from typing import Any

from retorno.core.actors import Actor
from retorno.orders.models import Order
from retorno.orders.tests.factories import line_payload, make_order
from retorno.returns import services
from retorno.returns.models import Return
from retorno.returns.workflows import inspection, receiving
from retorno.stores.models import Store

AGENT = Actor(kind="staff", id="1", label="Agent")
WAREHOUSE = Actor(kind="staff", id="2", label="Warehouse")
_numbers = itertools.count(50_001)


def sale(
    store: Store,
    *,
    quantity: int = 10,
    sku: str = "TEE-M",
    title: str = "Tee",
    vendor: str = "Acme",
    category: str = "apparel",
    product_id: str = "",
    size: str = "",
    unit_price: str = "10.00",
    tier: str = "",
    region: str = "",
    placed_days_ago: float = 8,
    delivered_days_ago: float | None = None,
    email: str | None = None,
) -> Order:
    number = str(next(_numbers))
    line: dict[str, Any] = line_payload(
        f"{number}-1",
        sku=sku,
        title=title,
        vendor=vendor,
        category=category,
        quantity=quantity,
        unit_price=unit_price,
        tax="0.00",
    )
    if product_id:
        line["product_id"] = product_id
    if size:
        line["options"] = {"size": size}
    overrides: dict[str, Any] = {}
    if region:
        overrides["shipping_address"] = {"city": "X", "region": region, "country": "ES"}
    return make_order(
        store,
        external_id=number,
        tier=tier,
        email=email or f"{number}@example.com",
        lines=[line],
        placed_days_ago=placed_days_ago,
        delivered_days_ago=placed_days_ago - 3
        if delivered_days_ago is None
        else delivered_days_ago,
        **overrides,
    )


def give_back(
    store: Store,
    order: Order,
    *,
    quantity: int = 1,
    reason: str = "changed_mind",
    resolution: str = "refund",
    exchange_variant_id: int | None = None,
    comment: str = "",
) -> Return:
    line = order.lines.get()
    return services.return_create(
        store=store,
        order_external_id=order.external_id,
        items=[
            services.ItemRequest(
                line=line.external_id,
                quantity=quantity,
                reason=reason,
                comment=comment,
                exchange_variant_id=exchange_variant_id,
            )
        ],
        resolution=resolution,
        method="drop_off",
        actor=AGENT,
    )


def receive_and_grade(store: Store, return_request: Return, grade: str) -> None:
    line = return_request.items.get().order_line.external_id
    units = return_request.items.get().quantity_requested
    receiving.return_receive(
        store=store, rma=return_request.rma, quantities={line: units}, actor=WAREHOUSE
    )
    inspection.return_inspect(
        store=store, rma=return_request.rma, grades={line: grade}, actor=WAREHOUSE
    )
