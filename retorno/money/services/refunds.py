"""Refunds: planned, written and sent.

The rules are the domain's (retorno.domain.money); these functions lock, read the facts,
ask the domain, and write. Refunds to the original payment are two steps, never one:

1. `refund_plan` + `refund_record` (inside the caller's transaction, the order row locked):
   the refund row is written PENDING with its idempotency key, and an outbox message asks for
   it to be sent once the transaction commits.
2. `refund_send` (outside any transaction): takes a short lease on the row, calls the payment
   adapter with the row's key, then records the outcome under the row's lock. A crash between
   the call and the commit leaves the row PENDING with the same key; the re-drive sends that key
   again and the provider answers with the refund it already made.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from retorno.core.actors import Actor
from retorno.core.errors import Conflict
from retorno.domain.money import quantize
from retorno.domain.money.deductions import (
    DEFAULT_RATES,
    NO_DEDUCTION,
    Deduction,
    DeductionRates,
    inspection_deduction,
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
from retorno.domain.money.timing import pays_before_receipt
from retorno.integrations.payments import registry
from retorno.integrations.payments.base import (
    OutcomeStatus,
    RefundOutcome,
    RefundRequest,
)
from retorno.money import adapters, selectors
from retorno.money.models import (
    Charge,
    Claim,
    Destination,
    Refund,
    RefundKind,
    RefundLine,
)
from retorno.money.services.attempts import (
    enqueue_send,
    payment_reference,
    reopen_for_retry,
    send_once,
    settle,
)
from retorno.money.services.settings import DEFAULT_ADAPTER, payment_adapter_for
from retorno.money.services.store_credit import wallet_credit
from retorno.orders.models import Order, OrderLine
from retorno.stores.models import Store

ZERO = Decimal("0")


SEND_KIND = "refund.send"


SettledHook = Callable[[Refund], None]


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
            payment_adapter_for(store)
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


def refund_for_charge_write(
    charge: Charge, amount: Decimal, *, actor: Actor, now: datetime
) -> Refund:
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
        provider=payment_adapter_for(Store.objects.get(id=charge.store_id)),
        note=f"The item came back after charge {charge.idempotency_key}.",
        created_by=(actor.label or str(actor))[:200],
        created_at=now,
        updated_at=now,
    )
    _enqueue_send(refund)
    return refund


def _lines_metadata(refund: Refund) -> dict[str, str]:
    """What each order line contributes, for an adapter that refunds line by line (a store
    platform's): `{"lines": JSON [{line, units, gross, tax, net}]}`, amounts as strings."""
    lines = [
        {
            "line": line.order_line.external_id,
            "units": line.units,
            "gross": str(line.gross_amount),
            "tax": str(line.tax_amount),
            "net": str(line.net_amount),
        }
        for line in refund.lines.select_related("order_line")
    ]
    return {"lines": json.dumps(lines)} if lines else {}


def refund_send(
    refund_id: int,
    *,
    now: datetime | None = None,
    on_succeeded: SettledHook | None = None,
    on_failed: SettledHook | None = None,
) -> str:
    """Send one PENDING refund to its payment adapter, at most one caller at a time.

    Must run outside any transaction (the row and its key are already committed). Returns the
    state after the call ("skipped" when the refund is not pending or another caller holds it).
    Raises PaymentUnavailable when the outcome is unknown: the row stays PENDING with its key and
    the caller (the outbox) re-drives it later. `on_succeeded` runs in the transaction that
    marks the refund SUCCEEDED (to put it on the return's trail and tell the shopper),
    `on_failed` in the one that marks it FAILED.
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
            metadata=_lines_metadata(refund) if getattr(gateway, "wants_lines", False) else {},
        )
        return gateway.name, gateway.refund(request)

    return send_once(
        Refund,
        refund_id,
        now=now or timezone.now(),
        call=call,
        on_succeeded=on_succeeded,
        on_failed=on_failed,
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


def refund_provider_update(
    *,
    store: Store,
    provider: str,
    reference: str,
    idempotency_key: str,
    outcome: RefundOutcome,
    now: datetime | None = None,
    on_succeeded: SettledHook | None = None,
    on_failed: SettledHook | None = None,
) -> str:
    """The provider tells how a refund it was sent ended (a webhook): the PENDING refund sent
    to `provider` under `idempotency_key` (or known by its `reference`) becomes SUCCEEDED or
    FAILED, with the same hooks as `refund_send`. Answers what was done: "succeeded",
    "failed", "pending" (still on its way), "unknown" (no such refund of ours), or
    "already <state>" (settled before: a repeated event changes nothing)."""
    now = now or timezone.now()
    with transaction.atomic():
        match = Q(idempotency_key=idempotency_key) if idempotency_key else Q(pk__in=[])
        if reference:
            match |= Q(provider_reference=reference)
        refund = (
            Refund.objects.select_for_update()
            .filter(match, store=store, provider=provider, destination=Destination.ORIGINAL_PAYMENT)
            .first()
        )
        if refund is None:
            return "unknown"
        if refund.state != RefundState.PENDING:
            return f"already {refund.state}"
        if outcome.status is OutcomeStatus.SUCCEEDED:
            settle(refund, RefundState.SUCCEEDED, now=now, settled_by=provider, reference=reference)
            if on_succeeded is not None:
                on_succeeded(refund)
        elif outcome.status is OutcomeStatus.FAILED:
            refund.provider_reference = reference or refund.provider_reference
            settle(refund, RefundState.FAILED, now=now, error=outcome.message or "refused")
            if on_failed is not None:
                on_failed(refund)
        elif reference and refund.provider_reference != reference:
            refund.provider_reference = reference
            refund.awaiting_manual = False
            refund.updated_at = now
            refund.save(update_fields=["provider_reference", "awaiting_manual", "updated_at"])
        return str(refund.state)


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
