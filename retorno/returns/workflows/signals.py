"""A customer's history as the abuse signals read it, and the signals themselves.

The signals are pure (retorno.domain.insight.signals); this module reads what they need from
the store's orders, returns, inspections, receiving (unexpected items, parcel checks) and
claims, over the signals' window, in a fixed number of queries. It serves the back office (a
return's page, a customer's page) and the policy: a rule with `signal_any` gets the signals
that hold for the customer and the request being decided.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Prefetch, Sum

from retorno.domain.insight.signals import (
    DEFAULT_THRESHOLDS,
    ClaimFact,
    History,
    LineFact,
    OrderFact,
    ReturnedUnit,
    ReturnFact,
    Signal,
    customer_signals,
    fired_codes,
)
from retorno.domain.policies import Policy
from retorno.domain.returns.events import EventKind
from retorno.domain.returns.states import RELEASING_STATES
from retorno.money.models import Claim
from retorno.orders.models import Order, OrderLine
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.stores.models import Store
from retorno.warehouse.models import Inspection, UnexpectedItem


def _product_key(line: OrderLine) -> str:
    variant = line.variant
    return f"product:{variant.product_id}" if variant is not None else f"title:{line.title}"


def customer_history(*, store: Store, customer_id: int, now: datetime) -> History:
    """Everything the signals read about one customer of `store`, over the window. Nine
    queries whatever the history's size."""
    since = now - timedelta(days=DEFAULT_THRESHOLDS.window_days)
    orders = list(
        Order.objects.filter(store=store, customer_id=customer_id, placed_at__gte=since)
        .order_by("placed_at", "id")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related("variant")))
    )
    returns = list(
        Return.objects.filter(store=store, customer_id=customer_id, created_at__gte=since)
        .exclude(status__in=[str(s) for s in RELEASING_STATES])
        .select_related("order")
        .prefetch_related(
            Prefetch("items", queryset=ReturnItem.objects.select_related("order_line__variant"))
        )
    )
    order_ids = [order.id for order in orders]
    held = dict(
        ReturnItem.objects.filter(order_line__order_id__in=order_ids)
        .exclude(return_request__status__in=[str(s) for s in RELEASING_STATES])
        .values("order_line_id")
        .annotate(units=Sum("quantity_requested"))
        .values_list("order_line_id", "units")
    )
    return_ids = [ret.id for ret in returns]
    checks = _parcel_checks(return_ids)
    unexpected: dict[int, list[str]] = defaultdict(list)
    for return_id, sku in UnexpectedItem.objects.filter(
        store=store, return_id__in=return_ids
    ).values_list("return_id", "sku"):
        unexpected[return_id].append(sku)
    by_id = {ret.id: ret for ret in returns}
    inspected = [
        ReturnedUnit(
            rma=row.rma,
            line_id=row.line,
            category=row.category,
            reason=row.reason,
            requested_at=by_id[row.return_id].created_at,
            delivered_at=by_id[row.return_id].order.delivered_at,
            grade=row.grade,
            failed_checks=tuple(row.failed_checks or ()),
        )
        for row in Inspection.objects.filter(store=store, return_id__in=return_ids)
        if row.return_id in by_id
    ]
    claims = Claim.objects.filter(store=store, customer_id=customer_id, created_at__gte=since)
    return History(
        orders=tuple(_order_fact(order, held) for order in orders),
        returns=tuple(_return_fact(ret, checks.get(ret.id), unexpected[ret.id]) for ret in returns),
        inspected=tuple(inspected),
        claims=tuple(
            ClaimFact(claim.number, claim.reason, claim.created_at)
            for claim in claims.only("number", "reason", "created_at")
        ),
    )


def _parcel_checks(return_ids: list[int]) -> dict[int, dict[str, object]]:
    """What the parcel checks of each return found: for each fact (weight, serial), the latest
    check that recorded it."""
    found: dict[int, dict[str, object]] = defaultdict(dict)
    events = ReturnEvent.objects.filter(
        return_request_id__in=return_ids, kind=EventKind.PARCEL_CHECKED
    ).order_by("created_at", "id")
    for return_id, data in events.values_list("return_request_id", "data"):
        found[return_id].update({k: v for k, v in (data or {}).items() if v is not None})
    return found


def _order_fact(order: Order, held: dict[int, int]) -> OrderFact:
    return OrderFact(
        order_id=str(order.id),
        number=order.number,
        placed_at=order.placed_at,
        delivered_at=order.delivered_at,
        lines=tuple(
            LineFact(
                line_id=str(line.id),
                product_key=_product_key(line),
                variant_key=line.sku,
                category=line.category,
                quantity=line.quantity,
                returned_quantity=held.get(line.id, 0),
                options={str(k): str(v) for k, v in (line.options or {}).items()},
            )
            for line in order.lines.all()
        ),
    )


def _as_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _return_fact(ret: Return, check: dict[str, object] | None, skus: list[str]) -> ReturnFact:
    items = list(ret.items.all())
    check = check or {}
    serial = check.get("serial_matches")
    return ReturnFact(
        rma=ret.rma,
        order_id=str(ret.order_id),
        requested_at=ret.created_at,
        units=sum(item.quantity_requested for item in items),
        reasons=tuple(sorted({item.reason for item in items})),
        expected_weight_grams=_as_int(check.get("expected_weight_grams")),
        measured_weight_grams=_as_int(check.get("weight_grams")),
        serial_matches=serial if isinstance(serial, bool) else None,
        unexpected_skus=tuple(skus),
        units_missing=sum(item.quantity_missing for item in items),
    )


def signals_for_customer(
    *,
    store: Store,
    customer_id: int,
    now: datetime,
    requested: tuple[int, Iterable[int]] | None = None,
) -> tuple[Signal, ...]:
    """Every signal of the customer, with its evidence. `requested` (order id, order line ids)
    counts a return being asked for now in bracketing."""
    history = customer_history(store=store, customer_id=customer_id, now=now)
    asked = None
    if requested is not None:
        asked = (str(requested[0]), frozenset(str(line_id) for line_id in requested[1]))
    return customer_signals(history, now, requested=asked)


def signals_for_decision(
    *,
    policy: Policy,
    store: Store,
    order: Order,
    lines: Iterable[OrderLine],
    requested_lines: Iterable[str],
    now: datetime,
) -> frozenset[str]:
    """The codes of the signals that hold for the order's customer and this request (order
    line external ids), for a policy's `signal_any`; read only when a rule of `policy` asks
    (empty otherwise, at no cost)."""
    if not policy.uses_signals:
        return frozenset()
    wanted = set(requested_lines)
    line_ids = [line.id for line in lines if line.external_id in wanted]
    return fired_codes(
        signals_for_customer(
            store=store, customer_id=order.customer_id, now=now, requested=(order.id, line_ids)
        )
    )


# What a quote was shown with, kept a minute (see signals_for_quote).
QUOTE_SIGNALS_SECONDS = 60
_QUOTE_SIGNALS_LIMIT = 10_000
_quote_signals: dict[tuple[object, ...], tuple[float, frozenset[str]]] = {}


def signals_for_quote(
    *,
    policy: Policy,
    version: int,
    store: Store,
    order: Order,
    lines: Iterable[OrderLine],
    requested_lines: Iterable[str],
    now: datetime,
) -> frozenset[str]:
    """`signals_for_decision` for what a shopper or a caller is shown before a return is made
    (the portal's steps, eligibility, quotes), kept QUOTE_SIGNALS_SECONDS in the process per
    customer, order, lines asked for and policy version `version` (a new version reads again):
    the options step is opened again and again and the history read was a quarter of its time.
    A return is decided on signals read afresh (return_create), never on these."""
    if not policy.uses_signals:
        return frozenset()
    wanted = tuple(sorted(set(requested_lines)))
    key = (store.id, order.customer_id, order.id, version, wanted)
    clock = time.monotonic()
    kept = _quote_signals.get(key) if version else None
    if kept is not None and kept[0] > clock:
        return kept[1]
    codes = signals_for_decision(
        policy=policy,
        store=store,
        order=order,
        lines=lines,
        requested_lines=wanted,
        now=now,
    )
    if version:  # a draft policy (version 0) is never kept
        if len(_quote_signals) >= _QUOTE_SIGNALS_LIMIT:
            _quote_signals.clear()
        _quote_signals[key] = (clock + QUOTE_SIGNALS_SECONDS, codes)
    return codes


def quote_signals_forget() -> None:
    _quote_signals.clear()
