"""Demo orders a visitor can return right now, whatever day the demo is run: one simple return,
one exchange for another size, one that an agent must review.

The generated history is dated from the day the demo was built, so its orders leave their
return windows as days pass. These orders are kept fresh instead: every `retorno demo` checks
the latest order of each kind against the policy at that moment (returnable with days to
spare, nothing returned yet, still an exchange or still a review) and, when it no longer is,
places a new one delivered two days earlier. Numbers run from TD-900001 so they never meet the
generated ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from retorno.demo import data
from retorno.domain.money import quantize
from retorno.orders.models import Order, Variant
from retorno.orders.services import order_upsert
from retorno.returns import selectors as return_selectors
from retorno.returns.models import Return
from retorno.stores.models import Store

NUMBER_BASE = 900_000
EXTERNAL_PREFIX = "try_"
CUSTOMER_PREFIX = "cus_try_"
TAG = "demo-try"
# A shown order has at least this long left in its return window.
DAYS_TO_SPARE = timedelta(days=5)
PLACED_BEFORE = timedelta(days=5)
DELIVERED_BEFORE = timedelta(days=2)


@dataclass(frozen=True)
class Kind:
    """One kind of order to try: who buys it, what (product code, colour, size), and the
    reason a shopper would give when returning it."""

    name: str
    customer: dict[str, Any]
    address: dict[str, str]
    items: tuple[tuple[str, str, str], ...]
    reason: str


KINDS = (
    Kind(
        "simple",
        {
            "external_id": "cus_try_ana",
            "email": "ana.martin@example.com",
            "name": "Ana Martín Sanz",
            "phone": "+34 612 345 678",
            "tier": "",
            "tags": [],
            "language": "es",
        },
        {
            "name": "Ana Martín Sanz",
            "line1": "Calle de Alcalá, 120",
            "line2": "3º B",
            "city": "Madrid",
            "region": "Madrid",
            "postal_code": "28009",
            "country": "ES",
            "phone": "+34 612 345 678",
        },
        (("TSH-BAS", "blanco", "M"), ("JNS-SLM", "azul oscuro", "M")),
        "changed_mind",
    ),
    Kind(
        "exchange",
        {
            "external_id": "cus_try_emma",
            "email": "emma.clarke@example.com",
            "name": "Emma Clarke",
            "phone": "+34 655 123 456",
            "tier": "",
            "tags": [],
            "language": "en",
        },
        {
            "name": "Emma Clarke",
            "line1": "Calle de Fuencarral, 45",
            "line2": "2º A",
            "city": "Madrid",
            "region": "Madrid",
            "postal_code": "28004",
            "country": "ES",
            "phone": "+34 655 123 456",
        },
        (("SHO-URB", "blanco", "39"),),
        "too_small",
    ),
    Kind(
        "review",
        {
            "external_id": "cus_try_pablo",
            "email": "pablo.ortega@example.com",
            "name": "Pablo Ortega Gil",
            "phone": "+34 688 765 432",
            "tier": "",
            "tags": [],
            "language": "es",
        },
        {
            "name": "Pablo Ortega Gil",
            "line1": "Gran Vía de Don Diego López de Haro, 30",
            "line2": "5º",
            "city": "Bilbao",
            "region": "Bizkaia",
            "postal_code": "48009",
            "country": "ES",
            "phone": "+34 688 765 432",
        },
        (("JKT-PIE", "negro", "M"),),
        "not_as_described",
    ),
)
KIND_NAMES = tuple(kind.name for kind in KINDS)


def showcase_orders_ensure(store: Store, *, now: datetime) -> list[Order]:
    """For each kind, the latest order still good to try at `now`, placing a new one where
    there is none. Returns them in KINDS order."""
    orders = []
    for kind in KINDS:
        order = _latest(store, kind)
        if order is None or not showcase_ready(store, order, kind.name, now=now):
            with transaction.atomic():
                order = _place(store, kind, now)
        orders.append(order)
    return orders


def showcase_orders(store: Store, *, now: datetime) -> list[tuple[str, Order]]:
    """The (kind, order) pairs good to try at `now`, without writing anything; a kind whose
    latest order is no longer good is left out."""
    found = []
    for kind in KINDS:
        order = _latest(store, kind)
        if order is not None and showcase_ready(store, order, kind.name, now=now):
            found.append((kind.name, order))
    return found


def showcase_ready(store: Store, order: Order, kind_name: str, *, now: datetime) -> bool:
    """Whether a visitor can try `order` as its kind now: nothing returned from it yet, every
    line returnable with DAYS_TO_SPARE left, and the policy deciding it as the kind says (a
    review only for "review"; nothing the shopper simply keeps; another size in stock for
    "exchange")."""
    kind = next(k for k in KINDS if k.name == kind_name)
    if Return.objects.filter(store=store, order=order).exists():
        return False
    eligibility = return_selectors.order_eligibility_for_store(
        store=store, external_id=order.external_id, now=now
    )
    for line in eligibility.decision.lines:
        ends = line.window_ends_at
        if line.returnable_quantity < 1 or (ends is not None and ends < now + DAYS_TO_SPARE):
            return False
    lines = list(order.lines.select_related("variant"))
    quote = return_selectors.return_quote_for_store(
        store=store,
        external_id=order.external_id,
        items=[{"line": line.external_id, "quantity": 1, "reason": kind.reason} for line in lines],
        resolution="refund",
        now=now,
    )
    decision = quote.decision
    if any(line.reasons for line in decision.lines) or decision.keep_item.allowed:
        return False
    if decision.requires_review != (kind.name == "review"):
        return False
    if kind.name == "exchange":
        return all(
            return_selectors.exchange_options_for_line(
                store=store, line=line, reason=kind.reason
            ).variants
            for line in lines
        )
    return True


def _latest(store: Store, kind: Kind) -> Order | None:
    return (
        Order.objects.filter(
            store=store,
            external_id__startswith=EXTERNAL_PREFIX,
            customer__external_id=kind.customer["external_id"],
        )
        .order_by("-placed_at", "-id")
        .first()
    )


def _place(store: Store, kind: Kind, now: datetime) -> Order:
    taken = Order.objects.filter(store=store, external_id__startswith=EXTERNAL_PREFIX).count()
    serial = NUMBER_BASE + taken + 1
    while Order.objects.filter(store=store, number=f"TD-{serial}").exists():
        serial += 1
    external_id = f"{EXTERNAL_PREFIX}{serial}"
    lines = [
        _line(store, f"{external_id}-{n}", code, colour, size, kind)
        for n, (code, colour, size) in enumerate(kind.items, start=1)
    ]
    order_upsert(
        store=store,
        data={
            "external_id": external_id,
            "number": f"TD-{serial}",
            "placed_at": now - PLACED_BEFORE,
            "delivered_at": now - DELIVERED_BEFORE,
            "currency": store.currency,
            "customer": kind.customer,
            "shipping_address": kind.address,
            "shipping_amount": Decimal("0.00"),
            "shipping_tax_amount": Decimal("0.00"),
            "tags": [TAG],
            "lines": lines,
        },
    )
    return Order.objects.get(store=store, external_id=external_id)


def _line(
    store: Store, external_id: str, code: str, colour: str, size: str, kind: Kind
) -> dict[str, Any]:
    """One line of `kind`'s order, priced as the generated orders are (shelf price with VAT,
    sent net plus tax). For an exchange, a size whose next size up is in stock now."""
    spec = next(s for s in data.CATALOG if s.code == code)
    variants = {
        (v.options.get("colour", ""), v.options.get(spec.size_option, "")): v
        for v in Variant.objects.filter(store=store, product__external_id=f"prod_{code.lower()}")
    }
    variant = variants[(colour, size)]
    if kind.name == "exchange":
        # The size asked for, or the nearest one, whose next size up is in stock.
        sizes = list(spec.sizes)
        nearest = sorted(sizes[:-1], key=lambda s: abs(sizes.index(s) - sizes.index(size)))
        for smaller in nearest:
            bigger = variants.get((colour, sizes[sizes.index(smaller) + 1]))
            if bigger is not None and bigger.stock > 0:
                variant = variants[(colour, smaller)]
                break
    gross = variant.price
    net = quantize(gross / (1 + data.VAT), store.currency)
    return {
        "external_id": external_id,
        "sku": variant.sku,
        "title": spec.title,
        "category": spec.category,
        "vendor": spec.vendor,
        "quantity": 1,
        "unit_price": net,
        "discount": Decimal("0.00"),
        "tax": gross - net,
        "final_sale": spec.final_sale,
        "tags": [spec.kind, *spec.tags, *(["premium"] if spec.premium else [])],
        "options": dict(variant.options),
        "image_url": "",
    }
