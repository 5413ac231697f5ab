"""Money for returns: when a return's refund is due, what it is, and putting it on the trail.

The money rules and the ledger live in `retorno.resolutions` (which knows nothing of returns);
this module joins the two: "this return reached a milestone → is a refund due under its policy
decision → plan it from what was paid, received, accepted and inspected → write the PENDING
ledger row and its outbox message → once paid, a `refunded` event on the return's trail (which
tells the shopper)". Exchanges reserve stock at approval and are emitted at resolution (a
dearer one once its difference is charged); keep-the-item resolves a return without anything
travelling. Instant exchanges whose original is not sent back in time are reminded a few days
before their deadline and charged back after it by periodic jobs, and refunded if the original
arrives after all. Charges go on the trail when issued, taken (`charged`) or declined
(`charge_failed`); the shopper hears of them through the trail's effects.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.core.errors import Conflict, Unprocessable
from retorno.domain.money import MoneyError, parse_amount, quantize
from retorno.domain.resolutions.charges import instant_exchange_overdue, instant_return_days
from retorno.domain.resolutions.refunds import refundable_units_amount
from retorno.domain.resolutions.timing import Milestone, RefundTiming, refund_due
from retorno.domain.returns.ledger import ItemDecision
from retorno.domain.returns.states import Command, ReturnStatus
from retorno.resolutions import adapters as money_adapters
from retorno.resolutions import selectors as money_selectors
from retorno.resolutions import services as money
from retorno.resolutions.models import (
    Charge,
    ChargeKind,
    Destination,
    ExchangeOrder,
    ExchangeState,
    Refund,
    RefundKind,
)
from retorno.returns.events import EventKind, Recorded, command, event_record, return_move
from retorno.returns.locks import return_lock, return_lock_by_id
from retorno.returns.models import Method, Resolution, Return, ReturnEvent, ReturnItem
from retorno.returns.selectors import return_get_for_store
from retorno.stores.models import Store
from retorno.warehouse.selectors import inspections_for_return

ZERO = Decimal("0")

# Events that are milestones for refund timing (docs/money.md, "Timing").
EVENT_MILESTONES: dict[EventKind, Milestone] = {
    EventKind.APPROVED: Milestone.APPROVED,
    EventKind.IN_TRANSIT: Milestone.FIRST_SCAN,
    EventKind.RECEIVED: Milestone.RECEIVED,
    EventKind.INSPECTED: Milestone.INSPECTED,
}
_TIMING_ORDER = list(RefundTiming)
NOT_REFUNDABLE_STATES = frozenset(
    {
        ReturnStatus.REQUESTED,
        ReturnStatus.PENDING_REVIEW,
        ReturnStatus.REJECTED,
        ReturnStatus.CANCELLED,
    }
)


# --- facts of a return ---------------------------------------------------------------------------


def _decision_lines(return_request: Return) -> dict[str, dict[str, Any]]:
    return {line.get("line_id"): line for line in (return_request.decision or {}).get("lines", [])}


def return_timing(return_request: Return) -> str:
    """The return's refund timing: the latest of its lines' (the most careful one wins when a
    category rule gives some lines another timing), on_receipt when unknown."""
    timings: list[str] = [
        str(line["refund_timing"])
        for line in _decision_lines(return_request).values()
        if line.get("refund_timing") in _TIMING_ORDER
    ]
    if not timings:
        return RefundTiming.ON_RECEIPT.value
    return max(timings, key=lambda t: _TIMING_ORDER.index(RefundTiming(t)))


def _grades(
    return_request: Return, items: list[ReturnItem]
) -> dict[int, tuple[tuple[str, int], ...]]:
    """Return item id -> (grade, units) of its inspections, in order (the warehouse's record)."""
    grades: dict[int, list[tuple[str, int]]] = {}
    for row in inspections_for_return(store=return_request.store, return_id=return_request.id):
        grades.setdefault(row.return_item_id, []).append((row.grade, row.quantity))
    return {item_id: tuple(groups) for item_id, groups in grades.items()}


def _items(return_request: Return) -> list[ReturnItem]:
    return list(
        ReturnItem.objects.filter(return_request=return_request)
        .exclude(decision=ItemDecision.REJECTED)
        .select_related("order_line", "exchange_variant")
        .order_by("id")
    )


def _plan_items(
    return_request: Return, items: list[ReturnItem], *, keep: bool = False
) -> list[money.PlanItem]:
    lines = _decision_lines(return_request)
    grades = {} if keep else _grades(return_request, items)
    return [
        money.PlanItem(
            order_line=item.order_line,
            return_item_id=item.id,
            units_approved=item.quantity_approved,
            units_received_accepted=min(item.quantity_received, item.quantity_approved),
            reason=item.reason,
            grades=grades.get(item.id, ()),
            qc_level=lines.get(item.order_line.external_id, {}).get("qc_level") or "standard",
            rates=money_adapters.deduction_rates(lines.get(item.order_line.external_id, {})),
            restocking_fee_total=ZERO if keep else Decimal(item.restocking_fee_amount),
            units_decided=item.quantity_requested,
        )
        for item in items
        if item.quantity_approved > 0
    ]


def _refund_items(return_request: Return) -> list[ReturnItem]:
    """Items settled in money: all of them, except exchange items with a new variant chosen."""
    items = _items(return_request)
    if return_request.resolution == Resolution.EXCHANGE:
        return [i for i in items if i.exchange_variant_id is None]
    return items


def _bonus_percent(return_request: Return) -> Decimal:
    percents = [
        Decimal(str(line.get("store_credit_bonus_percent") or "0"))
        for line in _decision_lines(return_request).values()
    ]
    return max(percents, default=ZERO)


def _plan(
    return_request: Return,
    items: list[ReturnItem],
    *,
    now: datetime,
    refund_shipping: bool | None = None,
    keep: bool = False,
) -> money.Plan:
    return money.refund_plan(
        store=return_request.store,
        order=return_request.order,
        items=_plan_items(return_request, items, keep=keep),
        timing=RefundTiming.ON_APPROVAL.value if keep else return_timing(return_request),
        return_id=return_request.id,
        return_shipping_fee_total=ZERO
        if keep
        else Decimal(return_request.return_shipping_fee_amount),
        refund_shipping=(
            bool((return_request.decision or {}).get("refund_shipping"))
            if refund_shipping is None
            else refund_shipping
        ),
        now=now,
    )


# --- preview and issue ---------------------------------------------------------------------------


def refund_preview(
    *, store: Store, rma: str, refund_shipping: bool | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """What refunding the return now would pay, item by item (nothing is written)."""
    now = now or timezone.now()
    return_request = return_get_for_store(store=store, rma=rma)
    with transaction.atomic():  # the plan locks the order row while it reads
        plan = _plan(
            return_request, _refund_items(return_request), now=now, refund_shipping=refund_shipping
        )
    body = money_adapters.preview_json(plan.preview)
    body["rma"] = return_request.rma
    body["destination"] = _destination(return_request)
    body["refundable"] = return_request.status not in NOT_REFUNDABLE_STATES
    return body


def _destination(return_request: Return) -> str:
    if return_request.resolution == Resolution.STORE_CREDIT:
        return Destination.STORE_CREDIT.value
    return Destination.ORIGINAL_PAYMENT.value


def refund_issue(
    return_request: Return,
    *,
    actor: Actor,
    now: datetime,
    kind: str = RefundKind.RETURN,
    refund_shipping: bool | None = None,
    amount: Decimal | None = None,
    note: str = "",
    keep: bool = False,
) -> Refund | None:
    """Write the refund of whatever of the return is refundable now (inside the return's
    transaction, the return locked). None when there is nothing (more) to refund."""
    plan = _plan(
        return_request,
        _refund_items(return_request),
        now=now,
        refund_shipping=refund_shipping,
        keep=keep,
    )
    nothing = not any(item.units for item in plan.preview.items) and not plan.preview.total_amount
    if nothing and amount is None:
        return None
    refund = money.refund_record(
        store=return_request.store,
        plan=plan,
        kind=kind,
        destination=_destination(return_request),
        actor=actor,
        now=now,
        return_id=return_request.id,
        rma=return_request.rma,
        amount=amount,
        bonus_percent=_bonus_percent(return_request),
        note=note,
    )
    _sync_quantities(return_request)
    event_record(
        return_request,
        EventKind.REFUND_ISSUED,
        actor=actor,
        now=now,
        note=_deduction_note(refund),
        data=_refund_data(refund),
    )
    if refund.state == "succeeded":
        record_refunded(refund, return_request=return_request, now=now)
    return refund


def _sync_quantities(return_request: Return) -> None:
    refunded = money_selectors.refunded_units_by_item(return_request.id)
    exchanged = money_selectors.exchanged_units_by_item(return_request.id)
    for item in ReturnItem.objects.filter(return_request=return_request):
        units_refunded = min(refunded.get(item.id, 0), item.quantity_approved)
        units_exchanged = min(exchanged.get(item.id, 0), item.quantity_approved - units_refunded)
        if (item.quantity_refunded, item.quantity_exchanged) != (units_refunded, units_exchanged):
            item.quantity_refunded = units_refunded
            item.quantity_exchanged = units_exchanged
            item.save(update_fields=["quantity_refunded", "quantity_exchanged"])


def _deduction_note(refund: Refund) -> str:
    return " ".join(
        dict.fromkeys(
            line.deduction_message for line in refund.lines.all() if line.deduction_amount > 0
        )
    )


def _refund_data(refund: Refund) -> dict[str, Any]:
    def text(amount: Decimal) -> str:
        return str(quantize(Decimal(amount), refund.currency))

    return {
        "refund": refund.id,
        "kind": refund.kind,
        "idempotency_key": refund.idempotency_key,
        "destination": refund.destination,
        "state": refund.state,
        "amount": text(Decimal(refund.amount) + Decimal(refund.bonus_amount)),
        "refund_amount": text(refund.amount),
        "bonus_amount": text(refund.bonus_amount),
        "deductions": [
            {
                "line": line.order_line.external_id,
                "amount": text(line.deduction_amount),
                "code": line.deduction_reason_code,
                "message": line.deduction_message,
            }
            for line in refund.lines.select_related("order_line")
            if line.deduction_amount > 0
        ],
    }


def record_refunded(
    refund: Refund, *, return_request: Return | None = None, now: datetime | None = None
) -> None:
    """Put a paid refund on its return's trail (`refunded`, which tells the shopper, with the
    deduction reasons as the note). Runs in the transaction that marks the refund paid."""
    if refund.return_id is None:
        return
    with command():
        return_request = return_request or Return.objects.select_related(
            "store", "order", "customer"
        ).get(id=refund.return_id)
        event_record(
            return_request,
            EventKind.REFUNDED,
            actor=Actor(kind="system", id="", label=refund.settled_by or "Retorno"),
            now=now or refund.succeeded_at or timezone.now(),
            note=_deduction_note(refund),
            data=_refund_data(refund),
        )


# --- the effects handler: refund timing ----------------------------------------------------------


def on_cancelled(recorded: Recorded) -> None:
    """A cancelled exchange gives back the stock reserved for it."""
    return_request, event = recorded.return_request, recorded.event
    if return_request.resolution != Resolution.EXCHANGE:
        return
    exchange = money_selectors.exchange_for_return(
        store=return_request.store, return_id=return_request.id
    )
    if exchange is not None:
        money.exchange_cancel(exchange, now=event.created_at)


def on_milestone(recorded: Recorded) -> None:
    """After a milestone event: at approval, settle a return the policy lets the shopper keep,
    or reserve an exchange's stock; issue the refund (or store credit) when the policy's
    refund timing says it is due. Same transaction."""
    return_request, event = recorded.return_request, recorded.event
    milestone = EVENT_MILESTONES.get(EventKind(event.kind))
    if milestone is None or return_request.method == Method.KEEP:
        return
    if milestone is Milestone.APPROVED and keeps_items(return_request):
        _resolve_kept(
            return_request,
            actor=SYSTEM,
            now=event.created_at,
            note="The return policy lets the shopper keep the items.",
        )
        return
    if return_request.resolution == Resolution.EXCHANGE:
        if milestone is Milestone.APPROVED:
            exchange_reserve_for_return(return_request, now=event.created_at)
        elif milestone is Milestone.RECEIVED:
            charge_back_refund_arrivals(return_request, now=event.created_at)
        return
    if refund_due(return_timing(return_request), milestone):
        refund_issue(return_request, actor=SYSTEM, now=event.created_at)


# --- exchanges -----------------------------------------------------------------------------------


def exchange_reserve_for_return(return_request: Return, *, now: datetime) -> Any:
    """Reserve the new variants at approval (once per return). Out of stock refuses the
    approval with code exchange_out_of_stock, nothing changed. An instant exchange gets its
    return deadline from the policy decision (`instant_exchange_return_days`, 30 days when
    absent) and, when dearer, its difference charged before it ships."""
    existing = money_selectors.exchange_for_return(
        store=return_request.store, return_id=return_request.id
    )
    if existing is not None:
        return existing
    items = [i for i in _items(return_request) if i.exchange_variant_id and i.quantity_approved]
    if not items:
        return None
    payment = money_adapters.order_payment(return_request.order, return_request.order.lines.all())
    exchange_items = [
        money.ExchangeItem(
            order_line=item.order_line,
            return_item_id=item.id,
            variant_id=item.exchange_variant_id or 0,
            units=item.quantity_approved,
            returned_unit_paid=refundable_units_amount(
                payment.line(item.order_line.external_id), 1, 0
            ),
        )
        for item in items
    ]
    exchange = money.exchange_reserve(
        store=return_request.store,
        order=return_request.order,
        items=exchange_items,
        return_id=return_request.id,
        rma=return_request.rma,
        instant=bool((return_request.decision or {}).get("instant_exchange")),
        return_days=_instant_return_days(return_request),
        now=now,
    )
    if exchange.state == ExchangeState.AWAITING_PAYMENT:
        _record_difference_charge(return_request, exchange, SYSTEM, now=now)
    return exchange


def _instant_return_days(return_request: Return) -> int:
    return instant_return_days((return_request.decision or {}).get("instant_exchange_return_days"))


def _record_difference_charge(
    return_request: Return, exchange: ExchangeOrder, actor: Actor, *, now: datetime
) -> None:
    charge = money_selectors.charge_for_exchange(
        exchange_id=exchange.id, kind=ChargeKind.EXCHANGE_DIFFERENCE
    )
    if charge is not None:
        event_record(
            return_request,
            EventKind.CHARGE_ISSUED,
            actor=actor,
            now=now,
            note="The exchange ships once its price difference is paid.",
            data=_charge_data(charge),
        )


def _resolve_exchange(return_request: Return, *, actor: Actor, now: datetime) -> None:
    exchange = exchange_reserve_for_return(return_request, now=now)
    if exchange is not None:
        if not exchange.instant and exchange.state == "reserved":
            received = {
                i.id: min(i.quantity_received, i.quantity_approved) for i in _items(return_request)
            }
            money.exchange_shrink(exchange, received, now=now)
        if exchange.instant:
            _charge_back_missing(return_request, exchange, now=now)
        before = exchange.state
        money.exchange_release(exchange, now=now, actor=actor)
        if before == ExchangeState.RESERVED and exchange.state == ExchangeState.AWAITING_PAYMENT:
            _record_difference_charge(return_request, exchange, actor, now=now)
        if (
            exchange.difference_direction == "customer_refunded"
            and exchange.difference_amount > 0
            and not Refund.objects.filter(
                return_id=return_request.id, kind=RefundKind.EXCHANGE_DIFFERENCE
            ).exists()
        ):
            plan = money.refund_plan(
                store=return_request.store,
                order=return_request.order,
                items=[],
                timing=RefundTiming.ON_APPROVAL.value,
                now=now,
            )
            refund = money.refund_record(
                store=return_request.store,
                plan=plan,
                kind=RefundKind.EXCHANGE_DIFFERENCE,
                destination=Destination.ORIGINAL_PAYMENT,
                actor=actor,
                now=now,
                return_id=return_request.id,
                rma=return_request.rma,
                amount=quantize(Decimal(exchange.difference_amount), return_request.currency),
                note="Price difference of the exchange.",
            )
            event_record(
                return_request,
                EventKind.REFUND_ISSUED,
                actor=actor,
                now=now,
                data=_refund_data(refund),
            )
    refund_issue(return_request, actor=actor, now=now)  # items without a new variant
    _sync_quantities(return_request)


def _charge_back_missing(return_request: Return, exchange: ExchangeOrder, *, now: datetime) -> None:
    """An instant exchange resolved with fewer originals back than new items sent: the missing
    ones will not come, so they are charged now (once per exchange, like the deadline job)."""
    if money_selectors.charge_for_exchange(
        exchange_id=exchange.id, kind=ChargeKind.UNRETURNED_ITEM
    ):
        return
    charge = money.charge_back_record(
        exchange=exchange, units_received=_units_received(return_request), actor=SYSTEM, now=now
    )
    if charge is not None:
        event_record(
            return_request,
            EventKind.CHARGE_BACK_ISSUED,
            actor=SYSTEM,
            now=now,
            note="Fewer items came back than the exchange sent; the missing ones are charged.",
            data=_charge_data(charge),
        )


# --- resolving a return --------------------------------------------------------------------------


def resolve_money(return_request: Return, *, actor: Actor, now: datetime) -> None:
    """Settle a return's money as it is resolved (inside return_resolve's transaction).

    Refund and store credit: whatever is refundable now and not refunded yet is issued (units
    received and accepted, unless the timing paid on approval); a return with nothing refunded
    and nothing to refund is refused (code nothing_to_refund). Exchange: the exchange order is
    emitted for the units that came back (instant ones already were), a lower price refunded.
    """
    if return_request.resolution == Resolution.EXCHANGE:
        _resolve_exchange(return_request, actor=actor, now=now)
        return
    refund = refund_issue(return_request, actor=actor, now=now)
    if refund is None and not Refund.objects.filter(return_id=return_request.id).exists():
        raise Unprocessable(
            "Nothing of this return can be refunded yet: no units were received and accepted.",
            code="nothing_to_refund",
        )


def refund_execute(
    *,
    store: Store,
    rma: str,
    actor: Actor,
    amount: Decimal | str | None = None,
    refund_shipping: bool | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Refund:
    """Staff or API execute the refund of a return now (after its preview): what is refundable
    and not refunded yet, or an agent's typed `amount` (never negative, never above what is
    left of the order). A rejected, cancelled or undecided return is refused, nothing changed."""
    now = now or timezone.now()
    with command():
        return_request = return_lock(store, rma)
        if return_request.status in NOT_REFUNDABLE_STATES:
            raise Conflict(
                f"A {return_request.status} return cannot be refunded.", code="not_refundable"
            )
        typed = None
        if amount not in (None, ""):
            try:
                typed = parse_amount(amount, return_request.currency)  # type: ignore[arg-type]
            except MoneyError as exc:
                raise Unprocessable(exc.message, code="invalid_amount") from None
        refund = refund_issue(
            return_request,
            actor=actor,
            now=now,
            amount=typed,
            refund_shipping=refund_shipping,
            note=note,
        )
        if refund is None:
            raise Unprocessable(
                "Nothing is left to refund on this return.", code="nothing_to_refund"
            )
    return refund


# --- keep the item -------------------------------------------------------------------------------


def keeps_items(return_request: Return) -> bool:
    """Whether the return's policy decision lets the shopper keep the items (never for an
    exchange, which settles in goods, not money)."""
    keep = (return_request.decision or {}).get("keep_item") or {}
    return bool(keep.get("allowed")) and return_request.resolution != Resolution.EXCHANGE


def _keep_refusal(return_request: Return) -> Unprocessable:
    if return_request.resolution == Resolution.EXCHANGE:
        return Unprocessable(
            "Keep-the-item settles in money, not in an exchange.",
            code="keep_item_not_allowed",
            reason="exchange",
        )
    keep = (return_request.decision or {}).get("keep_item") or {}
    code = keep.get("code") or "keep_item_disabled"
    return Unprocessable(
        "The return policy this return was decided under does not let the shopper keep the "
        f"items ({code}).",
        code="keep_item_not_allowed",
        reason=code,
    )


def _resolve_kept(return_request: Return, *, actor: Actor, note: str, now: datetime) -> None:
    """Refund (or credit) what is left of the approved items and resolve the return with
    nothing travelling. Inside the caller's command, with the return locked and approved."""
    before = ReturnStatus(return_request.status)
    return_request.method = Method.KEEP
    # Nothing to pay (a free item, or refunded already at approval) still resolves the return.
    refund_issue(
        return_request, actor=actor, now=now, kind=RefundKind.KEEP_ITEM, keep=True, note=note
    )
    return_move(return_request, Command.RESOLVE, now)
    return_request.save(update_fields=["method", "status", "updated_at"])
    event_record(
        return_request,
        EventKind.RESOLVED,
        actor=actor,
        now=now,
        note=note or "The shopper keeps the items.",
        data={"resolution": return_request.resolution, "keep_item": True},
        from_status=before,
        to_status=return_request.status,
    )


def return_keep_item(
    *, store: Store, rma: str, actor: Actor, note: str = "", now: datetime | None = None
) -> Return:
    """Staff or the API let the shopper keep the items of an approved return that has not
    travelled, when its policy decision allowed it (every line may be kept and shipping the
    parcel back would cost more than the store recovers). Refused with code
    keep_item_not_allowed otherwise, giving the decision's reason. (Returns approved under
    such a decision are already kept automatically; this serves the ones approved before.)"""
    now = now or timezone.now()
    with command():
        return_request = return_lock(store, rma)
        if return_request.status != ReturnStatus.APPROVED:
            raise Conflict(
                "Only an approved return that has not travelled can be kept.",
                code="illegal_transition",
            )
        if not keeps_items(return_request):
            raise _keep_refusal(return_request)
        _resolve_kept(return_request, actor=actor, note=note, now=now)
    return return_request


# --- the outbox handler --------------------------------------------------------------------------


def refund_drive(refund_id: int, *, now: datetime | None = None) -> str:
    """Send a pending refund (outside any transaction); once paid, put it on the trail."""
    return money.refund_send(refund_id, now=now, on_succeeded=record_refunded)


class RefundBusy(Exception):
    """Another call holds the refund (or a crashed one's lease has not run out): try later."""


def refund_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler for refund.send. An unknown outcome raises, so the outbox re-drives it
    later with the same key; a crash leaves the message claimed until the sweeper re-drives.
    A refund still pending under someone else's lease is retried later too, never dropped."""
    refund_id = int(message.payload["refund_id"])
    state = refund_drive(refund_id)
    if (
        state == "skipped"
        and Refund.objects.filter(
            id=refund_id, state="pending", awaiting_manual=False, destination="original_payment"
        ).exists()
    ):
        raise RefundBusy(f"refund {refund_id} is held by another call; retrying later")
    return {"state": state}


def refund_mark_paid(
    *, store: Store, refund_id: int | str, reference: str, actor: Actor, now: datetime | None = None
) -> Refund:
    """Finance paid a (manual) refund and gives its reference; it goes on the return's trail."""
    return money.refund_mark_paid(
        store=store,
        refund_id=refund_id,
        reference=reference,
        actor=actor,
        now=now,
        on_succeeded=record_refunded,
    )


# --- charges -------------------------------------------------------------------------------------

# Trail events that mean a carrier has the parcel: the original is on its way.
SCAN_EVENTS = (EventKind.IN_TRANSIT,)
# A return that staff resolved (or that travelled) is settled another way; only one still
# waiting for its parcel, or cancelled after the new item shipped, is charged back.
CHARGE_BACK_STATES = frozenset({ReturnStatus.APPROVED, ReturnStatus.CANCELLED})


def _charge_data(charge: Charge) -> dict[str, Any]:
    data = {
        "charge": charge.id,
        "kind": charge.kind,
        "idempotency_key": charge.idempotency_key,
        "state": charge.state,
        "amount": str(quantize(Decimal(charge.amount), charge.currency)),
        "currency": charge.currency,
    }
    if charge.kind == ChargeKind.UNRETURNED_ITEM:  # the shopper is told which deadline passed
        due_by = ExchangeOrder.objects.values_list("return_due_by", flat=True).get(
            id=charge.exchange_id
        )
        data["return_due_by"] = due_by.isoformat() if due_by else None
    return data


def _units_received(return_request: Return) -> dict[int, int]:
    return {
        item.id: item.quantity_received
        for item in ReturnItem.objects.filter(return_request=return_request)
    }


def record_charged(charge: Charge) -> None:
    """Put a taken charge on its return's trail (`charged`); a charge-back whose originals
    arrived while it was being taken is refunded for them at once. Runs in the transaction that
    marks the charge paid (the charge locked; the return is locked next, as by a receipt)."""
    if charge.return_id is None:
        return
    with command():
        return_request = return_lock_by_id(charge.return_id)
        assert return_request is not None
        now = charge.succeeded_at or timezone.now()
        actor = Actor(kind="system", id="", label=charge.settled_by or "Retorno")
        event_record(
            return_request, EventKind.CHARGED, actor=actor, now=now, data=_charge_data(charge)
        )
        if charge.kind == ChargeKind.UNRETURNED_ITEM:
            _refund_arrivals(return_request, charge, now=now)


def charge_back_refund_arrivals(return_request: Return, *, now: datetime) -> None:
    """After a receipt: give back the part of the return's charge-back no longer owed (inside
    the receipt's transaction, the return locked). A charge still pending is left alone;
    `record_charged` does it once the charge is taken."""
    charge = (
        Charge.objects.filter(return_id=return_request.id, kind=ChargeKind.UNRETURNED_ITEM)
        .only("id")
        .first()
    )
    if charge is not None:
        _refund_arrivals(return_request, charge, now=now)


def _refund_arrivals(return_request: Return, charge: Charge, *, now: datetime) -> None:
    refund = money.charge_refund_arrivals(
        charge_id=charge.id, units_received=_units_received(return_request), actor=SYSTEM, now=now
    )
    if refund is not None:
        event_record(
            return_request,
            EventKind.REFUND_ISSUED,
            actor=SYSTEM,
            now=now,
            note="The item came back after it was charged.",
            data=_refund_data(refund),
        )


def instant_exchange_charge_backs(*, now: datetime | None = None) -> int:
    """The periodic job: charge the shopper of every instant exchange past its return deadline
    whose original was never scanned nor received. Each is decided under its return's lock and
    charged at most once (one charge-back per exchange). Returns how many were charged."""
    now = now or timezone.now()
    return sum(
        _charge_back(exchange_id, now=now)
        for exchange_id in money_selectors.overdue_instant_exchanges(now=now)
    )


def _charge_back(exchange_id: int, *, now: datetime) -> bool:
    with command():
        # The return's lock is the one every writer of this exchange's money takes first.
        return_id = ExchangeOrder.objects.values_list("return_id", flat=True).get(id=exchange_id)
        return_request = return_lock_by_id(return_id)
        assert return_request is not None
        exchange = ExchangeOrder.objects.get(id=exchange_id)
        received = _units_received(return_request)
        overdue = instant_exchange_overdue(
            exchange.return_due_by,
            now,
            scanned=return_request.events.filter(kind__in=SCAN_EVENTS).exists(),
            units_received=sum(received.values()),
        )
        if not overdue or return_request.status not in CHARGE_BACK_STATES:
            return False
        if money_selectors.charge_for_exchange(
            exchange_id=exchange.id, kind=ChargeKind.UNRETURNED_ITEM
        ):
            return False
        charge = money.charge_back_record(
            exchange=exchange, units_received=received, actor=SYSTEM, now=now
        )
        if charge is None:
            return False
        event_record(
            return_request,
            EventKind.CHARGE_BACK_ISSUED,
            actor=SYSTEM,
            now=now,
            note="The original was not sent back by the deadline; the new items are charged.",
            data={
                **_charge_data(charge),
                "return_due_by": exchange.return_due_by.isoformat()
                if exchange.return_due_by
                else None,
            },
        )
    return True


# How many days before an instant exchange's deadline the shopper is reminded to send the
# original back (RETORNO_INSTANT_EXCHANGE_REMINDER_DAYS).
DEFAULT_REMINDER_DAYS = 3


def instant_exchange_reminders(*, now: datetime | None = None) -> int:
    """The periodic job: remind the shopper of every instant exchange whose return deadline is
    within the next few days, and whose original was neither scanned nor received, to send it
    back (`return_due_soon` on the trail, which sends the message). Once per exchange: decided
    under the return's lock, and an exchange reminded before is skipped, however often the job
    runs or is retried. Returns how many were reminded."""
    now = now or timezone.now()
    days = int(getattr(settings, "RETORNO_INSTANT_EXCHANGE_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))
    candidates = money_selectors.instant_exchanges_due_soon(now=now, within=timedelta(days=days))
    reminded = set(
        ReturnEvent.objects.filter(
            return_request_id__in=[return_id for _id, return_id in candidates],
            kind=EventKind.RETURN_DUE_SOON,
        ).values_list("return_request_id", flat=True)
    )
    return sum(
        _remind(exchange_id, now=now)
        for exchange_id, return_id in candidates
        if return_id not in reminded
    )


def _remind(exchange_id: int, *, now: datetime) -> bool:
    with command():
        return_id = ExchangeOrder.objects.values_list("return_id", flat=True).get(id=exchange_id)
        return_request = return_lock_by_id(return_id)
        assert return_request is not None
        exchange = ExchangeOrder.objects.get(id=exchange_id)
        if (
            return_request.status != ReturnStatus.APPROVED
            or exchange.return_due_by is None
            or exchange.return_due_by <= now
            or any(_units_received(return_request).values())
            or return_request.events.filter(
                kind__in=(*SCAN_EVENTS, EventKind.RETURN_DUE_SOON)
            ).exists()
        ):
            return False
        amount = money_selectors.charge_back_amount(exchange, units_received={})
        event_record(
            return_request,
            EventKind.RETURN_DUE_SOON,
            actor=SYSTEM,
            now=now,
            data={
                "exchange": exchange.number,
                "return_due_by": exchange.return_due_by.isoformat(),
                "amount": str(amount),
                "currency": exchange.currency,
            },
        )
    return True


def charge_drive(charge_id: int, *, now: datetime | None = None) -> str:
    """Send a pending charge (outside any transaction); once taken or declined, put it on the
    trail."""
    state = money.charge_send(charge_id, now=now, on_succeeded=record_charged)
    if state in ("failed", "skipped"):
        # "skipped" too: a delivery re-driven after a crash that followed the refusal's commit
        # finds the charge already failed and records what the crashed one could not.
        record_charge_failed(charge_id)
    return state


def record_charge_failed(charge_id: int) -> bool:
    """Put a declined charge on its return's trail (`charge_failed`, which tells the shopper
    when it holds their exchange), once per attempt: each finance retry that is declined again
    is its own event. Runs after the refusal was committed, under the return's lock, so a
    re-driven or concurrent delivery records it once. True when it recorded it now."""
    with command():
        return_id = Charge.objects.values_list("return_id", flat=True).filter(id=charge_id).first()
        return_request = return_lock_by_id(return_id)
        if return_request is None:
            return False
        charge = Charge.objects.get(id=charge_id)
        if charge.state != "failed":
            return False  # retried (or settled) meanwhile: the next outcome is what counts
        if return_request.events.filter(
            kind=EventKind.CHARGE_FAILED, data__charge=charge.id, data__attempt=charge.attempt
        ).exists():
            return False
        event_record(
            return_request,
            EventKind.CHARGE_FAILED,
            actor=SYSTEM,
            now=charge.failed_at or timezone.now(),
            note=charge.last_error,
            data={**_charge_data(charge), "attempt": charge.attempt},
        )
    return True


class ChargeBusy(Exception):
    """Another call holds the charge (or a crashed one's lease has not run out): try later."""


def charge_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler for charge.send, as refund_deliver: an unknown outcome raises so the
    outbox re-drives it with the same key; a charge held by another call is retried later."""
    charge_id = int(message.payload["charge_id"])
    state = charge_drive(charge_id)
    if (
        state == "skipped"
        and Charge.objects.filter(id=charge_id, state="pending", awaiting_manual=False).exists()
    ):
        raise ChargeBusy(f"charge {charge_id} is held by another call; retrying later")
    return {"state": state}


def charge_mark_paid(
    *, store: Store, charge_id: int | str, reference: str, actor: Actor, now: datetime | None = None
) -> Charge:
    """Finance took a (manual) charge and gives its reference; it goes on the return's trail
    and a held exchange is sent."""
    return money.charge_mark_paid(
        store=store,
        charge_id=charge_id,
        reference=reference,
        actor=actor,
        now=now,
        on_succeeded=record_charged,
    )


def exchange_release_unpaid(
    *, store: Store, exchange_id: int | str, note: str, actor: Actor, now: datetime | None = None
) -> ExchangeOrder:
    """Staff send an exchange held for its unpaid difference anyway, with a note that goes on
    the return's trail (`exchange_released_unpaid`). The return is locked before the exchange."""
    now = now or timezone.now()
    found = money_selectors.exchange_get_for_store(store=store, exchange_id=exchange_id)
    with command():
        return_request = return_lock_by_id(found.return_id)
        exchange = money.exchange_release_unpaid(
            store=store, exchange_id=found.id, note=note, actor=actor, now=now
        )
        if return_request is not None:
            event_record(
                return_request,
                EventKind.EXCHANGE_RELEASED_UNPAID,
                actor=actor,
                now=now,
                note=exchange.release_note,
                data={"exchange": exchange.number},
            )
    return exchange
