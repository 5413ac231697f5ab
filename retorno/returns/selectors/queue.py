"""The staff returns queue, its tier facet and the dashboard: reads that stay fast whatever the
store's history holds (a store with a few hundred returns a day has a million in a few years).

Every read here is served by an index and bounded: the queue's order is a stored column
(`Return.queue_rank`) with an index, its pages are keyset pages (the rows after a cursor, never
an OFFSET), its count stops at QUEUE_COUNT_CAP ("more than 1,000"), the search looks the text up
table by table through indexes (trigram indexes on PostgreSQL for text inside a value), the
dashboard's counts come from the status tally (retorno.returns.status_tally), and the tier
facet skips through an index of customers' tiers. tests/architecture and retorno/backoffice/tests check the statement
counts; retorno/returns/tests/test_queue_plans.py checks the plans on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, connections
from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_datetime

from retorno.core import keyset
from retorno.core.errors import Unprocessable
from retorno.domain.analytics.drill import NO_VALUE
from retorno.domain.analytics.periods import Basis, Period
from retorno.domain.analytics.stats import age_bucket
from retorno.domain.days import local_day
from retorno.domain.returns.events import EventKind
from retorno.domain.returns.ledger import ItemDecision
from retorno.domain.returns.rma import normalise_rma
from retorno.domain.returns.sla import sla_overdue_since
from retorno.domain.returns.states import RELEASING_STATES
from retorno.insight import selectors as insight_selectors
from retorno.logistics.models import Shipment
from retorno.orders.models import Customer, Order
from retorno.returns.models import QUEUE_FINISHED, Return, ReturnEvent, ReturnItem
from retorno.returns.selectors import order_number_variants
from retorno.returns.status_tally import status_tally_counts
from retorno.stores.models import Store

# Returns someone still has to work on; the others are finished (or only wait to be closed).
OPEN_STATUSES = (
    "requested",
    "pending_review",
    "approved",
    "in_transit",
    "received",
    "inspected",
)
FINISHED_STATUSES = tuple(s.value for s in QUEUE_FINISHED)
# queue_rank of the open statuses is below this (see Return.queue_rank).
OPEN_RANK_BELOW = 2

# The assignee filter's value for returns nobody has taken.
UNASSIGNED = -1

# Age of a return in whole days since it was requested: bucket -> (from, to) inclusive.
QUEUE_AGE_BUCKETS: dict[str, tuple[int, int | None]] = {
    "0-2": (0, 2),
    "3-7": (3, 7),
    "8-14": (8, 14),
    "15-30": (15, 30),
    "31+": (31, None),
}
QUEUE_MAX_PER_PAGE = 100
# The queue counts its matches up to here and then says "more than 1,000".
QUEUE_COUNT_CAP = 1000
# Text this long or longer is also looked for inside values (RMA, order number, e-mail, name,
# tracking number); shorter text only as a whole value.
SEARCH_INSIDE_FROM = 3
# At most this many returns match a search (the first ones found); a search that common is
# narrowed with the filters.
SEARCH_MAX_MATCHES = 5000


@dataclass(frozen=True)
class ReturnQueueFilters:
    """What a staff member narrows the queue to. Empty strings mean "any".

    `status` is a return status or "open" (every status still needing work). `q` is matched
    against the RMA, the order number or id, the customer's e-mail and name and the parcels'
    tracking numbers: as a whole value, and from SEARCH_INSIDE_FROM characters inside them.
    `predicted_reason`: an item's comment reads as that reason (the classifier answered it);
    `comment_mismatch`: an item's comment gives another reason than the one picked.
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
    channel: str = ""
    carrier: str = ""
    # Outcome as the analytics count it: keep (the keep-the-item method), else the resolution.
    outcome: str = ""
    review_reason: str = ""  # held for review for this policy reason
    override_rule: str = ""  # a decision overridden naming this rule ("-": none named)
    override_agent: str = ""  # a decision overridden by this agent
    waiting: str = ""  # received and not inspected, for this many local days (an aging bucket)
    counted: bool = False  # only returns the figures count (not rejected, not cancelled)
    period: Period | None = None
    # Assignment: a staff member's user id, or UNASSIGNED; None means anyone's and no one's.
    assignee: int | None = None
    # Only returns past their state's timer (retorno.domain.returns.sla).
    late: bool = False

    @property
    def one_status(self) -> bool:
        """Whether a single status is asked for (the queue's order is then by age alone)."""
        return self.needs_review or self.status not in ("", "open")


@dataclass(frozen=True)
class ReturnQueuePage:
    results: list[Return]
    total: int  # matches counted, at most QUEUE_COUNT_CAP
    more: bool  # more than `total` match
    next_cursor: str | None
    previous_cursor: str | None
    per_page: int


def _search_ids(store: Store, text: str) -> list[int]:
    """The store's returns the text names, looked up table by table (each through its own
    index: an OR across the joins would read every return of the store)."""
    text = text.strip()[:254]
    by_return = Q(rma=normalise_rma(text))
    by_order = Q(number__in=order_number_variants(text)) | Q(external_id=text)
    by_customer = Q(email=text.lower())
    by_parcel = Q(tracking_number=text)
    if len(text) >= SEARCH_INSIDE_FROM:
        by_return |= Q(rma__icontains=text)
        by_order |= Q(number__icontains=text)
        by_customer |= Q(email__icontains=text) | Q(name__icontains=text)
        by_parcel |= Q(tracking_number__icontains=text)
    returns = Return.objects.filter(store=store).order_by()
    orders = Order.objects.filter(store=store).filter(by_order).values("id")
    customers = Customer.objects.filter(store=store).filter(by_customer).values("id")
    parcels = Shipment.objects.filter(store=store).filter(by_parcel).order_by()
    branches = [
        returns.filter(by_return).values_list("id", flat=True),
        returns.filter(order_id__in=orders).values_list("id", flat=True),
        returns.filter(customer_id__in=customers).values_list("id", flat=True),
        parcels.values_list("return_id", flat=True),
    ]
    if connections[returns.db].features.supports_slicing_ordering_in_compound:
        # Each table stops at the cap: text inside every e-mail ("example.com") otherwise
        # gathered the store's whole history for the union to keep 5,000 of it (0.6 s at
        # 100,000 returns, growing with them). SQLite cannot limit a part of a UNION; its
        # embedded stores are small.
        branches = [branch[:SEARCH_MAX_MATCHES] for branch in branches]
    first, *rest = branches
    return list(first.union(*rest)[:SEARCH_MAX_MATCHES])


def _queue_filtered(
    store: Store, filters: ReturnQueueFilters, now: datetime
) -> QuerySet[Return] | None:
    """The store's returns the filters keep (None when a search found nothing)."""
    queryset = Return.objects.filter(store=store)
    if filters.status == "open":
        queryset = queryset.filter(queue_rank__lt=OPEN_RANK_BELOW)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.needs_review:
        queryset = queryset.filter(status="pending_review")
    if filters.assignee == UNASSIGNED:
        queryset = queryset.filter(assignee__isnull=True)
    elif filters.assignee is not None:
        queryset = queryset.filter(assignee_id=filters.assignee)
    if filters.late:
        queryset = queryset.filter(_late(now))
    if filters.method:
        queryset = queryset.filter(method=filters.method)
    if filters.resolution:
        queryset = queryset.filter(resolution=filters.resolution)
    # A drill-down (`counted`) filters by the facts the figures froze: the tier at the request
    # and (in _drill_down) the reason of an item not rejected; the queue's own filters by
    # today's tier and any item's reason.
    if filters.tier and filters.counted:
        queryset = queryset.filter(customer_tier=_asked(filters.tier))
    elif filters.tier:
        queryset = queryset.filter(customer__tier=filters.tier)
    if filters.reason and not filters.counted:
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
        ids = _search_ids(store, filters.q)
        if not ids:
            return None
        queryset = queryset.filter(id__in=ids)
    return _drill_down(store, queryset, filters, now)


def _late(now: datetime) -> Q:
    """Returns whose time in their state is past its timer's late limit."""
    late = Q(pk__in=[])
    for status in OPEN_STATUSES:
        limit = sla_overdue_since(status)
        if limit is None:
            continue
        cut = now - limit
        since = Q(status_since__lte=cut) | Q(status_since__isnull=True, updated_at__lte=cut)
        late |= Q(status=status) & since
    return late


def _drill_down(
    store: Store, queryset: QuerySet[Return], filters: ReturnQueueFilters, now: datetime
) -> Any:
    """The analytics' drill-down filters: the same facts the figures count by (the order line's
    product id or title, SKU, category and vendor as sent; the address's region or the order's
    country; the carrier of the return's latest shipment (any of its shipments' outside a
    drill-down); the outcome; the policy exceptions; the warehouse aging bucket; the period by
    request or order date)."""
    lines = Q()
    if filters.product:
        product = _asked(filters.product)
        lines &= Q(order_line__product_id=product) | Q(
            order_line__product_id="", order_line__title=product
        )
    for name in ("sku", "category", "vendor"):
        if getattr(filters, name):
            lines &= Q(**{f"order_line__{name}": _asked(getattr(filters, name))})
    if filters.reason and filters.counted:
        lines &= Q(reason=filters.reason)  # the same item as the product's (a heat map cell)
    # A figure per item (the tier, region and channel too) counts a return under a key only
    # for an item not rejected: a return whose items were all rejected is in no such row.
    per_item = filters.counted and (filters.tier or filters.region or filters.channel)
    if lines or per_item:
        counted = ~Q(decision=ItemDecision.REJECTED) if filters.counted else Q()
        queryset = queryset.filter(
            Exists(ReturnItem.objects.filter(lines, counted, return_request=OuterRef("pk")))
        )
    if filters.region:
        region = _asked(filters.region)
        no_region = (
            ~Q(order__shipping_address__has_key="region")
            | Q(order__shipping_address__region="")
            | Q(order__shipping_address__region=None)
        )
        queryset = queryset.filter(
            Q(order__shipping_address__region=region) | (Q(order__country=region) & no_region)
        )
    if filters.channel:
        queryset = queryset.filter(order__channel=_asked(filters.channel))
    if filters.carrier and filters.counted:
        carrier = _asked(filters.carrier)
        queryset = queryset.annotate(latest_carrier=Coalesce(_latest_carrier(), Value(""))).filter(
            latest_carrier=carrier
        )
    elif filters.carrier:
        queryset = queryset.filter(
            id__in=Shipment.objects.filter(
                store=store, carrier_account__name=filters.carrier
            ).values("return_id")
        )
    if filters.outcome == "keep":
        queryset = queryset.filter(method="keep")
    elif filters.outcome:
        queryset = queryset.filter(resolution=filters.outcome).exclude(method="keep")
    if filters.counted:
        queryset = queryset.exclude(status__in=[s.value for s in RELEASING_STATES])
    if filters.period is not None:
        start, end = filters.period.bounds(store.timezone)
        field = "order__placed_at" if filters.period.basis is Basis.ORDER else "created_at"
        queryset = queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
    if filters.review_reason or filters.override_rule or filters.override_agent:
        queryset = queryset.filter(id__in=_exception_ids(queryset, filters))
    if filters.waiting:
        queryset = queryset.filter(id__in=_waiting_ids(store, filters.waiting, now))
    return queryset


def _asked(value: str) -> str:
    """A drill-down's value: NO_VALUE asks for the rows with an empty key."""
    return "" if value == NO_VALUE else value


def _latest_carrier() -> Subquery:
    """The carrier of the return's latest shipment (the one the analytics count it under)."""
    return Subquery(
        Shipment.objects.filter(return_id=OuterRef("pk"), carrier_account__isnull=False)
        .order_by("-attempt_number", "-id")
        .values("carrier_account__name")[:1]
    )


def _exception_ids(queryset: QuerySet[Return], filters: ReturnQueueFilters) -> list[int]:
    """Of these returns, those held for review for the reason, or overridden naming the rule or
    by the agent, as the analytics read the events (a reason is a code or {"code": ...}; an
    override without a rule counts under "-")."""
    found: set[int] = set()
    for return_id, kind, data, agent in ReturnEvent.objects.filter(
        return_request__in=queryset.values("pk"),
        kind__in=[EventKind.HELD_FOR_REVIEW, EventKind.DECISION_OVERRIDDEN],
    ).values_list("return_request_id", "kind", "data", "actor_label"):
        data = data if isinstance(data, dict) else {}
        if kind == EventKind.HELD_FOR_REVIEW:
            codes = {
                str(r.get("code") if isinstance(r, dict) else r) for r in data.get("reasons") or []
            }
            matched = filters.review_reason in codes
        else:
            matched = (
                bool(filters.override_rule or filters.override_agent)
                and (
                    not filters.override_rule
                    or str(data.get("rule") or "-") == filters.override_rule
                )
                and (not filters.override_agent or (agent or "-") == filters.override_agent)
            )
        if matched:
            found.add(return_id)
    return sorted(found)


def _waiting_ids(store: Store, bucket: str, now: datetime) -> list[int]:
    """Returns received and not yet inspected whose first receipt was this aging bucket's
    number of whole local days ago (as the warehouse aging counts them)."""
    today = local_day(now, store.timezone)
    return [
        return_id
        for return_id, at in ReturnEvent.objects.filter(
            store=store, kind=EventKind.RECEIVED, return_request__status="received"
        )
        .values("return_request_id")
        .annotate(at=Min("created_at"))
        .values_list("return_request_id", "at")
        if age_bucket((today - local_day(at, store.timezone)).days) == bucket
    ]


def _cursor_values(cursor: str | None) -> tuple[int, datetime, int] | None:
    """(queue_rank, created_at, id) of a queue cursor; a cursor that is not one is ignored
    (the page starts from the top, as a link to page 1 would)."""
    if not cursor:
        return None
    try:
        rank, at_text, row_id = keyset.decode(cursor, 3)
    except Unprocessable:
        return None
    at = parse_datetime(at_text) if isinstance(at_text, str) else None
    if at is None or at.tzinfo is None or not isinstance(rank, int) or not isinstance(row_id, int):
        return None
    return rank, at, row_id


def _cursor(row: Return) -> str:
    return keyset.encode([row.queue_rank, row.created_at, row.id])


def return_queue_for_store(
    *,
    store: Store,
    filters: ReturnQueueFilters,
    now: datetime,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 25,
) -> ReturnQueuePage:
    """One page of the store's returns for staff, filtered and searched: the page after the
    cursor `after`, before `before`, or the first.

    Order: returns waiting for review first, then other open ones, then finished ones; oldest
    first within each group, so nothing waits forever. A fixed number of queries whatever the
    page size or the store's history: the search (when there is one), the capped count, the
    page (with order and customer) and its items.
    """
    per_page = max(1, min(per_page, QUEUE_MAX_PER_PAGE))
    queryset = _queue_filtered(store, filters, now)
    if queryset is None:
        return ReturnQueuePage([], 0, False, None, None, per_page)
    total = queryset.order_by()[: QUEUE_COUNT_CAP + 1].count()
    # With one status the rank is the same on every row: ordering by age alone lets the
    # (store, status, created_at, id) index serve the page and the cursor.
    keys = ("created_at", "id") if filters.one_status else ("queue_rank", "created_at", "id")
    position = _cursor_values(before) or _cursor_values(after)
    backwards = position is not None and _cursor_values(before) is not None
    rows_query = queryset
    if position is not None:
        values = position[-len(keys) :]
        move = keyset.before if backwards else keyset.after
        rows_query = move(queryset, keys, values)
    order = [f"-{key}" for key in keys] if backwards else list(keys)
    rows = list(
        rows_query.order_by(*order)
        .select_related("order", "customer", "assignee")
        .prefetch_related("items")[: per_page + 1]
    )
    beyond = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    has_next = (beyond and not backwards) or (backwards and bool(rows))
    has_previous = (beyond and backwards) or (position is not None and not backwards)
    return ReturnQueuePage(
        results=rows,
        total=min(total, QUEUE_COUNT_CAP),
        more=total > QUEUE_COUNT_CAP,
        next_cursor=_cursor(rows[-1]) if has_next and rows else None,
        previous_cursor=_cursor(rows[0]) if has_previous and rows else None,
        per_page=per_page,
    )


def customer_tiers_for_store(*, store: Store) -> list[str]:
    """The loyalty tiers the store's customers have, for the queue's tier filter: each tier
    found by one probe of the (store, tier) index (a skip scan), so a store with a million
    customers and three tiers reads four index entries, not its customers."""
    table = connection.ops.quote_name(Customer._meta.db_table)
    sql = f"""
        WITH RECURSIVE tiers(tier) AS (
            SELECT MIN(tier) FROM {table} WHERE store_id = %s AND tier > ''
            UNION ALL
            SELECT (SELECT MIN(c.tier) FROM {table} c WHERE c.store_id = %s AND c.tier > t.tier)
            FROM tiers t WHERE t.tier IS NOT NULL
        )
        SELECT tier FROM tiers WHERE tier IS NOT NULL
    """  # noqa: S608 - fixed identifiers only
    with connection.cursor() as cursor:
        cursor.execute(sql, [store.pk, store.pk])
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class ReturnDashboard:
    counts_by_status: dict[str, int]  # exact, from the status tally
    open_total: int
    needs_review: int
    oldest_open: list[Return]


def return_dashboard_for_store(*, store: Store, oldest_limit: int = 5) -> ReturnDashboard:
    """Counts by status and the oldest open returns of a store: three queries, none of which
    grows with the store's history (the counts sum the store's status tally, a few rows per
    status; the oldest open returns are read from the start of the queue's index)."""
    counts = status_tally_counts(store=store)
    # The oldest of each open rank, each read from the start of the queue's index, then merged:
    # asked for at once (rank < 2 by age), the planner may walk the whole history by age.
    oldest = sorted(
        (
            row
            for rank in range(OPEN_RANK_BELOW)
            for row in Return.objects.filter(store=store, queue_rank=rank)
            .select_related("customer")
            .order_by("created_at", "id")[:oldest_limit]
        ),
        key=lambda row: (row.created_at, row.id),
    )[:oldest_limit]
    return ReturnDashboard(
        counts_by_status=counts,
        open_total=sum(counts.get(s, 0) for s in OPEN_STATUSES),
        needs_review=counts.get("pending_review", 0),
        oldest_open=oldest,
    )


# An export holds at most this many returns (the filters narrow a bigger one).
QUEUE_EXPORT_MAX = 20_000
_EXPORT_CHUNK = 500


def return_queue_export_for_store(
    *, store: Store, filters: ReturnQueueFilters, now: datetime, limit: int = QUEUE_EXPORT_MAX
) -> Iterator[Return]:
    """Every return the queue shows with these filters, in the queue's order, up to `limit`:
    read in keyset chunks (a few statements per 500 rows, never the whole match at once)."""
    queryset = _queue_filtered(store, filters, now)
    if queryset is None:
        return
    keys = ("created_at", "id") if filters.one_status else ("queue_rank", "created_at", "id")
    position: tuple[Any, ...] | None = None
    given = 0
    while given < limit:
        chunk_query = queryset if position is None else keyset.after(queryset, keys, position)
        rows = list(
            chunk_query.order_by(*keys)
            .select_related("order", "customer", "assignee")
            .prefetch_related("items")[: min(_EXPORT_CHUNK, limit - given)]
        )
        if not rows:
            return
        yield from rows
        given += len(rows)
        last = rows[-1]
        position = tuple(getattr(last, key) for key in keys)


def returns_by_rma_for_store(*, store: Store, rmas: list[str]) -> list[Return]:
    """The store's returns with these RMAs (others are not found and left out), in the order
    asked, with their customer and items: what a bulk action works on."""
    wanted = list(dict.fromkeys(normalise_rma(rma) for rma in rmas if rma.strip()))
    found = {
        row.rma: row
        for row in Return.objects.filter(store=store, rma__in=wanted)
        .select_related("customer", "order", "assignee")
        .prefetch_related("items")
    }
    return [found[rma] for rma in wanted if rma in found]
