"""Sales and returns for analytics tests, made through the real services."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

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


# --- a rich history: the demo's past (carriers, scans, pickups, reviews) plus exceptions --------

RICH_TODAY = date(2026, 3, 15)
# The period the rich history's figures are read over: the demo's history and the exceptions.
RICH_PERIOD = {"from": "2025-03-16", "to": "2026-03-15"}
AGENTS = (
    Actor(kind="staff", id="11", label="Lucía"),
    Actor(kind="staff", id="12", label="Tomás"),
    Actor(kind="staff", id="13", label="Ana"),
)
RULES = ("window", "final_sale", "gift_card", "")


def rich_history(store_slug: str = "rich") -> Store:
    """The demo store's generated past (customers, orders, returns in every state, shipments
    with carriers, pickups and scans, reviews, tiers, regions, channels), then, through the
    services, returns held for review that agents approve, reject or override (by rule and by
    agent, one overridden twice, one whose override rejects the item) on days inside
    RICH_PERIOD. Deterministic: the demo's seed and fixed choices."""
    from retorno.demo.generator import demo_create

    store = demo_create(slug=store_slug, customers=400, orders=1000, today=RICH_TODAY).store
    zone = ZoneInfo(store.timezone)
    for n in range(18):
        at = datetime(2026, 2, 1 + n, 11, 0, tzinfo=zone)
        placed = (timezone.now() - at).days + 12
        order = sale(
            store,
            quantity=3,
            sku=f"LAMP-{n % 4}",
            title=f"Lamp {n % 4}",
            vendor="Luz",
            category="home",
            unit_price="250.00",
            placed_days_ago=placed,
            delivered_days_ago=placed - 4,
            tier=("gold", "silver", "")[n % 3],
        )
        line = order.lines.get().external_id
        ret = services.return_create(
            store=store,
            order_external_id=order.external_id,
            items=[services.ItemRequest(line=line, quantity=3, reason="changed_mind")],
            resolution=("refund", "store_credit")[n % 2],
            method="drop_off",
            actor=AGENT,
            now=at,
        )
        agent = AGENTS[n % 3]
        later = at + timedelta(hours=5)
        if n % 6 == 5:
            services.return_cancel(store=store, rma=ret.rma, actor=agent, now=later)
            continue
        if n % 3 != 2:
            services.return_item_override(
                store=store,
                rma=ret.rma,
                line=line,
                decision="rejected" if n % 9 == 4 else "accepted",
                rule=RULES[n % 4],
                note="Checked by hand.",
                actor=agent,
                now=later,
            )
        if n == 7:  # overridden again by someone else
            services.return_item_override(
                store=store,
                rma=ret.rma,
                line=line,
                decision="accepted",
                rule="window",
                note="Second look.",
                actor=AGENTS[2],
                now=later + timedelta(hours=1),
            )
        if n % 7 == 3:
            services.return_reject(store=store, rma=ret.rma, actor=agent, note="No.", now=later)
        elif n % 9 != 4:
            services.return_approve(store=store, rma=ret.rma, actor=agent, now=later)
    return store
