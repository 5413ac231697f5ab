"""Reads of returns, always within one store: another store's return is simply not found."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Prefetch,
    QuerySet,
)
from django.utils.dateparse import parse_datetime

from retorno.core import keyset
from retorno.core.errors import NotFound, Unprocessable
from retorno.domain.money.timing import RefundTiming, return_refund_timing
from retorno.domain.policies import (
    Decision,
    Policy,
    PolicyDocumentError,
    decide,
    default_policy_document,
    parse_policy,
)
from retorno.domain.returns.amounts import return_amounts
from retorno.domain.returns.method_prices import decision_method_fee, method_prices
from retorno.domain.returns.reasons import next_size, size_direction
from retorno.domain.returns.rma import normalise_rma
from retorno.orders.models import Order, OrderLine, Variant
from retorno.policies.selectors import compiled_policy, policy_version_to_decide
from retorno.policies.services import policy_errors
from retorno.returns import adapters
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.returns.selectors.return_read import return_for_body
from retorno.returns.workflows.signals import signals_for_quote
from retorno.stores.models import Store


def _with_items(queryset: QuerySet[Return]) -> QuerySet[Return]:
    return queryset.select_related("order", "customer", "policy_version").prefetch_related(
        Prefetch(
            "items",
            queryset=ReturnItem.objects.with_settled_units().select_related(
                "order_line", "exchange_variant"
            ),
        )
    )


# The columns the API's return body (api.v1.render.return_body) never reads: a policy's whole
# document, the order's address and tags, the decision's trace. Left in the database, a read of
# one return costs about what a bare read of its rows does.
_BODY_DEFERRED = (
    "decision",
    "pickup_address",
    "shop_now",
    "order__shipping_address",
    "order__tags",
    "customer__tags",
    "policy_version__document",
)


def return_get_for_body(*, store: Store, rma: str) -> Return:
    """The return as the API shows it (return_get_for_store without the columns it never
    shows); NotFound (return_not_found) when the store has none with this RMA."""
    return_request = return_for_body(store.id, normalise_rma(rma))
    if return_request is None:
        raise NotFound(f"No return {rma!r} in this store.", code="return_not_found")
    return_request.store = store  # the caller's: its links read the store's domain, no query
    return return_request


def return_get_for_store(*, store: Store, rma: str) -> Return:
    return_request = _with_items(Return.objects.filter(store=store, rma=normalise_rma(rma))).first()
    if return_request is None:
        raise NotFound(f"No return {rma!r} in this store.", code="return_not_found")
    return_request.store = store  # the caller's: its links read the store's domain, no query
    return return_request


@dataclass(frozen=True)
class ReturnPage:
    results: list[Return]
    next_cursor: str | None


def return_find_for_store(*, store: Store, rma: str) -> Return | None:
    """The store's return with this RMA as typed or scanned (normalised), or None."""
    return Return.objects.filter(store=store, rma=normalise_rma(rma)).first()


def return_list_for_store(
    *,
    store: Store,
    status: str | None = None,
    customer_email: str | None = None,
    order: str | None = None,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> ReturnPage:
    """Returns ordered by last change (oldest first), so a client can sync with `updated_since`
    and follow `next_cursor` without missing or repeating a row."""
    queryset: QuerySet[Return] = Return.objects.filter(store=store)
    if status:
        queryset = queryset.filter(status=status)
    if customer_email:
        queryset = queryset.filter(customer__email=customer_email.strip().lower())
    if order:
        queryset = queryset.filter(order__external_id=order)
    if updated_since:
        queryset = queryset.filter(updated_at__gte=updated_since)
    if cursor:
        after_at, after_id = _decode_cursor(cursor)
        # A row comparison: the index on (store, updated_at, id) starts at the cursor.
        queryset = keyset.after(queryset, ("updated_at", "id"), (after_at, after_id))
    rows = list(
        _with_items(queryset.order_by("updated_at", "id").defer(*_BODY_DEFERRED))[: limit + 1]
    )
    for row in rows:
        row.store = store  # the caller's: each return's links read the store's domain, no query
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return ReturnPage(results=rows[:limit], next_cursor=next_cursor)


def return_events_for_store(*, store: Store, rma: str) -> list[ReturnEvent]:
    return_request = Return.objects.filter(store=store, rma=normalise_rma(rma)).only("id").first()
    if return_request is None:
        raise NotFound(f"No return {rma!r} in this store.", code="return_not_found")
    return list(
        ReturnEvent.objects.filter(return_request=return_request).order_by("created_at", "id")
    )


def _encode_cursor(row: Return) -> str:
    raw = json.dumps([row.updated_at.isoformat(), row.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at_text, row_id = json.loads(raw)
        at = parse_datetime(at_text)
        if at is None or at.tzinfo is None or not isinstance(row_id, int):
            raise ValueError
        return at.astimezone(UTC), row_id
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise Unprocessable(
            "The cursor is not valid; start again without it.", code="invalid_cursor"
        ) from exc


@dataclass(frozen=True)
class Eligibility:
    order: Order
    lines: list[OrderLine]
    policy_version: int
    decision: Decision
    evaluated_at: datetime


@dataclass(frozen=True)
class _Facts:
    """What deciding an order's request reads from the database: read once, decided for as
    many resolutions as asked (deciding is pure and cheap, reading is not)."""

    order: Order
    lines: list[Any]
    held: dict[int, int]
    policy: Policy
    version: int
    signals: frozenset[str]


def _decision_facts(
    *,
    store: Store,
    external_id: str,
    now: datetime,
    policy_document: dict[str, Any] | None,
    items: list[dict[str, Any]] | None,
    order: Order | None = None,
) -> _Facts:
    if order is None or order.store_id != store.id or order.external_id != external_id:
        order = (
            Order.objects.select_related("customer")
            .filter(store=store, external_id=external_id)
            .first()
        )
    if order is None:
        raise NotFound(f"No order {external_id!r} in this store.", code="order_not_found")
    order.store = store  # the caller's: reading `order.store` costs no query
    lines, held = adapters.lines_with_held(order)
    if policy_document is not None:
        try:
            policy = parse_policy(policy_document)
        except PolicyDocumentError as exc:
            raise Unprocessable(str(exc), code="invalid_policy", errors=policy_errors(exc)) from exc
        version = 0
    else:
        current = policy_version_to_decide(store=store)
        if current is None:
            policy = parse_policy(default_policy_document())
            version = 0
        else:
            policy = compiled_policy(current)
            version = current.version
    # The signals depend on the customer and the lines asked for, not on the resolution.
    signals = signals_for_quote(
        policy=policy,
        version=version,
        store=store,
        order=order,
        lines=lines,
        requested_lines=[item["line"] for item in items or ()],
        now=now,
    )
    return _Facts(order, lines, held, policy, version, signals)


def _decided(
    facts: _Facts,
    *,
    store: Store,
    now: datetime,
    items: list[dict[str, Any]] | None,
    resolution: str | None,
) -> Eligibility:
    order = facts.order
    decision = decide(
        facts.policy,
        adapters.order_facts(order, facts.lines, facts.held),
        adapters.customer_facts(order.customer, facts.signals),
        adapters.request_facts(items, resolution) if items else None,
        adapters.decision_clock(now, store),
    )
    return Eligibility(
        order=order,
        lines=facts.lines,
        policy_version=facts.version,
        decision=decision,
        evaluated_at=now,
    )


def order_eligibility_for_store(
    *,
    store: Store,
    external_id: str,
    now: datetime,
    policy_document: dict[str, Any] | None = None,
    items: list[dict[str, Any]] | None = None,
    resolution: str | None = None,
    order: Order | None = None,
) -> Eligibility:
    """The policy decision for an order's lines, without writing anything.

    With `policy_document` the order is decided under that (unsaved) policy: the policy
    editor's "try it on this order". With `items` the decision is for that request. `order`,
    when the caller has just read it (with its customer), is not read again.
    """
    facts = _decision_facts(
        store=store,
        external_id=external_id,
        now=now,
        policy_document=policy_document,
        items=items,
        order=order,
    )
    return _decided(facts, store=store, now=now, items=items, resolution=resolution)


# --- shopper-facing reads (customer portal and tracking page) -----------------------------------


def order_number_variants(number: str) -> list[str]:
    """How people type an order number: as given, without and with its "#"."""
    number = number.strip()
    bare = number.lstrip("#").strip()
    return list(dict.fromkeys([number, bare, f"#{bare}"]))


def order_find_for_shopper(*, store: Store, number: str, email: str) -> Order | None:
    """The store's order with this number whose customer's e-mail is `email`, or None. A wrong
    pair and an unknown order look exactly alike to the caller, so nothing can be enumerated."""
    number = number.strip()[:64]
    email = email.strip().lower()[:254]
    if not number or "@" not in email:
        return None
    candidates = Order.objects.select_related("customer").filter(
        store=store, number__in=order_number_variants(number)
    )[:5]
    for order in candidates:
        if order.customer.email.strip().lower() == email:
            return order
    return None


def return_get_by_token(*, token: str) -> Return:
    """The return behind a tracking link, with what its page shows. Unknown or tampered tokens
    are simply not found."""
    if not token or len(token) > 64:
        raise NotFound("No such return.", code="return_not_found")
    return_request = (
        Return.objects.select_related("store", "order", "customer")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=ReturnItem.objects.with_settled_units().select_related(
                    "order_line__variant__product", "exchange_variant"
                ),
            ),
            Prefetch("events", queryset=ReturnEvent.objects.order_by("created_at", "id")),
        )
        .filter(tracking_token=token)
        .first()
    )
    if return_request is None:
        raise NotFound("No such return.", code="return_not_found")
    return return_request


@dataclass(frozen=True)
class ReturnQuote:
    """The amounts a return would have, computed exactly as return_create computes them."""

    decision: Decision
    currency: str
    items_amount: Any
    restocking_fee_amount: Any
    return_shipping_fee_amount: Any
    shipping_refund_amount: Any
    refund_amount: Any
    store_credit_bonus_amount: Any
    store_credit_bonus_percent: Any
    store_credit_total_amount: Any
    keeps_items: bool = False  # kept once approved: nothing is sent back, no fees
    resolution: str | None = None

    @property
    def refund_timing(self) -> RefundTiming:
        """When the refund of such a return is due: the latest of its lines' timings."""
        return return_refund_timing(line.refund_timing for line in self.decision.lines)


def return_quote_for_store(
    *,
    store: Store,
    external_id: str,
    items: list[dict[str, Any]],
    resolution: str | None,
    now: datetime,
    method: str | None = None,
) -> ReturnQuote:
    """The policy decision and the amounts (item value, fees, bonus, total) of a return request
    before it is made: same engine, same arithmetic as `return_create`. `method`, once chosen,
    prices the return shipping as the store does (None: the policy's fee). Writes nothing."""
    return return_quotes_for_store(
        store=store,
        external_id=external_id,
        items=items,
        resolutions=[resolution],
        now=now,
        method=method,
    )[resolution]


def return_quotes_for_store(
    *,
    store: Store,
    external_id: str,
    items: list[dict[str, Any]],
    resolutions: list[str | None],
    now: datetime,
    order: Order | None = None,
    method: str | None = None,
) -> dict[str | None, ReturnQuote]:
    """`return_quote_for_store` for each of `resolutions` (the options step weighs them all),
    reading the order, the policy and the customer's signals once. `order`, when the caller
    has just read it (with its customer), is not read again."""
    facts = _decision_facts(
        store=store,
        external_id=external_id,
        now=now,
        policy_document=None,
        items=items,
        order=order,
    )
    return {
        resolution: _quote(
            _decided(facts, store=store, now=now, items=items, resolution=resolution),
            resolution,
            store=store,
            method=method,
        )
        for resolution in resolutions
    }


def _quote(
    eligibility: Eligibility, resolution: str | None, *, store: Store, method: str | None
) -> ReturnQuote:
    order = eligibility.order
    decision = eligibility.decision
    currency = order.currency
    # The policy values each line's units with the shares the return's items will take
    # (`units_paid_amount` after the units other returns hold): that is what the items are worth.
    items_amount = sum((d.return_value for d in decision.lines), Decimal("0"))
    # A return the policy lets the shopper keep is settled at approval without fees: nothing
    # travels and nothing is restocked (returns/workflows/resolving.py, keep-the-item).
    keeps_items = decision.kept_by_shopper(resolution)
    percent = decision.store_credit_bonus_percent
    amounts = return_amounts(
        items_amount=items_amount,
        restocking_fee=sum((d.restocking_fee for d in decision.lines), Decimal("0")),
        return_shipping_fee=decision_method_fee(
            decision, method, method_prices(store.return_method_prices, currency)
        ),
        shipping_refund=adapters.shipping_refund_available(order)
        if decision.refund_shipping
        else Decimal("0"),
        bonus_percent=percent,
        kept=keeps_items,
        currency=currency,
        resolution=resolution,
    )
    return ReturnQuote(
        decision=decision,
        currency=currency,
        items_amount=amounts.items_amount,
        restocking_fee_amount=amounts.restocking_fee_amount,
        return_shipping_fee_amount=amounts.return_shipping_fee_amount,
        shipping_refund_amount=amounts.shipping_refund_amount,
        refund_amount=amounts.refund_amount,
        store_credit_bonus_amount=amounts.store_credit_bonus_amount,
        store_credit_bonus_percent=percent,
        store_credit_total_amount=amounts.store_credit_total_amount,
        keeps_items=keeps_items,
        resolution=resolution,
    )


def quote_for_method(quote: ReturnQuote, *, store: Store, method: str | None) -> ReturnQuote:
    """The same quote with the return sent back by `method`, at the store's price for it: only
    the return shipping fee and what follows from it change (pure arithmetic, nothing read)."""
    decision = quote.decision
    amounts = return_amounts(
        items_amount=quote.items_amount,
        restocking_fee=sum((d.restocking_fee for d in decision.lines), Decimal("0")),
        return_shipping_fee=decision_method_fee(
            decision, method, method_prices(store.return_method_prices, quote.currency)
        ),
        shipping_refund=quote.shipping_refund_amount,
        bonus_percent=quote.store_credit_bonus_percent,
        kept=quote.keeps_items,
        currency=quote.currency,
        resolution=quote.resolution,
    )
    return replace(
        quote,
        return_shipping_fee_amount=amounts.return_shipping_fee_amount,
        refund_amount=amounts.refund_amount,
        store_credit_bonus_amount=amounts.store_credit_bonus_amount,
        store_credit_total_amount=amounts.store_credit_total_amount,
    )


@dataclass(frozen=True)
class ExchangeOptions:
    """In-stock variants of a line's product that could replace it, the one we propose, and
    the sold-out ones (shown, never chosen). Variants come with their product."""

    variants: list[Any]
    proposed: Any | None
    sold_out: list[Any] = field(default_factory=list)


def exchange_options_for_line(*, store: Store, line: Any, reason: str) -> ExchangeOptions:
    """Other variants of the same product as `line`, in stock first-class and sold out aside.
    For a sizing reason the proposal is the next size in stock in the complaint's direction
    (same colour first); otherwise none."""
    variant = line.variant
    if variant is None:
        return ExchangeOptions(variants=[], proposed=None)
    every = list(
        Variant.objects.filter(store=store, product_id=variant.product_id)
        .exclude(id=variant.id)
        .select_related("product")
        .order_by("id")
    )
    options = [v for v in every if v.stock > 0]
    proposed = None
    direction = size_direction(reason)
    size = (variant.options or {}).get("size")
    if direction and size:
        same_rest = [
            v
            for v in options
            if {k: x for k, x in (v.options or {}).items() if k != "size"}
            == {k: x for k, x in (variant.options or {}).items() if k != "size"}
        ]
        for pool in (same_rest, options):
            wanted = next_size(size, [(v.options or {}).get("size", "") for v in pool], direction)
            if wanted is not None:
                proposed = next(v for v in pool if (v.options or {}).get("size") == wanted)
                break
    return ExchangeOptions(
        variants=options, proposed=proposed, sold_out=[v for v in every if v.stock <= 0]
    )


def return_detail_for_store(*, store: Store, rma: str) -> Return:
    """A return with everything its staff page shows: items (line, variant, exchange variant),
    the policy version and the event trail, in a fixed number of queries."""
    return_request = (
        Return.objects.filter(store=store, rma=normalise_rma(rma))
        .select_related("order", "customer", "policy_version")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=ReturnItem.objects.with_settled_units().select_related(
                    "order_line__variant", "exchange_variant"
                ),
            ),
            Prefetch("events", queryset=ReturnEvent.objects.order_by("created_at", "id")),
        )
        .first()
    )
    if return_request is None:
        raise NotFound(f"No return {rma!r} in this store.", code="return_not_found")
    return return_request


CUSTOMER_RETURNS_SHOWN = 50


def returns_for_customer(*, store: Store, customer_id: int) -> list[Return]:
    """The customer's latest returns in this store, with their order and items: two queries."""
    return list(
        Return.objects.filter(store=store, customer_id=customer_id)
        .select_related("order")
        .prefetch_related("items")
        .order_by("-created_at", "-id")[:CUSTOMER_RETURNS_SHOWN]
    )
