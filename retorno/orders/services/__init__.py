"""Order intake: upsert orders (with their customer and lines) as the store's platform sends them.

One order or a thousand go through the same set-based path: the customers, orders and lines of a
call are written with a few `INSERT … ON CONFLICT` statements (`retorno.orders.upserts`), never one
round trip per row, and two calls that arrive together and share a customer or an order both apply
(the second updates what the first inserted)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from retorno.core.errors import Conflict, RetornoError, Unprocessable
from retorno.orders import upserts
from retorno.orders.models import Customer, Order, OrderLine, Variant
from retorno.orders.services.intake import order_discount_split, order_problems
from retorno.stores.models import Store

# Layers above that keep something derived from orders (analytics' rollups) register here:
# called in the transaction of every intake with the store and the external ids of the orders
# about to be written (to read them as they were), each returns what to call with the ids of
# the orders once written.
IntakeObserver = Callable[[Store, list[str]], Callable[[list[int]], None]]
_intake_observers: list[IntakeObserver] = []


def intake_observer_register(observer: IntakeObserver) -> None:
    """Call `observer(store, external_ids)` before, and what it returns with the order ids
    after, every intake write (in its transaction)."""
    if observer not in _intake_observers:
        _intake_observers.append(observer)


@dataclass(frozen=True)
class OrderOutcome:
    """What became of one order of a call: its id and whether it was new, or the error that
    kept it (and only it) out."""

    external_id: str
    order_id: int | None = None
    created: bool = False
    error: RetornoError | None = None


def order_upsert(*, store: Store, data: dict[str, Any]) -> tuple[Order, bool]:
    """Create or update the order `data["external_id"]` of `store`. Returns (order, created).

    Lines are matched by their external id. A line that already has returns cannot disappear
    from the order (code `line_has_returns`): its history would be lost. An amount its currency
    cannot express or a time that cannot have happened is refused (code `validation_error`,
    `errors[].field` naming each) and nothing is written: entrances report these themselves,
    this is the guard for any that does not.
    """
    (outcome,) = orders_upsert(store=store, orders=[data])
    if outcome.error is not None:
        raise outcome.error
    return Order.objects.select_related("customer").get(id=outcome.order_id), outcome.created


def orders_upsert(*, store: Store, orders: list[dict[str, Any]]) -> list[OrderOutcome]:
    """Create or update each order of `orders` (as `order_upsert` would, in the order given);
    one outcome per order. An order that cannot be stored is reported in its outcome and
    written not at all; the others are written."""
    now = timezone.now()
    outcomes: dict[int, OrderOutcome] = {}
    valid: list[tuple[int, dict[str, Any]]] = []
    for index, data in enumerate(orders):
        problems = order_problems(data, now=now)
        if problems:
            outcomes[index] = OrderOutcome(
                data["external_id"],
                error=Unprocessable(
                    "The order has values that cannot be stored.",
                    code="validation_error",
                    errors=[
                        {"field": p.dotted, "message": p.message, "type": p.code} for p in problems
                    ],
                ),
            )
        else:
            valid.append((index, data))
    for segment in _segments(valid):
        outcomes.update(_segment_apply(store, segment, now))
    return [outcomes[index] for index in range(len(orders))]


def _segments(
    entries: list[tuple[int, dict[str, Any]]],
) -> list[list[tuple[int, dict[str, Any]]]]:
    """Consecutive runs in which no order repeats: an order sent twice in one call is applied
    twice, in turn (created, then updated), as if sent one by one."""
    segments: list[list[tuple[int, dict[str, Any]]]] = [[]]
    seen: set[str] = set()
    for entry in entries:
        if entry[1]["external_id"] in seen:
            segments.append([])
            seen = set()
        segments[-1].append(entry)
        seen.add(entry[1]["external_id"])
    return [segment for segment in segments if segment]


def _segment_apply(
    store: Store, entries: list[tuple[int, dict[str, Any]]], now: Any
) -> dict[int, OrderOutcome]:
    prepared = [(index, _prepared(data)) for index, data in entries]
    _variants_resolve(store, [data for _, data in prepared])
    # Orders sent again as the intake last wrote them are done already.
    done = _unchanged(store, prepared)
    entries = [(index, data) for index, data in prepared if index not in done]
    while entries:
        with transaction.atomic():
            external_ids = [data["external_id"] for _, data in entries]
            afters = [observer(store, external_ids) for observer in _intake_observers]
            applied = _write(store, entries, now)
            if isinstance(applied, dict):
                written = [o.order_id for o in applied.values() if o.order_id is not None]
                for after in afters:
                    after(written)
                return {**done, **applied}
            # Some orders would lose lines that have returns: undo this attempt (the rollback
            # also frees the rows it locked) and write the others without them.
            transaction.set_rollback(True)
        blocked = applied
        for index, data in entries:
            if data["external_id"] in blocked:
                done[index] = OrderOutcome(
                    data["external_id"],
                    error=Conflict(
                        "A line that has returns cannot be removed from the order.",
                        code="line_has_returns",
                    ),
                )
        entries = [(i, data) for i, data in entries if data["external_id"] not in blocked]
    return done


def _write(
    store: Store, entries: list[tuple[int, dict[str, Any]]], now: Any
) -> dict[int, OrderOutcome] | set[str]:
    """Write the orders of `entries` (prepared, no order twice); their outcomes, or the external
    ids of the orders that would drop a line with returns (then the caller rolls back)."""
    customer_ids = _customers_write(store, [data["customer"] for _, data in entries])
    order_rows = [
        {**data["_row"], "customer": customer_ids[position], "intake_digest": data["_digest"]}
        for position, (_, data) in enumerate(entries)
    ]
    written = upserts.orders_upsert(store.id, order_rows, now)
    wanted = {
        written[data["external_id"]][0]: {line["external_id"] for line in data["lines"]}
        for _, data in entries
    }
    updated_ids = [pk for pk, created in written.values() if not created]
    dropped: list[int] = []
    blocked: set[str] = set()
    if updated_ids:
        rows = (
            OrderLine.objects.filter(order_id__in=updated_ids)
            .values_list("id", "order_id", "external_id")
            .order_by()
        )
        dropped = [pk for pk, order_id, external_id in rows if external_id not in wanted[order_id]]
    if dropped:
        external_of = {pk: external_id for external_id, (pk, _) in written.items()}
        returned = (
            OrderLine.objects.filter(id__in=dropped, return_items__isnull=False)
            .values_list("order_id", flat=True)
            .distinct()
        )
        blocked = {external_of[order_id] for order_id in returned}
    if blocked:
        return blocked
    lines: dict[tuple[int, str], dict[str, Any]] = {}
    for _, data in entries:
        order_id = written[data["external_id"]][0]
        for row in data["_lines"]:
            lines[(order_id, row["external_id"])] = {**row, "order": order_id}
    upserts.lines_upsert(list(lines.values()))
    if dropped:
        OrderLine.objects.filter(id__in=dropped).delete()
    return {
        index: OrderOutcome(data["external_id"], *written[data["external_id"]])
        for index, data in entries
    }


def _prepared(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the rows the intake writes for it: `_row` (the order's columns but its
    customer) and `_lines` (each line's columns but the order and the catalog's variant,
    which `_variants_resolve` adds)."""
    address = data.get("shipping_address") or {}
    row = {
        "external_id": data["external_id"],
        "number": data.get("number") or data["external_id"],
        "currency": data["currency"].upper(),
        "placed_at": data["placed_at"],
        "delivered_at": data.get("delivered_at"),
        "shipping_address": address,
        "country": (address.get("country") or "").upper(),
        "postal_code": address.get("postal_code") or "",
        "channel": data.get("channel") or "web",
        "shipping_amount": data.get("shipping_amount") or Decimal("0"),
        "shipping_tax_amount": data.get("shipping_tax_amount") or Decimal("0"),
        "discount_amount": data.get("discount_amount") or Decimal("0"),
        "tags": list(data.get("tags") or []),
        "payment_reference": data.get("payment_reference") or "",
    }
    lines = [
        {
            "external_id": line["external_id"],
            "sku": line["sku"],
            "product_id": (line.get("product_id") or "").strip(),
            "title": line.get("title") or line["sku"],
            "category": (line.get("category") or "").lower(),
            "vendor": line.get("vendor") or "",
            "tags": list(line.get("tags") or []),
            "quantity": line["quantity"],
            "unit_price": line["unit_price"],
            "discount_amount": line.get("discount") or Decimal("0"),
            "order_discount_amount": share,
            "tax_amount": line.get("tax") or Decimal("0"),
            "final_sale": bool(line.get("final_sale")),
            "options": line.get("options") or {},
            "image_url": line.get("image_url") or "",
            "position": position,
        }
        for position, (line, share) in enumerate(
            zip(data["lines"], order_discount_split(data), strict=True)
        )
    ]
    return {**data, "_row": row, "_lines": lines}


def _variants_resolve(store: Store, orders: list[dict[str, Any]]) -> None:
    """Each prepared line's variant (by SKU, one query) and the product id: kept as received,
    or as the catalog says when the line came without one (analytics group variants by it,
    and a later change of the catalog does not move past sales)."""
    skus = {line["sku"] for data in orders for line in data["_lines"]}
    variants = {
        sku: (variant_id, product_external_id)
        for sku, variant_id, product_external_id in Variant.objects.filter(
            store=store, sku__in=skus
        ).values_list("sku", "id", "product__external_id")
    }
    for data in orders:
        for line in data["_lines"]:
            variant_id, product_external_id = variants.get(line["sku"], (None, ""))
            line["variant"] = variant_id
            line["product_id"] = line["product_id"] or product_external_id
        customer = data["customer"]
        written = [
            customer.get("external_id") or "",
            _customer_values(customer),
            data["_row"],
            data["_lines"],
        ]
        text = json.dumps(written, sort_keys=True, default=str, separators=(",", ":"))
        data["_digest"] = hashlib.sha256(text.encode()).hexdigest()


def _unchanged(store: Store, entries: list[tuple[int, dict[str, Any]]]) -> dict[int, OrderOutcome]:
    """The outcomes of the orders of `entries` whose digest is what the intake last wrote for
    them: nothing of theirs is written again (not the order, its lines, its customer, nor the
    analytics of its sales). Read without a lock: an order changed meanwhile by another call
    ends as that call left it, as if this one had come first."""
    known = {
        external_id: (pk, digest)
        for external_id, pk, digest in Order.objects.filter(
            store=store, external_id__in=[data["external_id"] for _, data in entries]
        )
        .exclude(intake_digest="")
        .values_list("external_id", "id", "intake_digest")
    }
    found: dict[int, OrderOutcome] = {}
    for index, data in entries:
        pk, digest = known.get(data["external_id"], (None, ""))
        if pk is not None and digest == data["_digest"]:
            found[index] = OrderOutcome(data["external_id"], pk, False)
    return found


def _customer_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "email": data["email"].strip().lower(),
        "name": data.get("name") or "",
        "phone": data.get("phone") or "",
        "tier": (data.get("tier") or "").lower(),
        "tags": list(data.get("tags") or []),
        "language": data.get("language") or "",
    }


def _customers_write(store: Store, customers: list[dict[str, Any]]) -> list[int]:
    """The customer id for each of `customers`, created or updated. A customer sent several
    times in one call ends with the last values sent, as if the orders came one by one."""
    known: dict[str, dict[str, Any]] = {}
    guests: dict[str, dict[str, Any]] = {}
    keys: list[tuple[str, str]] = []
    for data in customers:
        values = _customer_values(data)
        external_id = data.get("external_id") or ""
        if external_id:
            known[external_id] = {"external_id": external_id, **values}
            keys.append(("known", external_id))
        else:
            # Without an external id the store knows the customer by e-mail alone (a guest).
            guests[values["email"]] = values
            keys.append(("guest", values["email"]))
    ids = {("known", external_id): pk for external_id, pk in _known_write(store, known).items()}
    ids.update({("guest", email): pk for email, pk in _guests_write(store, guests).items()})
    return [ids[key] for key in keys]


def _known_write(store: Store, known: dict[str, dict[str, Any]]) -> dict[str, int]:
    if not known:
        return {}
    return upserts.customers_upsert_by_external_id(store.id, list(known.values()), timezone.now())


def _guests_write(store: Store, guests: dict[str, dict[str, Any]]) -> dict[str, int]:
    if not guests:
        return {}
    upserts.guests_lock(store.id, list(guests))
    found: dict[str, Customer] = {}
    for customer in Customer.objects.filter(
        store=store, external_id="", email__in=list(guests)
    ).order_by("-id"):
        found[customer.email] = customer  # the oldest of any duplicates wins
    changed: list[Customer] = []
    for email, values in guests.items():
        customer = found.get(email)
        if customer is not None and any(getattr(customer, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(customer, name, value)
            customer.updated_at = timezone.now()
            changed.append(customer)
    if changed:
        Customer.objects.bulk_update(
            sorted(changed, key=lambda c: c.id), [*guests[changed[0].email], "updated_at"]
        )
    new = [
        Customer(store=store, external_id="", **values)
        for email, values in sorted(guests.items())
        if email not in found
    ]
    if new:
        Customer.objects.bulk_create(new)
    return {
        email: customer.id for email, customer in {**found, **{c.email: c for c in new}}.items()
    }
