"""Reads of returns, always within one store: another store's return is simply not found."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.dateparse import parse_datetime

from retorno.core.errors import NotFound, Unprocessable
from retorno.domain.analytics.periods import Basis, Period
from retorno.domain.money.timing import RefundTiming, return_refund_timing
from retorno.domain.policies import (
    Decision,
    PolicyDocumentError,
    decide,
    default_policy_document,
    parse_policy,
)
from retorno.domain.returns.amounts import return_amounts
from retorno.domain.returns.ledger import ItemDecision
from retorno.domain.returns.reasons import next_size, size_direction
from retorno.domain.returns.rma import normalise_rma
from retorno.domain.returns.states import RELEASING_STATES
from retorno.insight import selectors as insight_selectors
from retorno.logistics.models import Shipment
from retorno.orders.models import Customer, Order, OrderLine, Variant
from retorno.policies.selectors import compiled_policy, policy_version_to_decide
from retorno.policies.services import policy_errors
from retorno.returns import adapters
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.returns.workflows.signals import signals_for_decision
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


def return_get_for_store(*, store: Store, rma: str) -> Return:
    return_request = _with_items(Return.objects.filter(store=store, rma=normalise_rma(rma))).first()
    if return_request is None:
        raise NotFound(f"No return {rma!r} in this store.", code="return_not_found")
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
    queryset = Return.objects.filter(store=store)
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
        queryset = queryset.filter(
            Q(updated_at__gt=after_at) | Q(updated_at=after_at, id__gt=after_id)
        )
    rows = list(_with_items(queryset.order_by("updated_at", "id"))[: limit + 1])
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


def order_eligibility_for_store(
    *,
    store: Store,
    external_id: str,
    now: datetime,
    policy_document: dict[str, Any] | None = None,
    items: list[dict[str, Any]] | None = None,
    resolution: str | None = None,
) -> Eligibility:
    """The policy decision for an order's lines, without writing anything.

    With `policy_document` the order is decided under that (unsaved) policy: the policy
    editor's "try it on this order". With `items` the decision is for that request.
    """
    order = (
        Order.objects.select_related("customer")
        .filter(store=store, external_id=external_id)
        .first()
    )
    if order is None:
        raise NotFound(f"No order {external_id!r} in this store.", code="order_not_found")
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
    request = adapters.request_facts(items, resolution) if items else None
    signals = signals_for_decision(
        policy=policy,
        store=store,
        order=order,
        lines=lines,
        requested_lines=[item["line"] for item in items or ()],
        now=now,
    )
    decision = decide(
        policy,
        adapters.order_facts(order, lines, held),
        adapters.customer_facts(order.customer, signals),
        request,
        adapters.decision_clock(now, store),
    )
    return Eligibility(
        order=order, lines=lines, policy_version=version, decision=decision, evaluated_at=now
    )


# --- shopper-facing reads (customer portal and tracking page) -----------------------------------


def _order_number_variants(number: str) -> list[str]:
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
        store=store, number__in=_order_number_variants(number)
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
) -> ReturnQuote:
    """The policy decision and the amounts (item value, fees, bonus, total) of a return request
    before it is made: same engine, same arithmetic as `return_create`. Writes nothing."""
    eligibility = order_eligibility_for_store(
        store=store, external_id=external_id, now=now, items=items, resolution=resolution
    )
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
        return_shipping_fee=decision.return_shipping_fee,
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
    )


@dataclass(frozen=True)
class ExchangeOptions:
    """In-stock variants of a line's product that could replace it, and the one we propose."""

    variants: list[Any]
    proposed: Any | None


def exchange_options_for_line(*, store: Store, line: Any, reason: str) -> ExchangeOptions:
    """Other in-stock variants of the same product as `line`. For a sizing reason the proposal
    is the next size in the complaint's direction (same colour first); otherwise none."""
    variant = line.variant
    if variant is None:
        return ExchangeOptions(variants=[], proposed=None)
    options = list(
        Variant.objects.filter(store=store, product_id=variant.product_id, stock__gt=0)
        .exclude(id=variant.id)
        .order_by("id")
    )
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
    return ExchangeOptions(variants=options, proposed=proposed)


# --- staff back office: the returns queue and the dashboard -------------------------------------

# Returns someone still has to work on; the others are finished (or only wait to be closed).
OPEN_STATUSES = (
    "requested",
    "pending_review",
    "approved",
    "in_transit",
    "received",
    "inspected",
)
FINISHED_STATUSES = ("resolved", "rejected", "cancelled", "closed")

# Age of a return in whole days since it was requested: bucket -> (from, to) inclusive.
QUEUE_AGE_BUCKETS: dict[str, tuple[int, int | None]] = {
    "0-2": (0, 2),
    "3-7": (3, 7),
    "8-14": (8, 14),
    "15-30": (15, 30),
    "31+": (31, None),
}
QUEUE_MAX_PER_PAGE = 100


@dataclass(frozen=True)
class ReturnQueueFilters:
    """What a staff member narrows the queue to. Empty strings mean "any".

    `status` is a return status or "open" (every status still needing work). `q` is matched
    exactly against the RMA, the order number or id, the customer's email and (once logistics
    stores shipments) a tracking number. `predicted_reason`: an item's comment reads as that
    reason (the classifier answered it); `comment_mismatch`: an item's comment gives another
    reason than the one picked.
    """

    status: str = ""
    reason: str = ""
    predicted_reason: str = ""
    comment_mismatch: bool = False
    method: str = ""
    resolution: str = ""
    age: str = ""
    tier: str = ""
    needs_review: bool = False
    q: str = ""
    # Drill-downs from the analytics: the returns behind a figure (docs/analytics.md).
    product: str = ""
    sku: str = ""
    category: str = ""
    vendor: str = ""
    region: str = ""
    carrier: str = ""
    counted: bool = False  # only returns the figures count (not rejected, not cancelled)
    period: Period | None = None


@dataclass(frozen=True)
class ReturnQueuePage:
    results: list[Return]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def _tracking_number_filter(*, store: Store, text: str) -> Q | None:
    """Hook for the search by carrier tracking number: None until logistics keeps shipments.

    When it does, return e.g. `Q(id__in=Shipment.objects.filter(store=store,
    tracking_number=text).values("return_id"))`; the queue's query count stays the same.
    """
    return None


def _queue_search(store: Store, text: str) -> Q:
    text = text.strip()[:254]
    match = Q(rma=normalise_rma(text))
    match |= Q(order__number__in=_order_number_variants(text)) | Q(order__external_id=text)
    if "@" in text:
        match |= Q(customer__email=text.lower())
    tracking = _tracking_number_filter(store=store, text=text)
    if tracking is not None:
        match |= tracking
    return match


def _drill_down(store: Store, queryset: QuerySet[Return], filters: ReturnQueueFilters) -> Any:
    """The analytics' drill-down filters: the same facts the figures count by (the order line's
    product id or title, SKU, category and vendor as sent; the address's region or the order's
    country; a carrier of the return's shipments; the period by request or order date)."""
    lines = Q()
    if filters.product:
        lines &= Q(order_line__product_id=filters.product) | Q(
            order_line__product_id="", order_line__title=filters.product
        )
    for name in ("sku", "category", "vendor"):
        if getattr(filters, name):
            lines &= Q(**{f"order_line__{name}": getattr(filters, name)})
    if lines:
        counted = ~Q(decision=ItemDecision.REJECTED) if filters.counted else Q()
        queryset = queryset.filter(
            Exists(ReturnItem.objects.filter(lines, counted, return_request=OuterRef("pk")))
        )
    if filters.region:
        no_region = ~Q(order__shipping_address__has_key="region") | Q(
            order__shipping_address__region=""
        )
        queryset = queryset.filter(
            Q(order__shipping_address__region=filters.region)
            | (Q(order__country=filters.region) & no_region)
        )
    if filters.carrier:
        queryset = queryset.filter(
            id__in=Shipment.objects.filter(
                store=store, carrier_account__name=filters.carrier
            ).values("return_id")
        )
    if filters.counted:
        queryset = queryset.exclude(status__in=[s.value for s in RELEASING_STATES])
    if filters.period is not None:
        start, end = filters.period.bounds(store.timezone)
        field = "order__placed_at" if filters.period.basis is Basis.ORDER else "created_at"
        queryset = queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
    return queryset


def return_queue_for_store(
    *,
    store: Store,
    filters: ReturnQueueFilters,
    now: datetime,
    page: int = 1,
    per_page: int = 25,
) -> ReturnQueuePage:
    """One page of the store's returns for staff, filtered and searched.

    Order: returns waiting for review first, then other open ones, then finished ones; oldest
    first within each group, so nothing waits forever. Three queries whatever the page size:
    the count, the page (with order and customer) and its items.
    """
    queryset = Return.objects.filter(store=store)
    if filters.status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.needs_review:
        queryset = queryset.filter(status="pending_review")
    if filters.method:
        queryset = queryset.filter(method=filters.method)
    if filters.resolution:
        queryset = queryset.filter(resolution=filters.resolution)
    if filters.tier:
        queryset = queryset.filter(customer__tier=filters.tier)
    if filters.reason:
        queryset = queryset.filter(
            Exists(ReturnItem.objects.filter(return_request=OuterRef("pk"), reason=filters.reason))
        )
    if filters.predicted_reason or filters.comment_mismatch:
        queryset = queryset.filter(
            id__in=insight_selectors.return_ids_predicted(
                store=store, reason=filters.predicted_reason, mismatch=filters.comment_mismatch
            )
        )
    if filters.age in QUEUE_AGE_BUCKETS:
        youngest, oldest = QUEUE_AGE_BUCKETS[filters.age]
        queryset = queryset.filter(created_at__lte=now - timedelta(days=youngest))
        if oldest is not None:
            queryset = queryset.filter(created_at__gt=now - timedelta(days=oldest + 1))
    if filters.q.strip():
        queryset = queryset.filter(_queue_search(store, filters.q))
    queryset = _drill_down(store, queryset, filters)

    per_page = max(1, min(per_page, QUEUE_MAX_PER_PAGE))
    total = queryset.count()
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    ordered = queryset.annotate(
        queue_rank=Case(
            When(status="pending_review", then=Value(0)),
            When(status__in=FINISHED_STATUSES, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("queue_rank", "created_at", "id")
    start = (page - 1) * per_page
    rows = list(
        ordered.select_related("order", "customer").prefetch_related("items")[
            start : start + per_page
        ]
    )
    return ReturnQueuePage(results=rows, total=total, page=page, pages=pages, per_page=per_page)


def customer_tiers_for_store(*, store: Store) -> list[str]:
    """The loyalty tiers the store's returning customers have, for the queue's tier filter.

    Read from customers, each tier once: `.distinct()` on returns would keep their default
    ordering (created_at, id) in the SELECT and list a tier once per return."""
    return list(
        Customer.objects.filter(store=store, returns__isnull=False)
        .exclude(tier="")
        .order_by("tier")
        .values_list("tier", flat=True)
        .distinct()
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


@dataclass(frozen=True)
class ReturnDashboard:
    counts_by_status: dict[str, int]
    open_total: int
    needs_review: int
    oldest_open: list[Return]


def return_dashboard_for_store(*, store: Store, oldest_limit: int = 5) -> ReturnDashboard:
    """Counts by status and the oldest open returns of a store: two queries."""
    counts = {
        row["status"]: row["n"]
        for row in Return.objects.filter(store=store)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    }
    oldest = list(
        Return.objects.filter(store=store, status__in=OPEN_STATUSES)
        .select_related("customer")
        .order_by("created_at", "id")[:oldest_limit]
    )
    return ReturnDashboard(
        counts_by_status=counts,
        open_total=sum(counts.get(s, 0) for s in OPEN_STATUSES),
        needs_review=counts.get("pending_review", 0),
        oldest_open=oldest,
    )


CUSTOMER_RETURNS_SHOWN = 50


def returns_for_customer(*, store: Store, customer_id: int) -> list[Return]:
    """The customer's latest returns in this store, with their order and items: two queries."""
    return list(
        Return.objects.filter(store=store, customer_id=customer_id)
        .select_related("order")
        .prefetch_related("items")
        .order_by("-created_at", "-id")[:CUSTOMER_RETURNS_SHOWN]
    )
