"""A big store's history, generated: `retorno demo --returns N [--store SLUG] [--seed S]`.

N returns with their orders, customers, items, events, shipments, tracking events, pickups,
inspections, refunds, exchanges, claims, messages and store credit, spread over the last
~18 months of the store's days (growing volume, January after Christmas and the summer sales
busier, Mondays busier than Sundays). Statuses follow from time: each return's story is planned
from its request and cut at now, so old returns are closed and recent ones are anywhere on the
way. Reasons, products, sizes, vendors, categories, tiers, countries, carriers, resolutions and
inspection grades follow the demo catalog's distributions (retorno.demo.data).

Unlike the small demo (retorno.demo.generator, written through the services), the rows are
written in bulk (retorno.demo.bulk: COPY on PostgreSQL), so a million returns load in minutes.
The rows are what the services would have written; they are not re-decided by the policy.

Deterministic: the same seed, size and day give the same rows. Each return index owns fixed id
slots in every table (ids are explicit, with gaps), and each chunk of returns draws from its own
random stream, so the result does not depend on how many processes load it. RMAs, tracking
tokens and numbers come from bijections of the index, so they never collide in a store.

Loaded chunk by chunk, each in its own transaction: an interrupted load leaves whole returns.
"""

from __future__ import annotations

import multiprocessing
import random
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from django.db import connections, transaction
from django.db.models import Model
from django.utils import timezone

from retorno.analytics.rollups import rollups_rebuild
from retorno.demo import data
from retorno.demo.bulk import (
    Loader,
    bulk_load_mode,
    bulk_load_possible,
    next_id,
    references_check,
    sequences_reset,
)
from retorno.demo.history_plan import Plan, customer_profile
from retorno.demo.history_rows import ReturnWriter
from retorno.domain.days import local_day, zone
from retorno.logistics.models import CarrierAccount, PickupAttempt, Shipment, TrackingEvent
from retorno.money.models import (
    Claim,
    ClaimLine,
    CreditEntry,
    ExchangeLine,
    ExchangeOrder,
    Refund,
    RefundLine,
    StoreCreditWallet,
)
from retorno.notifications.models import Message
from retorno.orders.models import Customer, Order, OrderLine, Variant
from retorno.policies.selectors import policy_version_current
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.returns.status_tally import status_tally_rebuild
from retorno.stores.models import Store
from retorno.warehouse.models import Inspection

HISTORY_DAYS = 540
CHUNK = 2000  # returns per transaction (and per random stream: part of the determinism)
# Slots per return index in each table (most returns use fewer; ids have gaps).
SLOTS = {
    Order: 4,  # the return's order and up to 3 orders without a return
    OrderLine: 16,  # 4 lines per order slot
    ReturnItem: 3,
    ReturnEvent: 16,
    Shipment: 1,
    TrackingEvent: 8,
    PickupAttempt: 2,
    Inspection: 3,
    Refund: 1,
    RefundLine: 3,
    ExchangeOrder: 1,
    ExchangeLine: 3,
    Claim: 1,
    ClaimLine: 1,
    Message: 10,
}
# Tables in the order they are written (parents before children).
TABLES: tuple[type[Model], ...] = (
    Customer,
    Order,
    OrderLine,
    Return,
    ReturnItem,
    ReturnEvent,
    Shipment,
    TrackingEvent,
)
TABLES += (PickupAttempt, Inspection, Refund, RefundLine, ExchangeOrder, ExchangeLine)
TABLES += (Claim, ClaimLine, Message, StoreCreditWallet, CreditEntry)
# From this many returns on, a load on PostgreSQL sets the tables' secondary indexes aside and
# builds them afterwards, and checks references in bulk instead of a trigger per row.
BULK_MODE_RETURNS = 50_000
# Customers per return: some shoppers return often (the draw below is skewed).
CUSTOMERS_PER_RETURN = 0.6
# Month -> how busy returns are (after Christmas, the sales, the summer).
MONTH_WEIGHT = {1: 1.7, 2: 1.15, 3: 0.9, 4: 0.9, 5: 0.95, 6: 1.0}
MONTH_WEIGHT |= {7: 1.2, 8: 1.1, 9: 0.95, 10: 0.95, 11: 1.1, 12: 1.25}
WEEKDAY_WEIGHT = (1.3, 1.15, 1.05, 1.0, 0.95, 0.8, 0.75)  # Monday first


@dataclass
class HistoryResult:
    store: Store
    returns: int
    counts: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    api_key: str | None = None
    # Each step of the load, in order: (wall-clock seconds, CPU seconds of this process and
    # of the loading processes it forked). Where a big load's time goes, and on a shared
    # machine how much of it was waiting for the cores.
    phases: dict[str, tuple[float, float]] = field(default_factory=dict)


class _Phases:
    """Times the steps of a load into `phases`."""

    def __init__(self, phases: dict[str, tuple[float, float]]) -> None:
        self.phases = phases
        self.last = (time.perf_counter(), _cpu())

    def done(self, name: str) -> None:
        now = (time.perf_counter(), _cpu())
        wall, cpu = self.phases.get(name, (0.0, 0.0))
        self.phases[name] = (wall + now[0] - self.last[0], cpu + now[1] - self.last[1])
        self.last = now


def _cpu() -> float:
    """User + system CPU seconds of this process and its finished children (the pool's)."""
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def history_load(
    *,
    store: Store,
    returns: int,
    seed: int = 42,
    orders_ratio: float = 1.0,
    processes: int = 1,
    now: datetime | None = None,
    staff: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    bulk: bool | None = None,
) -> HistoryResult:
    """Load `returns` returns of history into `store` (its catalog, policy and carriers must
    exist: see retorno.demo.commands). `orders_ratio` orders without a return per return
    (at most 3). `processes` > 1 loads chunks in parallel on PostgreSQL. `bulk` (default: from
    BULK_MODE_RETURNS on, where the database role allows it) loads with the tables' secondary
    indexes set aside and the references checked once at the end (retorno.demo.bulk)."""
    started = time.perf_counter()
    if returns < 1:
        raise ValueError("returns must be at least 1")
    if bulk is None:
        bulk = returns >= BULK_MODE_RETURNS
    bulk = bulk and bulk_load_possible(connections["default"])
    result = HistoryResult(store=store, returns=returns)
    phase = _Phases(result.phases)
    plan = _plan(store, returns, seed, min(max(orders_ratio, 0.0), 3.0), now, staff or {}, bulk)
    if bulk:
        with bulk_load_mode(TABLES, connections["default"]):
            phase.done("indexes set aside")
            _chunks_load(plan, processes, progress)
            phase.done("rows")
            broken = references_check(TABLES, plan.bases, connections["default"])
            if broken:
                raise ValueError(f"the generated rows point at nothing: {broken}")
            phase.done("references checked")
        phase.done("indexes built")
        with connections["default"].cursor() as cursor:
            for model in TABLES:
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        phase.done("analyzed")
    else:
        _chunks_load(plan, processes, progress)
        phase.done("rows")
    with transaction.atomic():
        _wallets_load(store)
        sequences_reset(TABLES)
    phase.done("wallets")
    # The rows went in by COPY, past the services that keep the analytics rollups (and, in bulk
    # mode, with the triggers that keep the status tally off): write them from what was loaded.
    rollups_rebuild(store)
    phase.done("analytics rollups")
    if bulk:
        status_tally_rebuild(store=store)
        phase.done("status tally")
    result.counts = {
        model.__name__: model._default_manager.filter(**_scope(model, store)).count()
        for model in TABLES
    }
    phase.done("counted")
    result.seconds = time.perf_counter() - started
    return result


def _chunks_load(plan: Plan, processes: int, progress: Callable[[int], None] | None) -> None:
    returns = plan.returns
    customer_chunks = range(0, plan.customers, CHUNK * 4)
    return_chunks = range(0, returns, CHUNK)
    jobs = [("customers", start) for start in customer_chunks]
    parallel = processes > 1 and connections["default"].vendor == "postgresql"
    done = 0
    if parallel:
        connections.close_all()  # the children open their own
        context = multiprocessing.get_context("fork")
        with context.Pool(processes) as pool:
            for _ in pool.imap_unordered(_job, [(plan, *job) for job in jobs]):
                pass
            for count in pool.imap_unordered(_job, [(plan, "returns", s) for s in return_chunks]):
                done += count
                if progress:
                    progress(done)
    else:
        for job in jobs:
            _job((plan, *job))
        for start in return_chunks:
            done += _job((plan, "returns", start))
            if progress:
                progress(done)


def _scope(model: type[Model], store: Store) -> dict[str, Any]:
    for name, path in (("store", "store"), ("order", "order__store"), ("refund", "refund__store")):
        if any(f.name == name for f in model._meta.fields):
            return {path: store}
    for name, path in (("claim", "claim__store"), ("exchange", "exchange__store")):
        if any(f.name == name for f in model._meta.fields):
            return {path: store}
    if model is ReturnItem:
        return {"return_request__store": store}
    if model is TrackingEvent:
        return {"carrier_account__store": store}
    if model is CreditEntry:
        return {"wallet__store": store}
    return {}


def _plan(
    store: Store,
    returns: int,
    seed: int,
    orders_ratio: float,
    now: datetime | None,
    staff: dict[str, str],
    unchecked: bool = False,
) -> Plan:
    now = now or timezone.now()
    tz = zone(store.timezone)
    today = local_day(now, store.timezone)
    day_starts = []
    weights = []
    for age in range(HISTORY_DAYS - 1, -1, -1):
        day = today - timedelta(days=age)
        day_starts.append(datetime.combine(day, datetime.min.time(), tz).astimezone(UTC))
        growth = 1.0 + 0.7 * (HISTORY_DAYS - age) / HISTORY_DAYS
        weights.append(growth * MONTH_WEIGHT[day.month] * WEEKDAY_WEIGHT[day.weekday()])
    weights[-1] *= max(0.05, (now - day_starts[-1]).total_seconds() / 86400)  # today so far
    variants: dict[str, list[tuple[int, str, dict[str, str], Decimal]]] = {}
    rows = Variant.objects.filter(store=store).select_related("product").order_by("id")
    for variant in rows:
        code = variant.product.external_id.removeprefix("prod_").upper()
        price = variant.price  # the shelf price, tax included
        variants.setdefault(code, []).append((variant.pk, variant.sku, variant.options, price))
    missing = [spec.code for spec in data.CATALOG if spec.code not in variants]
    if missing:
        raise ValueError(f"the store's catalog lacks {missing}: load the demo catalog first")
    carriers = tuple(
        CarrierAccount.objects.filter(store=store, enabled=True)
        .order_by("id")
        .values_list("id", "code", "name")
    )
    if not carriers:
        raise ValueError("the store has no carrier accounts")
    version = policy_version_current(store=store)
    if version is None:
        raise ValueError("the store has no policy")
    customers = max(1, int(returns * CUSTOMERS_PER_RETURN))
    bases = {model.__name__: next_id(model) for model in TABLES}
    return Plan(
        store_id=store.pk,
        rma_prefix=store.rma_prefix,
        currency=store.currency,
        seed=seed,
        returns=returns,
        customers=customers,
        orders_ratio=orders_ratio,
        now=now,
        zone=store.timezone,
        day_starts=tuple(day_starts),
        day_cum_weights=tuple(accumulate(weights)),
        policy_version_id=version.pk,
        variants={code: tuple(rows) for code, rows in variants.items()},
        carriers=carriers,
        staff={
            "agent": staff.get("agent", "Carlos Medina (agent)"),
            "warehouse": staff.get("warehouse", "Marta Iglesias (warehouse)"),
            "finance": staff.get("finance", "Javier Sanz (finance)"),
        },
        bases=bases,
        unchecked=unchecked,
    )


def _job(args: tuple[Plan, str, int]) -> int:
    plan, kind, start = args
    loader = Loader(connections["default"], unchecked=plan.unchecked)
    with transaction.atomic():
        if kind == "customers":
            end = min(plan.customers, start + CHUNK * 4)
            _customers_write(plan, loader, start, end)
            loader.flush()
            return end - start
        end = min(plan.returns, start + CHUNK)
        rng = random.Random(f"{plan.seed}:{start}")
        writer = ReturnWriter(plan, loader, rng, customer_profile)
        for index in range(start, end):
            writer.write(index)
        loader.flush()
    return end - start


# --- customers -----------------------------------------------------------------------------


_CUSTOMER: tuple[str, ...] = (
    "id",
    "store_id",
    "external_id",
    "email",
    "name",
    "phone",
    "tier",
    "tags",
)
_CUSTOMER += ("language", "created_at", "updated_at")


def _customers_write(plan: Plan, loader: Loader, start: int, end: int) -> None:
    table = loader.table(Customer, _CUSTOMER)
    first = plan.day_starts[0]
    span = (plan.now - first).total_seconds()
    for index in range(start, end):
        person = customer_profile(plan, index)
        # Customers appear over the history, earlier indexes (the frequent returners) first.
        at = first + timedelta(seconds=span * 0.9 * (index / plan.customers) ** 0.7)
        tags = ["vip"] if person.tier == "gold" else []
        table.add(
            person.id,
            plan.store_id,
            f"h{plan.seed}-c{index + 1:07d}",
            person.email,
            person.name,
            person.phone,
            person.tier,
            tags,
            person.language,
            at,
            at,
        )


# --- store credit --------------------------------------------------------------------------


def _wallets_load(store: Store) -> None:
    """Wallets and their credit (and bonus) entries from the store-credit refunds that
    succeeded, in SQL: a customer's wallet spans chunks."""
    wallet = StoreCreditWallet._meta.db_table
    entry = CreditEntry._meta.db_table
    refund = Refund._meta.db_table
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {wallet} (store_id, customer_id, currency, balance_amount, created_at,
                                  updated_at)
            SELECT r.store_id, r.customer_id, MIN(r.currency), SUM(r.amount + r.bonus_amount),
                   MIN(r.succeeded_at), MAX(r.succeeded_at)
            FROM {refund} r
            WHERE r.store_id = %s AND r.destination = 'store_credit' AND r.state = 'succeeded'
              AND NOT EXISTS (SELECT 1 FROM {wallet} w
                              WHERE w.store_id = r.store_id AND w.customer_id = r.customer_id)
            GROUP BY r.store_id, r.customer_id
            """,  # noqa: S608 - fixed identifiers only
            [store.pk],
        )
        for kind, amount in (("credit", "r.amount"), ("bonus", "r.bonus_amount")):
            cursor.execute(
                f"""
                INSERT INTO {entry} (wallet_id, entry_id, kind, amount, currency,
                                     target_entry_id, refund_id, note, created_by, created_at)
                SELECT w.id, 'history-{kind}-' || r.id, '{kind}', {amount}, r.currency, '',
                       r.id, '', 'Retorno', r.succeeded_at
                FROM {refund} r
                JOIN {wallet} w ON w.store_id = r.store_id AND w.customer_id = r.customer_id
                WHERE r.store_id = %s AND r.destination = 'store_credit'
                  AND r.state = 'succeeded' AND {amount} > 0
                  AND r.idempotency_key LIKE 'retorno-refund-%%'
                  AND NOT EXISTS (SELECT 1 FROM {entry} e
                                  WHERE e.entry_id = 'history-{kind}-' || r.id)
                """,  # noqa: S608 - fixed identifiers only
                [store.pk],
            )
