"""Money for returns: when a return's refund is due, what it is, and putting it on the trail.

The money rules and the ledger live in `retorno.resolutions` (which knows nothing of returns);
this module joins the two: "this return reached a milestone → is a refund due under its policy
decision → plan it from what was paid, received, accepted and inspected → write the PENDING
ledger row and its outbox message → once paid, a `refunded` event on the return's trail (which
tells the shopper)". Exchanges reserve stock at approval and are emitted at resolution;
keep-the-item resolves a return without anything travelling.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.core.errors import Conflict, Unprocessable
from retorno.domain.money import quantize
from retorno.domain.resolutions.exchange import KeepItemRules, keep_item_advice
from retorno.domain.resolutions.refunds import refundable_units_amount
from retorno.domain.resolutions.timing import Milestone, RefundTiming, refund_due
from retorno.domain.returns.ledger import ItemDecision
from retorno.domain.returns.states import ReturnStatus
from retorno.resolutions import adapters as money_adapters
from retorno.resolutions import selectors as money_selectors
from retorno.resolutions import services as money
from retorno.resolutions.models import Destination, Refund, RefundKind
from retorno.returns.models import Method, Resolution, Return, ReturnEvent, ReturnItem
from retorno.stores.models import Store

ZERO = Decimal("0")

# Events that are milestones for refund timing (docs/money.md, "Timing").
EVENT_MILESTONES: dict[str, Milestone] = {
    "approved": Milestone.APPROVED,
    "picked_up": Milestone.FIRST_SCAN,
    "in_transit": Milestone.FIRST_SCAN,
    "received": Milestone.RECEIVED,
    "inspected": Milestone.INSPECTED,
}
_TIMING_ORDER = list(RefundTiming)
NOT_REFUNDABLE_STATES = frozenset(
    {ReturnStatus.REQUESTED, ReturnStatus.PENDING_REVIEW, ReturnStatus.REJECTED,
     ReturnStatus.CANCELLED}
)  # fmt: skip


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
    from retorno.warehouse.selectors import inspections_for_return

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
    from retorno.returns.selectors import return_get_for_store

    now = now or timezone.now()
    return_request = return_get_for_store(store=store, rma=rma)
    with transaction.atomic():
        plan = _plan(return_request, _refund_items(return_request), now=now,
                     refund_shipping=refund_shipping)  # fmt: skip
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
    plan = _plan(return_request, _refund_items(return_request), now=now,
                 refund_shipping=refund_shipping, keep=keep)  # fmt: skip
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
    _event(
        return_request,
        "refund_issued",
        actor,
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
    return_request = return_request or Return.objects.select_related(
        "store", "order", "customer"
    ).get(id=refund.return_id)
    _event(
        return_request,
        "refunded",
        Actor(kind="system", id="", label=refund.settled_by or "Retorno"),
        now=now or refund.succeeded_at or timezone.now(),
        note=_deduction_note(refund),
        data=_refund_data(refund),
    )


def _event(
    return_request: Return,
    kind: str,
    actor: Actor,
    *,
    now: datetime,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ReturnEvent:
    from retorno.returns import effects

    event = ReturnEvent.objects.create(
        store_id=return_request.store_id,
        return_request=return_request,
        kind=kind,
        from_status=return_request.status,
        to_status=return_request.status,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        note=note,
        data=data or {},
        created_at=now,
    )
    effects.after_event(return_request, event)
    return event


# --- the effects handler: refund timing ----------------------------------------------------------


def on_return_event(return_request: Return, event: ReturnEvent) -> None:
    """After a milestone event: reserve an exchange's stock at approval; issue the refund (or
    store credit) when the policy's refund timing says it is due. Same transaction."""
    milestone = EVENT_MILESTONES.get(event.kind)
    if milestone is None or return_request.method == Method.KEEP:
        return
    if return_request.resolution == Resolution.EXCHANGE:
        if milestone is Milestone.APPROVED:
            exchange_reserve_for_return(return_request, now=event.created_at)
        return
    if refund_due(return_timing(return_request), milestone):
        refund_issue(return_request, actor=SYSTEM, now=event.created_at)


# --- exchanges -----------------------------------------------------------------------------------


def exchange_reserve_for_return(return_request: Return, *, now: datetime) -> Any:
    """Reserve the new variants at approval (once per return). Out of stock refuses the
    approval with code exchange_out_of_stock, nothing changed."""
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
    return money.exchange_reserve(
        store=return_request.store,
        order=return_request.order,
        items=exchange_items,
        return_id=return_request.id,
        rma=return_request.rma,
        instant=money.instant_allowed(return_request.store, return_request.customer.tier),
        now=now,
    )


def _resolve_exchange(return_request: Return, *, actor: Actor, now: datetime) -> None:
    exchange = exchange_reserve_for_return(return_request, now=now)
    if exchange is not None:
        if not exchange.instant and exchange.state == "reserved":
            received = {
                i.id: min(i.quantity_received, i.quantity_approved) for i in _items(return_request)
            }
            money.exchange_shrink(exchange, received, now=now)
        money.exchange_release(exchange, now=now)
        if (
            exchange.difference_direction == "customer_refunded"
            and exchange.difference_amount > 0
            and not Refund.objects.filter(
                return_id=return_request.id, kind=RefundKind.EXCHANGE_DIFFERENCE
            ).exists()
        ):
            plan = money.refund_plan(
                store=return_request.store, order=return_request.order, items=[],
                timing=RefundTiming.ON_APPROVAL.value, now=now,
            )  # fmt: skip
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
            _event(return_request, "refund_issued", actor, now=now, data=_refund_data(refund))
    refund_issue(return_request, actor=actor, now=now)  # items without a new variant
    _sync_quantities(return_request)


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
    from retorno.domain.money import MoneyError, parse_amount
    from retorno.returns.services import _locked

    now = now or timezone.now()
    with transaction.atomic():
        return_request = _locked(store, rma)
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
        refund = refund_issue(return_request, actor=actor, now=now, amount=typed,
                              refund_shipping=refund_shipping, note=note)  # fmt: skip
        if refund is None:
            raise Unprocessable(
                "Nothing is left to refund on this return.", code="nothing_to_refund"
            )
    return refund


# --- keep the item -------------------------------------------------------------------------------


def return_keep_item(
    *, store: Store, rma: str, actor: Actor, note: str = "", now: datetime | None = None
) -> Return:
    """Let the shopper keep the items and be refunded (or credited) without sending anything,
    when the store's keep-the-item rule recommends it for every item (shipping back would cost
    more than the store recovers). Refused with code keep_item_not_allowed otherwise."""
    from retorno.domain.returns.states import Command
    from retorno.returns.services import _locked, _move, _record

    now = now or timezone.now()
    with transaction.atomic():
        return_request = _locked(store, rma)
        if return_request.status != ReturnStatus.APPROVED:
            raise Conflict("Only an approved return that has not travelled can be kept.",
                           code="illegal_transition")  # fmt: skip
        if return_request.resolution == Resolution.EXCHANGE:
            raise Unprocessable("Keep-the-item settles in money, not in an exchange.",
                                code="keep_item_not_allowed")  # fmt: skip
        settings = money_selectors.settings_for(store)
        rules = KeepItemRules(
            enabled=settings.keep_item_enabled,
            recovery_percent=Decimal(settings.keep_item_recovery_percent),
            max_item_value=None
            if settings.keep_item_max_value is None
            else Decimal(settings.keep_item_max_value),
        )
        currency = return_request.currency
        cost = quantize(Decimal(settings.return_shipping_cost), currency)
        items = _items(return_request)
        for item in items:
            advice = keep_item_advice(
                quantize(Decimal(item.amount), currency), cost, rules, currency
            )
            if not advice.recommended:
                raise Unprocessable(
                    f"The store's rules do not let the shopper keep {item.order_line.sku} "
                    f"({advice.reason_code}).",
                    code="keep_item_not_allowed",
                    reason=advice.reason_code,
                )
        before = return_request.status
        return_request.method = Method.KEEP
        refund = refund_issue(return_request, actor=actor, now=now, kind=RefundKind.KEEP_ITEM,
                              keep=True, note=note)  # fmt: skip
        if refund is None:
            raise Unprocessable(
                "Nothing is left to refund on this return.", code="nothing_to_refund"
            )
        _move(return_request, Command.RESOLVE, now)
        return_request.save(update_fields=["method", "status", "updated_at"])
        _record(return_request, "resolved", before, return_request.status, actor,
                note=note or "The shopper keeps the items.",
                data={"resolution": return_request.resolution, "keep_item": True}, now=now)  # fmt: skip
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
    return money.refund_mark_paid(store=store, refund_id=refund_id, reference=reference,
                                  actor=actor, now=now, on_succeeded=record_refunded)  # fmt: skip
