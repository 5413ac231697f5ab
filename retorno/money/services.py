"""Writes of the money ledger: refunds, store credit, exchange orders and claims.

The rules are the domain's (retorno.domain.money); these functions lock, read the facts,
ask the domain, and write. Refunds to the original payment are two steps, never one:

1. `refund_plan` + `refund_record` (inside the caller's transaction, the order row locked):
   the refund row is written PENDING with its idempotency key, and an outbox message asks for
   it to be sent once the transaction commits.
2. `refund_send` (outside any transaction): takes a short lease on the row, calls the payment
   adapter with the row's key, then records the outcome under the row's lock. A crash between
   the call and the commit leaves the row PENDING with the same key; the re-drive sends that key
   again and the provider answers with the refund it already made.

Charges (taking money from the shopper: a dearer exchange's difference, an instant exchange's
original that never came back) are the same two steps: `charge_record`, then `charge_send`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.core.errors import Conflict, NotFound, Unprocessable
from retorno.core.outbox import outbox_enqueue
from retorno.domain.money import MoneyError, parse_amount, quantize
from retorno.domain.money.charges import (
    ChargePurpose,
    KeptLine,
    charge_idempotency_key,
    charge_refund_amount,
    instant_return_due_by,
    kept_unit_amount,
    unreturned_amount,
)
from retorno.domain.money.deductions import (
    DEFAULT_RATES,
    NO_DEDUCTION,
    Deduction,
    DeductionRates,
    inspection_deduction,
)
from retorno.domain.money.exchange import (
    DifferenceDirection,
    exchange_difference,
)
from retorno.domain.money.ledger import RefundState, refund_idempotency_key
from retorno.domain.money.refunds import (
    PaidLine,
    RefundItem,
    RefundPreview,
    check_manual_refund,
    plan_refund,
    refundable_units_amount,
    restocking_fee_share,
)
from retorno.domain.money.store_credit import issue_credit, spend
from retorno.domain.money.timing import pays_before_receipt
from retorno.integrations.payments import registry
from retorno.integrations.payments.base import (
    ChargeOutcome,
    ChargeRequest,
    RefundOutcome,
    RefundRequest,
)
from retorno.money import adapters, selectors
from retorno.money.models import (
    Charge,
    ChargeKind,
    Claim,
    ClaimLine,
    ClaimPhoto,
    ClaimReason,
    ClaimResolution,
    ClaimState,
    CreditEntry,
    Destination,
    ExchangeLine,
    ExchangeOrder,
    ExchangeState,
    MoneySettings,
    Refund,
    RefundKind,
    RefundLine,
    StoreCreditWallet,
)
from retorno.money.sending import (
    enqueue_send,
    payment_reference,
    reopen_for_retry,
    send_once,
    settle,
)
from retorno.orders.models import Customer, Order, OrderLine, Variant
from retorno.stores.models import Store

logger = logging.getLogger(__name__)

ZERO = Decimal("0")
SEND_KIND = "refund.send"
CHARGE_SEND_KIND = "charge.send"
EXCHANGE_CREATED_KIND = "exchange_order.created"
# How long one payment call may hold a refund before someone else may re-drive it.
DEFAULT_ADAPTER = "manual"

SettledHook = Callable[[Refund], None]
ChargeHook = Callable[[Charge], None]


# --- planning ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanItem:
    """One return item (or claim line) to refund, as the caller knows it.

    `units_approved` / `units_received_accepted` bound the units (see plan_refund); `grades`
    (units found in each grade, in inspection order), `qc_level`, `reason` and the policy's
    deduction `rates` drive the inspection deduction (units not inspected: nothing deducted);
    `restocking_fee_total` is the fee the policy decided for `units_decided` units.
    """

    order_line: OrderLine
    return_item_id: int | None
    units_approved: int
    units_received_accepted: int
    reason: str | None = None
    grades: tuple[tuple[str, int], ...] = ()  # (grade, units) in inspection order
    qc_level: str = "standard"
    rates: DeductionRates = DEFAULT_RATES
    restocking_fee_total: Decimal = ZERO
    units_decided: int = 0
    first_unit: int | None = None  # the line's share its first unit took (a return item's)


@dataclass(frozen=True)
class Plan:
    order: Order
    preview: RefundPreview
    items: tuple[PlanItem, ...]


def order_lock(order_id: int) -> Order:
    """Lock the order row: every refund of one order is planned and written one at a time, so
    two refunds can never both see the same "left to refund"."""
    return Order.objects.select_for_update().select_related("customer").get(id=order_id)


def refund_plan(
    *,
    store: Store,
    order: Order,
    items: Sequence[PlanItem],
    timing: str,
    return_id: int | None = None,
    return_shipping_fee_total: Decimal = ZERO,
    refund_shipping: bool = False,
    now: datetime,
) -> Plan:
    """Preview a refund of `items` (no write). Call inside a transaction: the order is locked.

    Counts what every return and claim of the order already refunded (any state), computes each
    item's inspection deduction on the units refunded now and its share of the restocking fee,
    and lets the domain cap everything (docs/money.md).
    """
    order = order_lock(order.id)
    currency = order.currency
    lines = list(order.lines.all())
    payment = adapters.order_payment(order, lines)
    line_units = selectors.refunded_units_by_line(order)
    line_amounts = selectors.refunded_gross_by_line(order)
    item_units = selectors.refunded_units_by_item(return_id) if return_id else {}
    by_approval = pays_before_receipt(timing)
    refund_items: list[RefundItem] = []
    for item in items:
        paid = payment.line(item.order_line.external_id)
        before_item = item_units.get(item.return_item_id, 0) if item.return_item_id else 0
        before_line = min(line_units.get(item.order_line.id, 0), paid.quantity)
        refund_item = RefundItem(
            line_id=paid.line_id,
            units_approved=item.units_approved,
            units_received_accepted=min(item.units_received_accepted, item.units_approved),
            units_already_refunded=before_item,
            line_units_already_refunded=before_line,
            first_share=item.first_unit,
            line_amount_already_refunded=quantize(
                line_amounts.get(item.order_line.id, ZERO), currency
            ),
        )
        bound = item.units_approved if by_approval else item.units_received_accepted
        units = max(
            0,
            min(
                bound - before_item,
                paid.quantity - max(before_line, refund_item.next_share),
            ),
        )
        deduction = NO_DEDUCTION
        if item.grades and units:
            deduction = _deduction(paid, item, units, before_item, refund_item.next_share)
        fee = ZERO
        if item.restocking_fee_total and units and item.units_decided:
            charged_before = min(before_item, item.units_decided)
            fee = restocking_fee_share(
                quantize(Decimal(item.restocking_fee_total), currency),
                item.units_decided,
                charged_before,
                min(units, item.units_decided - charged_before),
                currency,
            )
        refund_items.append(replace(refund_item, deduction=deduction, restocking_fee=fee))
    fee_left = ZERO
    if return_id and return_shipping_fee_total:
        fee_left = max(
            ZERO,
            quantize(Decimal(return_shipping_fee_total), currency)
            - quantize(selectors.return_shipping_fee_charged(return_id), currency),
        )
    preview = plan_refund(
        payment,
        refund_items,
        timing=timing,
        return_shipping_fee=fee_left,
        refund_shipping=refund_shipping,
        shipping_already_refunded=selectors.shipping_refunded(order),
        already_refunded_total=quantize(selectors.refunded_total(order), currency),
        now=now,
    )
    return Plan(order=order, preview=preview, items=tuple(items))


def _deduction(
    paid: PaidLine,
    item: PlanItem,
    units: int,
    before_item: int,
    next_share: int,
) -> Deduction:
    """The inspection deduction of the `units` refunded now: the item's units take their
    inspection groups in order (units refunded before took the first ones), each group's
    deduction on the paid value of its own units (the line's shares from `next_share`); units
    not inspected lose nothing."""
    skip, left, offset = before_item, units, next_share
    parts: list[Deduction] = []
    for grade, count in item.grades:
        taken = min(max(0, count - skip), left)
        skip = max(0, skip - count)
        if not taken:
            continue
        amount = refundable_units_amount(paid, taken, offset)
        parts.append(
            inspection_deduction(
                grade, item.qc_level, amount, item.reason, currency=paid.currency, rates=item.rates
            )
        )
        offset += taken
        left -= taken
        if not left:
            break
    if not parts:
        return NO_DEDUCTION
    charged = [p for p in parts if p.amount > 0]
    if not charged:
        return parts[0]
    main = max(charged, key=lambda p: p.amount)
    return Deduction(
        sum((p.amount for p in charged), ZERO),
        main.reason_code,
        " ".join(dict.fromkeys(p.message for p in charged)),
        main.percent,
    )


# --- recording -----------------------------------------------------------------------------------


def _adapter_name(store: Store) -> str:
    chosen = selectors.settings_for(store).payment_adapter
    return chosen or getattr(django_settings, "RETORNO_PAYMENT_ADAPTER", DEFAULT_ADAPTER)


def _next_sequence(*, return_id: int | None, claim: Claim | None, order: Order) -> int:
    scope = (
        Refund.objects.filter(return_id=return_id)
        if return_id
        else Refund.objects.filter(claim=claim)
        if claim
        else Refund.objects.filter(order=order, return_id__isnull=True, claim__isnull=True)
    )
    return scope.count() + 1


def _key_subject(*, return_id: int | None, claim: Claim | None, order: Order) -> str:
    if return_id:
        return str(return_id)
    if claim is not None:
        return f"claim{claim.id}"
    return f"order{order.id}"


def refund_record(
    *,
    store: Store,
    plan: Plan,
    kind: str,
    destination: str,
    actor: Actor,
    now: datetime,
    return_id: int | None = None,
    rma: str = "",
    claim: Claim | None = None,
    amount: Decimal | None = None,
    bonus_percent: Decimal = ZERO,
    note: str = "",
) -> Refund:
    """Write a refund from `plan` (inside the caller's transaction, after `refund_plan`).

    `amount` replaces the plan's total (an agent's typed amount, checked by the domain: never
    negative, never above what is left of the order). To the original payment: PENDING, with an
    outbox message that sends it after commit. As store credit: credited to the wallet (with
    the policy's bonus) and SUCCEEDED at once. A zero amount is SUCCEEDED without a payment call.
    """
    preview = plan.preview
    order = plan.order
    currency = order.currency
    total = preview.total_amount
    if amount is not None:
        total = check_manual_refund(
            amount,
            adapters.order_payment(order, order.lines.all()),
            quantize(selectors.refunded_total(order), currency),
        )
    sequence = _next_sequence(return_id=return_id, claim=claim, order=order)
    key = refund_idempotency_key(
        _key_subject(return_id=return_id, claim=claim, order=order), sequence
    )
    refund = Refund.objects.create(
        store=store,
        order=order,
        customer=order.customer,
        return_id=return_id,
        rma=rma,
        claim=claim,
        kind=kind,
        destination=destination,
        sequence=sequence,
        idempotency_key=key,
        state=RefundState.PENDING,
        currency=currency,
        amount=total,
        items_amount=preview.items_gross,
        deduction_amount=preview.items_deduction,
        restocking_fee_amount=preview.items_restocking_fee,
        shipping_amount=preview.shipping_refund_amount,
        return_shipping_fee_amount=preview.return_shipping_fee_charged,
        tax_amount=preview.tax_amount,
        preview=adapters.preview_json(preview),
        provider=(
            _adapter_name(store)
            if destination == Destination.ORIGINAL_PAYMENT and total != 0
            else ""
        ),
        note=note,
        created_by=actor.label or str(actor),
        created_at=now,
        updated_at=now,
    )
    by_line = {item.order_line.external_id: item for item in plan.items}
    RefundLine.objects.bulk_create(
        RefundLine(
            refund=refund,
            order_line=by_line[item.line_id].order_line,
            return_item_id=by_line[item.line_id].return_item_id,
            units=item.units,
            gross_amount=item.gross_amount,
            discount_amount=item.discount_amount,
            tax_amount=item.tax_amount,
            deduction_amount=item.deduction_amount,
            deduction_reason_code=item.deduction_reason_code,
            deduction_message=item.deduction_message[:300],
            restocking_fee_amount=item.restocking_fee,
            net_amount=item.net_amount,
        )
        for item in preview.items
        if item.units
    )
    if destination == Destination.STORE_CREDIT:
        if total > 0:
            entries = wallet_credit(
                store=store,
                customer=order.customer,
                currency=currency,
                amount=total,
                bonus_percent=bonus_percent,
                entry_id=f"refund-{refund.id}",
                refund=refund,
                actor=actor,
                now=now,
            )
            refund.bonus_amount = sum((e.amount for e in entries if e.kind == "bonus"), ZERO)
        settle(
            refund,
            RefundState.SUCCEEDED,
            now=now,
            settled_by=actor.label,
            also_save=("bonus_amount",),
        )
    elif total == 0:  # nothing to pay: no payment call
        settle(refund, RefundState.SUCCEEDED, now=now, settled_by=actor.label)
    else:
        _enqueue_send(refund)
    return refund


def _enqueue_send(refund: Refund) -> None:
    enqueue_send(refund, kind=SEND_KIND, id_field="refund_id")


# --- sending -------------------------------------------------------------------------------------


def refund_send(
    refund_id: int, *, now: datetime | None = None, on_succeeded: SettledHook | None = None
) -> str:
    """Send one PENDING refund to its payment adapter, at most one caller at a time.

    Must run outside any transaction (the row and its key are already committed). Returns the
    state after the call ("skipped" when the refund is not pending or another caller holds it).
    Raises PaymentUnavailable when the outcome is unknown: the row stays PENDING with its key and
    the caller (the outbox) re-drives it later. `on_succeeded` runs in the transaction that
    marks the refund SUCCEEDED (to put it on the return's trail and tell the shopper).
    """

    def call(refund: Refund) -> tuple[str, RefundOutcome]:
        gateway = registry.gateway(refund.provider or DEFAULT_ADAPTER)
        request = RefundRequest(
            idempotency_key=refund.idempotency_key,
            amount=quantize(Decimal(refund.amount), refund.currency),
            currency=refund.currency,
            store_id=refund.store_id,
            order_reference=refund.order.external_id,
            reference=refund.rma or (f"claim {refund.claim_id}" if refund.claim_id else ""),
        )
        return gateway.name, gateway.refund(request)

    return send_once(
        Refund,
        refund_id,
        now=now or timezone.now(),
        call=call,
        on_succeeded=on_succeeded,
        only_if=Q(destination=Destination.ORIGINAL_PAYMENT),
        related=("order",),
    )


def refund_retry(
    *, store: Store, refund_id: int | str, actor: Actor, now: datetime | None = None
) -> Refund:
    """Finance retries a refund. FAILED → PENDING with a new key (the provider confirmed nothing
    was paid); a PENDING refund nobody is sending is re-driven with its *same* key. Either way
    it is sent after commit. A SUCCEEDED refund cannot be retried (code already_refunded)."""
    now = now or timezone.now()
    refund = selectors.refund_get_for_store(store=store, refund_id=refund_id)
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(id=refund.id)
        if refund.destination != Destination.ORIGINAL_PAYMENT:
            raise Conflict(
                "Store credit is issued at once; there is nothing to retry.", code="not_retryable"
            )
        reopen_for_retry(
            refund,
            now=now,
            actor_label=actor.label,
            next_key=lambda attempt: refund_idempotency_key(
                _key_subject(return_id=refund.return_id, claim=refund.claim, order=refund.order),
                refund.sequence,
                attempt,
            ),
            already_done=Conflict("This refund was already paid.", code="already_refunded"),
            in_flight=Conflict("This refund is being sent right now.", code="refund_in_flight"),
        )
        _enqueue_send(refund)
    return refund


def refund_mark_paid(
    *,
    store: Store,
    refund_id: int | str,
    reference: str,
    actor: Actor,
    now: datetime | None = None,
    on_succeeded: SettledHook | None = None,
) -> Refund:
    """Finance paid a PENDING refund by hand (manual adapter) and records the payment's
    reference. Refused for anything but a pending refund to the original payment."""
    now = now or timezone.now()
    reference = payment_reference(reference)
    refund = selectors.refund_get_for_store(store=store, refund_id=refund_id)
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(id=refund.id)
        if (
            refund.state != RefundState.PENDING
            or refund.destination != Destination.ORIGINAL_PAYMENT
        ):
            raise Conflict(
                f"A {refund.state} refund cannot be marked as paid.", code="illegal_transition"
            )
        settle(refund, RefundState.SUCCEEDED, now=now, settled_by=actor.label, reference=reference)
        if on_succeeded is not None:
            on_succeeded(refund)
    return refund


# --- store credit --------------------------------------------------------------------------------


def _wallet_locked(
    store: Store, customer: Customer, currency: str, now: datetime
) -> StoreCreditWallet:
    wallet, _ = StoreCreditWallet.objects.get_or_create(
        store=store,
        customer=customer,
        defaults={"currency": currency, "created_at": now, "updated_at": now},
    )
    return StoreCreditWallet.objects.select_for_update().get(id=wallet.id)


def _wallet_save(
    wallet: StoreCreditWallet,
    new_entries: Iterable[Any],
    actor: Actor,
    refund: Refund | None,
    note: str,
    now: datetime,
) -> list[CreditEntry]:
    rows = [
        CreditEntry(
            wallet=wallet,
            entry_id=e.entry_id,
            kind=str(e.kind),
            amount=e.amount,
            currency=e.currency,
            expires_at=e.expires_at,
            target_entry_id=e.target_entry_id or "",
            refund=refund,
            note=note[:300],
            created_by=(actor.label or str(actor))[:200],
            created_at=e.created_at,
        )
        for e in new_entries
    ]
    try:
        with transaction.atomic():
            CreditEntry.objects.bulk_create(rows)
    except IntegrityError:
        raise Conflict("This credit entry was already made.", code="duplicate_entry") from None
    entries = [adapters.domain_entry(e) for e in wallet.entries.all()]
    from retorno.domain.money.store_credit import balance

    wallet.balance_amount = balance(entries, now)
    wallet.updated_at = now
    wallet.save(update_fields=["balance_amount", "updated_at"])
    return rows


def wallet_credit(
    *,
    store: Store,
    customer: Customer,
    currency: str,
    amount: Decimal,
    entry_id: str,
    actor: Actor,
    now: datetime,
    bonus_percent: Decimal = ZERO,
    refund: Refund | None = None,
    note: str = "",
) -> list[CreditEntry]:
    """Credit `amount` (and its bonus lot, `<entry_id>-bonus`) to the customer's wallet."""
    wallet = _wallet_locked(store, customer, currency, now)
    entries = [adapters.domain_entry(e) for e in wallet.entries.all()]
    new = issue_credit(
        entries,
        quantize(amount, currency),
        currency=currency,
        now=now,
        entry_id=entry_id,
        bonus_percent=Decimal(bonus_percent),
    )
    return _wallet_save(wallet, new, actor, refund, note, now)


def wallet_spend(
    *,
    store: Store,
    customer_external_id: str,
    amount: str | Decimal,
    entry_id: str,
    actor: Actor,
    now: datetime | None = None,
) -> StoreCreditWallet:
    """Spend store credit (e.g. at checkout). Never below zero: InsufficientCredit (code
    insufficient_credit) and nothing written. `entry_id` makes a repeated spend a no-op error."""
    now = now or timezone.now()
    view = selectors.wallet_for_customer(store=store, external_id=customer_external_id, now=now)
    if view.wallet is None:
        raise Unprocessable("This customer has no store credit.", code="insufficient_credit")
    currency = view.wallet.currency
    try:
        value = parse_amount(amount, currency)
    except MoneyError as exc:
        raise Unprocessable(exc.message, code="invalid_amount") from None
    with transaction.atomic():
        wallet = _wallet_locked(store, view.customer, currency, now)
        if CreditEntry.objects.filter(entry_id=entry_id).exists():
            raise Conflict("This spend was already recorded.", code="duplicate_entry")
        entries = [adapters.domain_entry(e) for e in wallet.entries.all()]
        new = spend(entries, value, currency=currency, now=now, entry_id=entry_id)
        _wallet_save(wallet, [new], actor, None, "", now)
    return wallet


# --- exchanges -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExchangeItem:
    order_line: OrderLine
    return_item_id: int | None
    variant_id: int
    units: int
    returned_unit_paid: Decimal


def _exchange_number(store: Store) -> str:
    return f"EX-{secrets.token_hex(4).upper()}"


def exchange_reserve(
    *,
    store: Store,
    order: Order,
    items: Sequence[ExchangeItem],
    now: datetime,
    return_id: int | None = None,
    rma: str = "",
    claim: Claim | None = None,
    instant: bool = False,
    replacement: bool = False,
    return_days: int | None = None,
    actor: Actor = SYSTEM,
) -> ExchangeOrder:
    """Reserve the new variants' stock and write the exchange order (inside a transaction).

    Stock goes down with a conditional F() update, so it never goes negative even under
    concurrent reservations; a variant without enough stock refuses the whole exchange (code
    exchange_out_of_stock) and nothing is reserved. The price difference is per unit: the new
    variant's price against what the shopper paid for the returned unit (zero for a claim's
    replacement). Instant exchanges are released at once (see exchange_release: a dearer one
    waits for its difference to be charged), and the original must be on its way within
    `return_days` (the policy's instant_exchange_return_days, already checked) or it is charged.
    """
    if not items:
        raise Unprocessable("Choose what to exchange.", code="no_items")
    currency = order.currency
    variants = {
        v.id: v for v in Variant.objects.filter(store=store, id__in=[i.variant_id for i in items])
    }
    signed = ZERO
    lines: list[ExchangeLine] = []
    with transaction.atomic():
        for item in items:
            variant = variants.get(item.variant_id)
            if variant is None or item.units < 1:
                raise Unprocessable("Unknown exchange variant.", code="invalid_exchange")
            taken = Variant.objects.filter(id=variant.id, stock__gte=item.units).update(
                stock=F("stock") - item.units
            )
            if not taken:
                raise Unprocessable(
                    f"{variant.sku} is out of stock.", code="exchange_out_of_stock", sku=variant.sku
                )
            price = quantize(Decimal(variant.price), currency)
            paid = quantize(Decimal(item.returned_unit_paid), currency)
            if not replacement:
                diff = exchange_difference(price, paid, currency)
                sign = -1 if diff.direction is DifferenceDirection.CUSTOMER_REFUNDED else 1
                signed += sign * diff.amount * item.units
            lines.append(
                ExchangeLine(
                    order_line=item.order_line,
                    return_item_id=item.return_item_id,
                    variant=variant,
                    units=item.units,
                    new_unit_price=price,
                    returned_unit_paid=paid,
                )
            )
        direction = (
            DifferenceDirection.CUSTOMER_PAYS
            if signed > 0
            else DifferenceDirection.CUSTOMER_REFUNDED
            if signed < 0
            else DifferenceDirection.EVEN
        )
        exchange = ExchangeOrder.objects.create(
            store=store,
            order=order,
            customer=order.customer,
            return_id=return_id,
            rma=rma,
            claim=claim,
            number=_exchange_number(store),
            instant=instant,
            return_due_by=(
                instant_return_due_by(now, return_days) if instant and return_days else None
            ),
            currency=currency,
            difference_amount=abs(signed),
            difference_direction=direction.value,
            created_at=now,
            updated_at=now,
        )
        for line in lines:
            line.exchange = exchange
        ExchangeLine.objects.bulk_create(lines)
        if instant or replacement:
            exchange_release(exchange, now=now, actor=actor)
    return exchange


def _difference_owed(exchange: ExchangeOrder) -> bool:
    return (
        exchange.difference_direction == DifferenceDirection.CUSTOMER_PAYS
        and exchange.difference_amount > 0
    )


def _difference_charged(exchange: ExchangeOrder) -> bool:
    return Charge.objects.filter(
        exchange=exchange, kind=ChargeKind.EXCHANGE_DIFFERENCE, state=RefundState.SUCCEEDED
    ).exists()


def exchange_release(
    exchange: ExchangeOrder, *, now: datetime, actor: Actor = SYSTEM
) -> ExchangeOrder:
    """Send the exchange order to the store for fulfilment (outbox exchange_order.created).

    A dearer exchange is not sent for free: its price difference is charged first (once per
    exchange) and the order waits AWAITING_PAYMENT until the charge succeeds (then it is sent
    by `_exchange_paid`) or staff release it with a note (`exchange_release_unpaid`). Inside
    the caller's transaction; the charge is sent after commit.
    """
    if exchange.state != ExchangeState.RESERVED:
        return exchange
    if _difference_owed(exchange) and not _difference_charged(exchange):
        charge_record(
            exchange=exchange,
            kind=ChargeKind.EXCHANGE_DIFFERENCE,
            amount=Decimal(exchange.difference_amount),
            actor=actor,
            now=now,
            note="Price difference of the exchange.",
        )
        exchange.state = ExchangeState.AWAITING_PAYMENT
        exchange.updated_at = now
        exchange.save(update_fields=["state", "updated_at"])
        return exchange
    return _exchange_emit(exchange, now=now)


def _exchange_emit(exchange: ExchangeOrder, *, now: datetime) -> ExchangeOrder:
    exchange.state = ExchangeState.RELEASED
    exchange.released_at = now
    exchange.updated_at = now
    exchange.save(update_fields=["state", "released_at", "updated_at"])
    outbox_enqueue(
        store_id=exchange.store_id,
        kind=EXCHANGE_CREATED_KIND,
        dedupe_key=f"{EXCHANGE_CREATED_KIND}:{exchange.id}",
        payload=exchange_payload(exchange),
    )
    return exchange


def exchange_cancel(exchange: ExchangeOrder, *, now: datetime) -> ExchangeOrder:
    """Give back the stock of an exchange that will not happen: its return was cancelled before
    the exchange was sent (reserved, or waiting for its price difference; a difference taken
    later is refunded, see `_exchange_paid`). One already sent is left as it is: the new item
    is out, and the charge-back rules decide what the shopper owes."""
    if exchange.state not in (ExchangeState.RESERVED, ExchangeState.AWAITING_PAYMENT):
        return exchange
    for line in exchange.lines.all():
        Variant.objects.filter(id=line.variant_id).update(stock=F("stock") + line.units)
    exchange.state = ExchangeState.CANCELLED
    exchange.updated_at = now
    exchange.save(update_fields=["state", "updated_at"])
    return exchange


def exchange_shrink(
    exchange: ExchangeOrder, units_by_item: dict[int, int], *, now: datetime
) -> None:
    """Give back the stock of reserved units that will not be exchanged (fewer came back)."""
    for line in exchange.lines.all():
        keep = units_by_item.get(line.return_item_id or 0, line.units)
        if keep < line.units:
            Variant.objects.filter(id=line.variant_id).update(
                stock=F("stock") + (line.units - keep)
            )
            line.units = keep
            line.save(update_fields=["units"])
    _recompute_difference(exchange)
    exchange.updated_at = now
    exchange.save(update_fields=["difference_amount", "difference_direction", "updated_at"])


def _recompute_difference(exchange: ExchangeOrder) -> None:
    """The price difference of the units actually exchanged (fewer may have come back)."""
    if exchange.claim_id is not None:
        return  # a claim's replacement has no difference
    signed = ZERO
    for line in exchange.lines.all():
        diff = exchange_difference(
            quantize(Decimal(line.new_unit_price), exchange.currency),
            quantize(Decimal(line.returned_unit_paid), exchange.currency),
            exchange.currency,
        )
        sign = -1 if diff.direction is DifferenceDirection.CUSTOMER_REFUNDED else 1
        signed += sign * diff.amount * line.units
    exchange.difference_amount = abs(signed)
    exchange.difference_direction = (
        DifferenceDirection.CUSTOMER_PAYS
        if signed > 0
        else DifferenceDirection.CUSTOMER_REFUNDED
        if signed < 0
        else DifferenceDirection.EVEN
    ).value


def exchange_payload(exchange: ExchangeOrder) -> dict[str, Any]:
    return {
        "exchange": exchange.number,
        "order": exchange.order.external_id,
        "rma": exchange.rma,
        "claim": exchange.claim.number if exchange.claim is not None else "",
        "instant": exchange.instant,
        "return_due_by": exchange.return_due_by.isoformat() if exchange.return_due_by else None,
        "released_unpaid": bool(exchange.release_note),
        "currency": exchange.currency,
        "difference_amount": str(quantize(Decimal(exchange.difference_amount), exchange.currency)),
        "difference_direction": exchange.difference_direction,
        "lines": [
            {
                "sku": line.variant.sku,
                "units": line.units,
                "unit_price": str(quantize(Decimal(line.new_unit_price), exchange.currency)),
            }
            for line in exchange.lines.select_related("variant")
        ],
    }


def exchange_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler: until store connectors exist, the exchange order is logged for the store
    to pick up through the API (webhooks will be sent from here)."""
    logger.info("exchange order ready for fulfilment: %s", message.payload)
    return {"delivered": "log"}


def exchange_release_unpaid(
    *, store: Store, exchange_id: int | str, note: str, actor: Actor, now: datetime | None = None
) -> ExchangeOrder:
    """Staff send a dearer exchange held for its unpaid difference anyway, saying why (`note`,
    code note_required). The charge stays as it is: finance may still retry it. Refused with
    illegal_transition unless the exchange is AWAITING_PAYMENT."""
    now = now or timezone.now()
    note = (note or "").strip()
    if not note:
        raise Unprocessable("Write why it is sent without payment.", code="note_required")
    exchange = selectors.exchange_get_for_store(store=store, exchange_id=exchange_id)
    with transaction.atomic():
        exchange = ExchangeOrder.objects.select_for_update().get(id=exchange.id)
        if exchange.state != ExchangeState.AWAITING_PAYMENT:
            raise Conflict(
                f"A {exchange.state} exchange is not waiting for payment.",
                code="illegal_transition",
            )
        exchange.release_note = note[:2000]
        exchange.released_by = (actor.label or str(actor))[:200]
        exchange.save(update_fields=["release_note", "released_by"])
        _exchange_emit(exchange, now=now)
    return exchange


def _exchange_paid(charge: Charge, *, now: datetime) -> None:
    """The difference of a held exchange was charged: send it for fulfilment. If its return
    was cancelled while the charge was on its way, the exchange will not ship: the charge is
    refunded in full, once."""
    exchange = ExchangeOrder.objects.select_for_update().get(id=charge.exchange_id)
    if exchange.state == ExchangeState.AWAITING_PAYMENT:
        _exchange_emit(exchange, now=now)
    elif exchange.state == ExchangeState.CANCELLED and not charge.refunds.exists():
        _charge_refund_write(
            charge, quantize(Decimal(charge.amount), charge.currency), actor=SYSTEM, now=now
        )


# --- charges -------------------------------------------------------------------------------------


def charge_record(
    *,
    exchange: ExchangeOrder,
    kind: str,
    amount: Decimal,
    actor: Actor,
    now: datetime,
    detail: dict[str, Any] | None = None,
    note: str = "",
) -> Charge:
    """Write the `kind` charge of `exchange` PENDING with its key, sent after commit (inside
    the caller's transaction, the return or exchange locked).

    Once per exchange and kind: an existing charge is returned as it is, whatever its state
    (a unique constraint holds it even if a caller forgot the lock). `amount` must be positive
    (code nothing_to_charge).
    """
    existing = Charge.objects.filter(exchange=exchange, kind=kind).first()
    if existing is not None:
        return existing
    value = quantize(Decimal(amount), exchange.currency)
    if value <= 0:
        raise Unprocessable("There is nothing to charge.", code="nothing_to_charge")
    store = Store.objects.get(id=exchange.store_id)
    charge = Charge.objects.create(
        store_id=exchange.store_id,
        order_id=exchange.order_id,
        customer_id=exchange.customer_id,
        return_id=exchange.return_id,
        rma=exchange.rma,
        exchange=exchange,
        kind=kind,
        idempotency_key=charge_idempotency_key(exchange.id, ChargePurpose(kind)),
        state=RefundState.PENDING,
        currency=exchange.currency,
        amount=value,
        detail=detail or {},
        provider=_adapter_name(store),
        note=note,
        created_by=(actor.label or str(actor))[:200],
        created_at=now,
        updated_at=now,
    )
    _enqueue_charge_send(charge)
    return charge


def charge_back_record(
    *, exchange: ExchangeOrder, units_received: dict[int, int], actor: Actor, now: datetime
) -> Charge | None:
    """Charge an instant exchange's shopper for the new units whose originals never came back
    (`units_received`: return item id -> units received). Each kept unit costs its new price
    less the price difference already charged for it. None when nothing is owed."""
    difference_paid = _difference_charged(exchange)
    lines = []
    for line in exchange.lines.select_related("variant"):
        unit = kept_unit_amount(
            quantize(Decimal(line.new_unit_price), exchange.currency),
            quantize(Decimal(line.returned_unit_paid), exchange.currency),
            difference_charged=difference_paid,
            currency=exchange.currency,
        )
        lines.append((line, unit))
    amount = unreturned_amount(
        [
            KeptLine(line.units, units_received.get(line.return_item_id or 0, 0), unit)
            for line, unit in lines
        ],
        exchange.currency,
    )
    if amount <= 0:
        return None
    detail = {
        "lines": [
            {
                "return_item_id": line.return_item_id,
                "sku": line.variant.sku,
                "units_shipped": line.units,
                "units_received": units_received.get(line.return_item_id or 0, 0),
                "unit_amount": str(unit),
            }
            for line, unit in lines
        ],
        "difference_charged": difference_paid,
    }
    return charge_record(
        exchange=exchange,
        kind=ChargeKind.UNRETURNED_ITEM,
        amount=amount,
        actor=actor,
        now=now,
        detail=detail,
        note="The original of an instant exchange was not sent back in time.",
    )


def charge_back_still_due(charge: Charge, units_received: dict[int, int]) -> Decimal:
    """What a charge-back would be with the units received now (from its frozen lines)."""
    return unreturned_amount(
        [
            KeptLine(
                int(line["units_shipped"]),
                units_received.get(line.get("return_item_id") or 0, 0),
                Decimal(line["unit_amount"]),
            )
            for line in (charge.detail or {}).get("lines", [])
        ],
        charge.currency,
    )


def charge_refund_arrivals(
    *, charge_id: int, units_received: dict[int, int], actor: Actor, now: datetime
) -> Refund | None:
    """Refund the part of a SUCCEEDED charge-back that is no longer owed because originals
    arrived (inside the caller's transaction). The caller holds the return's row lock: that is
    what serialises two arrivals, or an arrival and the charge's own success, so the refunds of
    a charge add up to at most the charge. (Locking the charge here instead would take the two
    rows in the opposite order to `charge_send` and could deadlock.) None when nothing (more)
    is due back."""
    charge = Charge.objects.select_related("order", "customer").get(id=charge_id)
    if charge.state != RefundState.SUCCEEDED or charge.kind != ChargeKind.UNRETURNED_ITEM:
        return None
    currency = charge.currency
    already = Refund.objects.filter(charge=charge).aggregate(t=Sum("amount"))["t"] or ZERO
    amount = charge_refund_amount(
        quantize(Decimal(charge.amount), currency),
        charge_back_still_due(charge, units_received),
        quantize(Decimal(already), currency),
        currency,
    )
    if amount <= 0:
        return None
    return _charge_refund_write(charge, amount, actor=actor, now=now)


def _charge_refund_write(charge: Charge, amount: Decimal, *, actor: Actor, now: datetime) -> Refund:
    order = charge.order
    sequence = _next_sequence(return_id=charge.return_id, claim=None, order=order)
    refund = Refund.objects.create(
        store_id=charge.store_id,
        order=order,
        customer_id=charge.customer_id,
        return_id=charge.return_id,
        rma=charge.rma,
        charge=charge,
        kind=RefundKind.CHARGE_REFUND,
        destination=Destination.ORIGINAL_PAYMENT,
        sequence=sequence,
        idempotency_key=refund_idempotency_key(
            _key_subject(return_id=charge.return_id, claim=None, order=order), sequence
        ),
        state=RefundState.PENDING,
        currency=charge.currency,
        amount=amount,
        provider=_adapter_name(Store.objects.get(id=charge.store_id)),
        note=f"The item came back after charge {charge.idempotency_key}.",
        created_by=(actor.label or str(actor))[:200],
        created_at=now,
        updated_at=now,
    )
    _enqueue_send(refund)
    return refund


def _enqueue_charge_send(charge: Charge) -> None:
    enqueue_send(charge, kind=CHARGE_SEND_KIND, id_field="charge_id")


def _charge_succeeded(
    charge: Charge, *, now: datetime, settled_by: str, reference: str, hook: ChargeHook | None
) -> None:
    settle(charge, RefundState.SUCCEEDED, now=now, settled_by=settled_by, reference=reference)
    _after_charge_taken(charge, now=now, hook=hook)


def _after_charge_taken(charge: Charge, *, now: datetime, hook: ChargeHook | None) -> None:
    """Run the caller's hook (which locks the return and writes its trail), then send a held
    exchange whose difference this was. In the transaction that marked the charge paid; the
    hook comes first so that the return is always locked before the exchange, as every other
    writer does."""
    if hook is not None:
        hook(charge)
    if charge.kind == ChargeKind.EXCHANGE_DIFFERENCE:
        _exchange_paid(charge, now=now)


def charge_send(
    charge_id: int, *, now: datetime | None = None, on_succeeded: ChargeHook | None = None
) -> str:
    """Send one PENDING charge to its payment adapter, at most one caller at a time: the same
    protocol as `refund_send` (retorno/money/sending.py)."""
    now = now or timezone.now()

    def call(charge: Charge) -> tuple[str, ChargeOutcome]:
        gateway = registry.gateway(charge.provider or DEFAULT_ADAPTER)
        request = ChargeRequest(
            idempotency_key=charge.idempotency_key,
            amount=quantize(Decimal(charge.amount), charge.currency),
            currency=charge.currency,
            store_id=charge.store_id,
            order_reference=charge.order.external_id,
            reference=charge.rma or charge.exchange.number,
            reason=charge.kind,
        )
        return gateway.name, gateway.charge(request)

    def taken(charge: Charge) -> None:
        _after_charge_taken(charge, now=now, hook=on_succeeded)

    return send_once(
        Charge, charge_id, now=now, call=call, on_succeeded=taken, related=("order", "exchange")
    )


def charge_retry(
    *, store: Store, charge_id: int | str, actor: Actor, now: datetime | None = None
) -> Charge:
    """Finance retries a charge. FAILED → PENDING with a new key (the provider confirmed nothing
    was taken); a PENDING charge nobody is sending is re-driven with its *same* key. Sent after
    commit. A SUCCEEDED charge cannot be retried (code already_charged)."""
    now = now or timezone.now()
    charge = selectors.charge_get_for_store(store=store, charge_id=charge_id)
    with transaction.atomic():
        charge = Charge.objects.select_for_update().get(id=charge.id)
        reopen_for_retry(
            charge,
            now=now,
            actor_label=actor.label,
            next_key=lambda attempt: charge_idempotency_key(
                charge.exchange_id, ChargePurpose(charge.kind), attempt
            ),
            already_done=Conflict("This charge was already taken.", code="already_charged"),
            in_flight=Conflict("This charge is being sent right now.", code="charge_in_flight"),
        )
        _enqueue_charge_send(charge)
    return charge


def charge_mark_paid(
    *,
    store: Store,
    charge_id: int | str,
    reference: str,
    actor: Actor,
    now: datetime | None = None,
    on_succeeded: ChargeHook | None = None,
) -> Charge:
    """Finance took a PENDING charge by hand (manual adapter) and records the payment's
    reference. Refused for anything but a pending charge (code illegal_transition)."""
    now = now or timezone.now()
    reference = payment_reference(reference)
    charge = selectors.charge_get_for_store(store=store, charge_id=charge_id)
    with transaction.atomic():
        charge = Charge.objects.select_for_update().get(id=charge.id)
        if charge.state != RefundState.PENDING:
            raise Conflict(
                f"A {charge.state} charge cannot be marked as paid.", code="illegal_transition"
            )
        _charge_succeeded(
            charge, now=now, settled_by=actor.label, reference=reference, hook=on_succeeded
        )
    return charge


# --- claims --------------------------------------------------------------------------------------


def claim_open(
    *,
    store: Store,
    order_external_id: str,
    reason: str,
    lines: dict[str, int],
    actor: Actor,
    description: str = "",
    photos: Sequence[str] = (),
    now: datetime | None = None,
) -> Claim:
    """Report a damaged, missing or wrong item without sending it back. Nothing is written on
    bad input (unknown order or line, units past the line, unknown reason), nor for units the
    order's other open or resolved claims already cover (code already_claimed: a line's units
    are claimed at most once; a rejected claim frees them). The order's row lock serialises two
    claims on one order."""
    now = now or timezone.now()
    if reason not in ClaimReason.values:
        raise Unprocessable(f"Unknown claim reason {reason!r}.", code="invalid_reason")
    if not lines:
        raise Unprocessable("Say which items the claim is about.", code="no_items")
    with transaction.atomic():
        order = (
            Order.objects.select_for_update()
            .filter(store=store, external_id=order_external_id)
            .first()
        )
        if order is None:
            raise NotFound(f"No order {order_external_id!r} in this store.", code="order_not_found")
        by_ext = {line.external_id: line for line in order.lines.all()}
        for ext, units in lines.items():
            line = by_ext.get(ext)
            if line is None:
                raise Unprocessable(f"Line {ext!r} is not on the order.", code="unknown_line")
            if (
                isinstance(units, bool)
                or not isinstance(units, int)
                or not 1 <= units <= line.quantity
            ):
                raise Unprocessable(
                    f"Line {ext!r}: 1 to {line.quantity} unit(s).", code="invalid_quantity"
                )
        claimed = selectors.claimed_units_by_line(order)
        for ext, units in lines.items():
            line = by_ext[ext]
            left = line.quantity - claimed.get(line.id, 0)
            if units > left:
                raise Unprocessable(
                    f"Line {ext!r}: {left} unit(s) left to claim; other claims of this order "
                    "cover the rest.",
                    code="already_claimed",
                    line=ext,
                    units_left=max(left, 0),
                )
        for _ in range(5):
            try:
                with transaction.atomic():
                    claim = Claim.objects.create(
                        store=store,
                        order=order,
                        customer=order.customer,
                        number=f"CL-{secrets.token_hex(4).upper()}",
                        reason=reason,
                        description=description[:4000],
                        created_by=(actor.label or str(actor))[:200],
                        created_at=now,
                        updated_at=now,
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 32 random bits colliding five times
            raise RuntimeError("could not allocate a claim number")
        ClaimLine.objects.bulk_create(
            ClaimLine(claim=claim, order_line=by_ext[ext], units=units)
            for ext, units in lines.items()
        )
        ClaimPhoto.objects.bulk_create(
            ClaimPhoto(claim=claim, path=str(p)[:500], created_at=now) for p in photos
        )
    return claim


def claim_resolve(
    *,
    store: Store,
    number: str,
    resolution: str,
    actor: Actor,
    amount: str | Decimal | None = None,
    note: str = "",
    now: datetime | None = None,
    destination: str = Destination.ORIGINAL_PAYMENT,
) -> Claim:
    """Resolve an open claim by refund, replacement or both, with the same refund engine as
    returns (units bounded by the line, the order's paid total never exceeded). `amount` is an
    agent's typed amount instead of the claimed units' paid value (checked, never clamped)."""
    now = now or timezone.now()
    if resolution not in ClaimResolution.values:
        raise Unprocessable(f"Unknown claim resolution {resolution!r}.", code="invalid_resolution")
    claim = selectors.claim_get_for_store(store=store, number=number)
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(id=claim.id)
        if claim.state != ClaimState.OPEN:
            raise Conflict(f"This claim is already {claim.state}.", code="illegal_transition")
        order = claim.order
        claim_lines = list(claim.lines.select_related("order_line"))
        if resolution in (ClaimResolution.REFUND, ClaimResolution.BOTH):
            typed = None
            if amount not in (None, ""):
                try:
                    typed = parse_amount(amount, order.currency)  # type: ignore[arg-type]
                except MoneyError as exc:
                    raise Unprocessable(exc.message, code="invalid_amount") from None
            plan = refund_plan(
                store=store,
                order=order,
                items=[
                    PlanItem(
                        order_line=cl.order_line,
                        return_item_id=None,
                        units_approved=cl.units,
                        units_received_accepted=cl.units,
                    )
                    for cl in claim_lines
                ],
                timing="on_approval",
                now=now,
            )
            if typed is None and plan.preview.total_amount == 0:
                raise Unprocessable("These items were already refunded.", code="nothing_to_refund")
            refund_record(
                store=store,
                plan=plan,
                kind=RefundKind.CLAIM,
                destination=destination,
                actor=actor,
                now=now,
                claim=claim,
                amount=typed,
                note=note,
            )
        if resolution in (ClaimResolution.REPLACEMENT, ClaimResolution.BOTH):
            missing = [cl.order_line.sku for cl in claim_lines if cl.order_line.variant_id is None]
            if missing:
                raise Unprocessable(
                    "The item is no longer in the catalog.", code="invalid_exchange"
                )
            exchange_reserve(
                store=store,
                order=order,
                claim=claim,
                items=[
                    ExchangeItem(cl.order_line, None, cl.order_line.variant_id or 0, cl.units, ZERO)
                    for cl in claim_lines
                ],
                replacement=True,
                now=now,
            )
        claim.state = ClaimState.RESOLVED
        claim.resolution = resolution
        claim.resolution_note = note
        claim.resolved_by = (actor.label or str(actor))[:200]
        claim.resolved_at = now
        claim.updated_at = now
        claim.save(
            update_fields=[
                "state",
                "resolution",
                "resolution_note",
                "resolved_by",
                "resolved_at",
                "updated_at",
            ]
        )
    return claim


def claim_reject(
    *, store: Store, number: str, note: str, actor: Actor, now: datetime | None = None
) -> Claim:
    now = now or timezone.now()
    if not (note or "").strip():
        raise Unprocessable("Write why the claim is rejected.", code="note_required")
    claim = selectors.claim_get_for_store(store=store, number=number)
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(id=claim.id)
        if claim.state != ClaimState.OPEN:
            raise Conflict(f"This claim is already {claim.state}.", code="illegal_transition")
        claim.state = ClaimState.REJECTED
        claim.resolution_note = note.strip()
        claim.resolved_by = (actor.label or str(actor))[:200]
        claim.resolved_at = now
        claim.updated_at = now
        claim.save(
            update_fields=["state", "resolution_note", "resolved_by", "resolved_at", "updated_at"]
        )
    return claim


def money_settings_save(*, store: Store, **values: Any) -> MoneySettings:
    """Create or update a store's money settings; unknown names are refused."""
    fields = {f.name for f in MoneySettings._meta.get_fields()} - {"id", "store"}
    unknown = set(values) - fields
    if unknown:
        raise Unprocessable(
            f"Unknown settings: {', '.join(sorted(unknown))}.", code="invalid_settings"
        )
    found, _ = MoneySettings.objects.update_or_create(store=store, defaults=values)
    return found
