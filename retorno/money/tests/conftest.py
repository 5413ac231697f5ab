"""Money fixtures: a fake payment provider wired as the store's adapter, orders and returns
walked through the real services (approve → in transit → receive → inspect → resolve)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest

from retorno.core.actors import Actor
from retorno.integrations.payments import registry
from retorno.integrations.payments.testing import FakeProvider
from retorno.money.models import MoneySettings
from retorno.orders.models import Order, Product, Variant
from retorno.orders.tests.factories import line_payload, make_order
from retorno.returns import services
from retorno.returns.models import Return
from retorno.returns.workflows import inspection, receiving, resolving
from retorno.stores.models import Store

AGENT = Actor(kind="staff", id="1", label="Agent Smith")
WAREHOUSE = Actor(kind="staff", id="2", label="Warehouse Wu")
_numbers = itertools.count(7001)


@pytest.fixture
def provider(store: Store) -> FakeProvider:
    """A fake provider, registered and chosen by the store (fresh per test)."""
    fake = FakeProvider(name="fake")
    registry.register(fake)
    MoneySettings.objects.update_or_create(store=store, defaults={"payment_adapter": "fake"})
    return fake


def order_with(
    store: Store,
    *,
    quantity: int = 3,
    unit_price: str = "20.00",
    tax: str = "0.00",
    discount: str = "0.00",
    tier: str = "",
    shipping: str = "0.00",
    variant: Variant | None = None,
) -> Order:
    number = str(next(_numbers))
    line = line_payload(
        f"{number}-1", quantity=quantity, unit_price=unit_price, tax=tax, discount=discount
    )
    if variant is not None:
        line["sku"] = variant.sku
    return make_order(
        store,
        external_id=number,
        tier=tier,
        email=f"{number}@example.com",
        lines=[line],
        shipping_amount=shipping,
    )


def open_return(
    store: Store,
    order: Order,
    *,
    quantity: int = 3,
    reason: str = "too_small",
    resolution: str = "refund",
    exchange_variant_id: int | None = None,
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
                exchange_variant_id=exchange_variant_id,
            )
        ],
        resolution=resolution,
        method="drop_off",
        actor=AGENT,
    )


def line_of(return_request: Return) -> str:
    return return_request.items.get().order_line.external_id


def receive(store: Store, return_request: Return, units: int) -> Return:
    return receiving.return_receive(
        store=store,
        rma=return_request.rma,
        quantities={line_of(return_request): units},
        actor=WAREHOUSE,
    )


def inspect(store: Store, return_request: Return, grade: str) -> Return:
    return inspection.return_inspect(
        store=store,
        rma=return_request.rma,
        grades={line_of(return_request): grade},
        actor=WAREHOUSE,
    )


def resolve(store: Store, return_request: Return) -> Return:
    return resolving.return_resolve(store=store, rma=return_request.rma, actor=AGENT)


def variant_pair(
    store: Store, *, stock: int = 5, new_price: str = "20.00"
) -> tuple[Variant, Variant]:
    product = Product.objects.create(
        store=store, external_id="p-1", title="Tee", category="apparel"
    )
    old = Variant.objects.create(
        store=store,
        product=product,
        sku="TEE-M",
        price=Decimal("20.00"),
        stock=0,
        options={"size": "M"},
    )
    new = Variant.objects.create(
        store=store,
        product=product,
        sku="TEE-L",
        price=Decimal(new_price),
        stock=stock,
        options={"size": "L"},
    )
    return old, new


def set_policy_base(store: Store, *rules: dict[str, Any], **changes: Any) -> None:
    """Publish a policy version whose base differs from the default by `changes`, with `rules`
    after the default ones."""
    from retorno.domain.policies.document import default_policy_document
    from retorno.policies.services import policy_publish

    doc = default_policy_document()
    doc["base"].update(changes)
    doc["rules"].extend(rules)
    policy_publish(store=store, document=doc, actor=AGENT)
