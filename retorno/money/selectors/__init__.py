"""Reads of the money ledger. Every read takes the store: another store's row is "not found"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from retorno.core import keyset
from retorno.core.errors import NotFound
from retorno.core.keyset import KeysetPage
from retorno.core.paging import PER_PAGE, capped_count
from retorno.domain.money import quantize
from retorno.domain.money.charges import KeptLine, kept_unit_amount, unreturned_amount
from retorno.domain.money.ledger import RefundState
from retorno.domain.money.store_credit import Wallet, replay
from retorno.money import adapters
from retorno.money.models import (
    Charge,
    ChargeKind,
    Claim,
    ClaimLine,
    ClaimState,
    CreditEntry,
    ExchangeOrder,
    ExchangeState,
    MoneySettings,
    Refund,
    RefundKind,
    RefundLine,
    StoreCreditWallet,
)
from retorno.orders.models import Customer, Order
from retorno.stores.models import Store

ZERO = Decimal("0")


def settings_for(store: Store) -> MoneySettings:
    """The store's money settings (defaults when it never saved any; nothing is written)."""
    found = MoneySettings.objects.filter(store=store).first()
    return found or MoneySettings(store=store)


# --- what an order has given back so far (read under the order's lock) -------------------------


def refunded_total(order: Order) -> Decimal:
    """Every refund of the order, in any state: a failed refund can be retried, so its amount
    stays reserved until finance decides otherwise. Refunds of a charge give back money that
    was charged apart, not the order's payment, so they do not count."""
    total = (
        Refund.objects.filter(order=order)
        .exclude(kind=RefundKind.CHARGE_REFUND)
        .aggregate(total=Sum("amount"))["total"]
    )
    return total or ZERO


def refunded_units_by_line(order: Order) -> dict[int, int]:
    """Order line id -> units refunded (any state) or exchanged, by every return and claim."""
    units: dict[int, int] = {}
    rows = (
        RefundLine.objects.filter(refund__order=order)
        .values("order_line_id")
        .annotate(units=Sum("units"))
    )
    for row in rows:
        units[row["order_line_id"]] = units.get(row["order_line_id"], 0) + row["units"]
    exchanged = (
        ExchangeOrder.objects.filter(order=order, claim__isnull=True, shop_now=False)
        .exclude(state="cancelled")
        .values("lines__order_line_id")
        .annotate(units=Sum("lines__units"))
    )
    for row in exchanged:
        line_id = row["lines__order_line_id"]
        if line_id is not None:
            units[line_id] = units.get(line_id, 0) + (row["units"] or 0)
    return units


def refunded_gross_by_line(order: Order) -> dict[int, Decimal]:
    """Order line id -> paid value refunded (gross, any state) by every return and claim;
    refunds of a charge give back money charged apart and do not count."""
    rows = (
        RefundLine.objects.filter(refund__order=order)
        .exclude(refund__kind=RefundKind.CHARGE_REFUND)
        .values("order_line_id")
        .annotate(gross=Sum("gross_amount"))
    )
    return {row["order_line_id"]: row["gross"] or ZERO for row in rows}


def refunded_units_by_item(return_id: int) -> dict[int, int]:
    """Return item id -> units already refunded (any state) for one return."""
    rows = (
        RefundLine.objects.filter(refund__return_id=return_id, return_item_id__isnull=False)
        .values("return_item_id")
        .annotate(units=Sum("units"))
    )
    return {row["return_item_id"]: row["units"] for row in rows}


def return_shipping_fee_charged(return_id: int) -> Decimal:
    total = Refund.objects.filter(return_id=return_id).aggregate(
        t=Sum("return_shipping_fee_amount")
    )
    return total["t"] or ZERO


def refund_by_provider_reference(store: Store, provider: str, reference: str) -> Refund | None:
    """The refund a payment adapter made and named `reference` (its id at the provider)."""
    return (
        Refund.objects.filter(store=store, provider=provider, provider_reference=reference)
        .order_by("id")
        .first()
    )


def refund_in_flight(store: Store, provider: str, order: Order, rma: str) -> bool:
    """A refund of the return `rma` sent to `provider` whose answer is not recorded yet."""
    return Refund.objects.filter(
        store=store, provider=provider, order=order, rma=rma, state=RefundState.PENDING
    ).exists()


def shipping_refunded(order: Order) -> bool:
    return Refund.objects.filter(order=order, shipping_amount__gt=0).exists()


# --- refunds -------------------------------------------------------------------------------------


def refund_list_for_store(
    *,
    store: Store,
    state: str | None = None,
    rma: str | None = None,
    claim_number: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> KeysetPage[Refund]:
    """The store's refunds, newest first, the page after `cursor` (the API's list)."""
    refunds = Refund.objects.for_store(store).select_related("order", "customer", "claim")
    if state:
        refunds = refunds.filter(state=state)
    if rma:
        refunds = refunds.filter(rma=rma.strip().upper())
    if claim_number:
        refunds = refunds.filter(claim__number=claim_number)
    return keyset.newest_first(
        refunds.prefetch_related("lines__order_line"), limit=limit, after=cursor
    )


def refund_page_for_store(
    *,
    store: Store,
    state: str | None = None,
    after: str | None = None,
    before: str | None = None,
    per_page: int = PER_PAGE,
) -> KeysetPage[Refund]:
    """One page of the store's refunds, newest first, for the finance list."""
    refunds = Refund.objects.for_store(store).select_related("order", "customer", "claim")
    if state:
        refunds = refunds.filter(state=state)
    return keyset.newest_first(refunds, limit=per_page, after=after, before=before, strict=False)


def refunds_for_return(*, store: Store, return_id: int) -> list[Refund]:
    return list(
        Refund.objects.for_store(store)
        .filter(return_id=return_id)
        .prefetch_related("lines__order_line")
        .order_by("sequence", "id")
    )


def money_rows_for_return(*, store: Store, return_id: int) -> tuple[list[Refund], list[Charge]]:
    """A return's refunds and charges as plain rows, oldest first, for a summary (two queries:
    no lines, no links between them)."""
    refunds = Refund.objects.for_store(store).filter(return_id=return_id)
    charges = Charge.objects.for_store(store).filter(return_id=return_id)
    return list(refunds.order_by("created_at", "id")), list(charges.order_by("created_at", "id"))


def refund_get_for_store(*, store: Store, refund_id: int | str) -> Refund:
    try:
        key = int(refund_id)
    except (TypeError, ValueError):
        raise NotFound("No such refund in this store.", code="refund_not_found") from None
    refund = (
        Refund.objects.for_store(store)
        .select_related("order", "customer", "claim")
        .prefetch_related("lines__order_line")
        .filter(id=key)
        .first()
    )
    if refund is None:
        raise NotFound("No such refund in this store.", code="refund_not_found")
    return refund


def refund_counts_for_store(*, store: Store) -> dict[str, int]:
    """Refunds per state, each counted up to COUNT_CAP + 1 through the (store, state, …)
    index: a fixed cost however long the ledger (a figure past the cap shows as "1,000+")."""
    refunds = Refund.objects.for_store(store)
    return {state: capped_count(refunds.filter(state=state)) for state in RefundState}


# --- store credit --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WalletView:
    customer: Customer
    wallet: StoreCreditWallet | None
    state: Wallet | None
    entries: list[CreditEntry]

    @property
    def balance(self) -> Decimal:
        return self.state.balance if self.state is not None else ZERO

    @property
    def currency(self) -> str:
        return self.wallet.currency if self.wallet else self.customer.store.currency


def wallet_for_customer(
    *, store: Store, external_id: str, now: datetime | None = None
) -> WalletView:
    """A customer's wallet (balance replayed from the ledger, entries newest last)."""
    customer = (
        Customer.objects.for_store(store)
        .select_related("store")
        .filter(~Q(external_id=""), external_id=external_id)
        .first()
    )
    if customer is None:
        raise NotFound("No such customer in this store.", code="customer_not_found")
    wallet = StoreCreditWallet.objects.filter(store=store, customer=customer).first()
    if wallet is None:
        return WalletView(customer, None, None, [])
    entries = list(wallet.entries.all())
    state = replay([adapters.domain_entry(e) for e in entries], now or timezone.now())
    return WalletView(customer, wallet, state, entries)


# --- exchanges and claims ------------------------------------------------------------------------


def exchange_for_return(*, store: Store, return_id: int) -> ExchangeOrder | None:
    return (
        ExchangeOrder.objects.for_store(store)
        .filter(return_id=return_id)
        .prefetch_related("lines__variant")
        .first()
    )


def exchange_get_for_store(*, store: Store, exchange_id: int | str) -> ExchangeOrder:
    try:
        key = int(exchange_id)
    except (TypeError, ValueError):
        raise NotFound("No such exchange in this store.", code="exchange_not_found") from None
    exchange = ExchangeOrder.objects.for_store(store).filter(id=key).first()
    if exchange is None:
        raise NotFound("No such exchange in this store.", code="exchange_not_found")
    return exchange


def exchange_get_by_number_for_store(*, store: Store, number: str) -> ExchangeOrder:
    """An exchange order by its number, with what the API shows of it."""
    exchange = _exchanges_shown(store).filter(number=number).first()
    if exchange is None:
        raise NotFound("No such exchange in this store.", code="exchange_not_found")
    return exchange


def exchange_list_for_store(
    *, store: Store, state: str | None = None, rma: str | None = None, limit: int = 50
) -> list[ExchangeOrder]:
    """The store's exchange orders, newest first (three queries whatever the count)."""
    rows = _exchanges_shown(store)
    if state:
        rows = rows.filter(state=state)
    if rma:
        rows = rows.filter(rma=rma)
    return list(rows.order_by("-created_at", "-id")[:limit])


def _exchanges_shown(store: Store) -> QuerySet[ExchangeOrder]:
    return (
        ExchangeOrder.objects.for_store(store)
        .select_related("order", "claim")
        .prefetch_related("lines__variant", "lines__order_line")
    )


def overdue_instant_exchanges(*, now: datetime, limit: int = 500) -> list[int]:
    """Ids of instant exchanges, in every store, shipped and past their return deadline with no
    charge-back yet: the candidates of the periodic charge-back job, which re-checks each one
    under the return's lock (this read takes no store on purpose: it is the job's sweep)."""
    return list(
        ExchangeOrder.objects.filter(
            instant=True,
            return_id__isnull=False,
            return_due_by__lt=now,
            state__in=[ExchangeState.RELEASED, ExchangeState.FULFILLED],
        )
        .exclude(charges__kind=ChargeKind.UNRETURNED_ITEM)
        .order_by("return_due_by", "id")
        .values_list("id", flat=True)[:limit]
    )


def instant_exchanges_due_soon(
    *, now: datetime, within: timedelta, limit: int = 500
) -> list[tuple[int, int]]:
    """(exchange id, return id) of instant exchanges, in every store, shipped, not charged back,
    whose return deadline falls within `within` from `now`: the candidates of the reminder job,
    which re-checks each one under the return's lock (no store on purpose, as the job sweeps)."""
    return list(
        ExchangeOrder.objects.filter(
            instant=True,
            return_id__isnull=False,
            return_due_by__gt=now,
            return_due_by__lte=now + within,
            state__in=[ExchangeState.RELEASED, ExchangeState.FULFILLED],
        )
        .exclude(charges__kind=ChargeKind.UNRETURNED_ITEM)
        .order_by("return_due_by", "id")
        .values_list("id", "return_id")[:limit]
    )


def charge_back_amount(exchange: ExchangeOrder, *, units_received: dict[int, int]) -> Decimal:
    """What charging `exchange` back would take now (return item id -> units received), by the
    same rules as the charge-back itself: each unit kept costs its new price less a difference
    already charged for it. Used to tell the shopper before the deadline."""
    difference_paid = Charge.objects.filter(
        exchange=exchange, kind=ChargeKind.EXCHANGE_DIFFERENCE, state=RefundState.SUCCEEDED
    ).exists()
    currency = exchange.currency
    return unreturned_amount(
        [
            KeptLine(
                line.units,
                units_received.get(line.return_item_id or 0, 0),
                kept_unit_amount(
                    quantize(Decimal(line.new_unit_price), currency),
                    quantize(Decimal(line.returned_unit_paid), currency),
                    difference_charged=difference_paid,
                    currency=currency,
                ),
            )
            for line in exchange.lines.all()
        ],
        currency,
    )


# --- charges -------------------------------------------------------------------------------------


def charge_list_for_store(
    *,
    store: Store,
    state: str | None = None,
    rma: str | None = None,
    kind: str | None = None,
    limit: int = 100,
) -> list[Charge]:
    charges = Charge.objects.for_store(store).select_related("order", "customer", "exchange")
    if state:
        charges = charges.filter(state=state)
    if rma:
        charges = charges.filter(rma=rma.strip().upper())
    if kind:
        charges = charges.filter(kind=kind)
    return list(charges.prefetch_related("refunds")[:limit])


def charge_page_for_store(
    *,
    store: Store,
    state: str | None = None,
    after: str | None = None,
    before: str | None = None,
    per_page: int = PER_PAGE,
) -> KeysetPage[Charge]:
    """One page of the store's charges, newest first, for the finance list."""
    charges = Charge.objects.for_store(store).select_related("order", "customer", "exchange")
    if state:
        charges = charges.filter(state=state)
    return keyset.newest_first(charges, limit=per_page, after=after, before=before, strict=False)


def charges_for_return(*, store: Store, return_id: int) -> list[Charge]:
    return list(
        Charge.objects.for_store(store)
        .filter(return_id=return_id)
        .select_related("exchange")
        .prefetch_related("refunds")
        .order_by("created_at", "id")
    )


def charge_get_for_store(*, store: Store, charge_id: int | str) -> Charge:
    try:
        key = int(charge_id)
    except (TypeError, ValueError):
        raise NotFound("No such charge in this store.", code="charge_not_found") from None
    charge = (
        Charge.objects.for_store(store)
        .select_related("order", "customer", "exchange")
        .prefetch_related("refunds")
        .filter(id=key)
        .first()
    )
    if charge is None:
        raise NotFound("No such charge in this store.", code="charge_not_found")
    return charge


def charge_counts_for_store(*, store: Store) -> dict[str, int]:
    """Charges per state, capped as the refunds' counts are."""
    charges = Charge.objects.for_store(store)
    return {state: capped_count(charges.filter(state=state)) for state in RefundState}


def charge_for_exchange(*, exchange_id: int, kind: str) -> Charge | None:
    return Charge.objects.filter(exchange_id=exchange_id, kind=kind).first()


def claim_list_for_store(
    *,
    store: Store,
    state: str | None = None,
    limit: int = 100,
    after: str | None = None,
    before: str | None = None,
    strict: bool = True,
) -> KeysetPage[Claim]:
    """The store's claims, newest first: the page after the cursor `after` (older claims),
    before `before` (newer ones), or the first. An unreadable cursor is refused when `strict`
    (the API) and ignored otherwise (pages)."""
    claims = Claim.objects.for_store(store).select_related("order", "customer")
    if state:
        claims = claims.filter(state=state)
    return keyset.newest_first(
        claims.prefetch_related("lines__order_line", "photos", "refunds"),
        limit=limit,
        after=after,
        before=before,
        strict=strict,
    )


def claim_get_for_store(*, store: Store, number: str) -> Claim:
    claim = (
        Claim.objects.for_store(store)
        .select_related("order", "customer")
        .prefetch_related("lines__order_line", "photos", "refunds", "exchanges__lines")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if claim is None:
        raise NotFound("No such claim in this store.", code="claim_not_found")
    return claim


def claimed_units_by_line(order: Order) -> dict[int, int]:
    """Order line id -> units covered by the order's open and resolved claims (a rejected claim
    covers nothing: its units may be claimed again)."""
    rows = (
        ClaimLine.objects.filter(
            claim__order=order, claim__state__in=[ClaimState.OPEN, ClaimState.RESOLVED]
        )
        .values("order_line_id")
        .annotate(units=Sum("units"))
    )
    return {row["order_line_id"]: int(row["units"]) for row in rows}


def claims_open_for_order(*, store: Store, order: Order, limit: int) -> list[Claim]:
    """Claims still open on the order, the first `limit` of them."""
    return list(Claim.objects.for_store(store).filter(order=order, state="open")[:limit])
