"""A return's refunds: when one is due, what it pays, and putting it on the trail.

The money rules and the ledger live in `retorno.money` (which knows nothing of returns);
this module joins the two: "is a refund due under the return's policy decision → plan it from
what was paid, received, accepted and inspected → write the PENDING ledger row and its outbox
message → once paid, a `refunded` event on the return's trail (which tells the shopper)".
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from retorno.core.actors import Actor
from retorno.core.errors import Conflict, Unprocessable, invalid_amount
from retorno.domain.money import MoneyError, parse_amount, quantize
from retorno.domain.money.timing import RefundTiming, return_refund_timing
from retorno.domain.returns.ledger import ItemDecision
from retorno.domain.returns.states import ReturnStatus
from retorno.money import adapters as money_adapters
from retorno.money.models import (
    Destination,
    Refund,
    RefundKind,
)
from retorno.money.services import refunds as money_refunds
from retorno.returns.events import EventKind, command, event_record
from retorno.returns.locks import return_lock
from retorno.returns.models import Resolution, Return, ReturnItem
from retorno.returns.selectors import return_get_for_store
from retorno.returns.workflows.publishing import refund_failed_publish
from retorno.returns.workflows.shop_now import shop_now_pay
from retorno.stores.models import Store
from retorno.warehouse.selectors import inspections_for_return

ZERO = Decimal("0")


NOT_REFUNDABLE_STATES = frozenset(
    {
        ReturnStatus.REQUESTED,
        ReturnStatus.PENDING_REVIEW,
        ReturnStatus.REJECTED,
        ReturnStatus.CANCELLED,
    }
)


def _decision_lines(return_request: Return) -> dict[str, dict[str, Any]]:
    return {line.get("line_id"): line for line in (return_request.decision or {}).get("lines", [])}


def return_timing(return_request: Return) -> str:
    """The return's refund timing: the latest of its lines' (return_refund_timing)."""
    lines = _decision_lines(return_request).values()
    return return_refund_timing(line.get("refund_timing") for line in lines).value


def _grades(
    return_request: Return, items: list[ReturnItem]
) -> dict[int, tuple[tuple[str, int], ...]]:
    """Return item id -> (grade, units) of its inspections, in order (the warehouse's record)."""
    grades: dict[int, list[tuple[str, int]]] = {}
    for row in inspections_for_return(store=return_request.store, return_id=return_request.id):
        grades.setdefault(row.return_item_id, []).append((row.grade, row.quantity))
    return {item_id: tuple(groups) for item_id, groups in grades.items()}


def approved_items(return_request: Return) -> list[ReturnItem]:
    return list(
        ReturnItem.objects.filter(return_request=return_request)
        .exclude(decision=ItemDecision.REJECTED)
        .select_related("order_line", "exchange_variant")
        .order_by("id")
    )


def _plan_items(
    return_request: Return, items: list[ReturnItem], *, keep: bool = False
) -> list[money_refunds.PlanItem]:
    lines = _decision_lines(return_request)
    grades = {} if keep else _grades(return_request, items)
    return [
        money_refunds.PlanItem(
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
            first_unit=item.first_unit,
        )
        for item in items
        if item.quantity_approved > 0
    ]


def _refund_items(return_request: Return) -> list[ReturnItem]:
    """Items settled in money: all of them, except exchange items with a new variant chosen."""
    items = approved_items(return_request)
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
) -> money_refunds.Plan:
    return money_refunds.refund_plan(
        store=return_request.store,
        order=return_request.order,
        items=_plan_items(return_request, items, keep=keep),
        timing=RefundTiming.ON_APPROVAL.value if keep else return_timing(return_request),
        return_id=return_request.id,
        return_shipping_fee_total=ZERO
        if keep
        else Decimal(return_request.return_shipping_fee_amount),
        refund_shipping=_refunds_shipping(return_request)
        if refund_shipping is None
        else refund_shipping,
        now=now,
    )


def _refunds_shipping(return_request: Return) -> bool:
    """Whether the return gives the outbound shipping back: when it was quoted with it (one
    return per order holds it); returns recorded before that follow their policy decision."""
    if return_request.shipping_refund_amount is None:
        return bool((return_request.decision or {}).get("refund_shipping"))
    return return_request.shipping_refund_amount > 0


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


def refundable_left(return_request: Return, *, now: datetime) -> bool:
    """Whether a refund planned now would pay the return anything (nothing is written)."""
    plan = _plan(return_request, _refund_items(return_request), now=now)
    return any(item.units for item in plan.preview.items) or bool(plan.preview.total_amount)


def units_inspected(return_request: Return) -> dict[int, int]:
    """Return item id -> units inspected (the warehouse's record)."""
    inspected: dict[int, int] = {}
    for row in inspections_for_return(store=return_request.store, return_id=return_request.id):
        inspected[row.return_item_id] = inspected.get(row.return_item_id, 0) + row.quantity
    return inspected


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
    refund = money_refunds.refund_record(
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
    event_record(
        return_request,
        EventKind.REFUND_ISSUED,
        actor=actor,
        now=now,
        note=_deduction_note(refund),
        data=refund_event_data(refund),
    )
    if refund.state == "succeeded":
        record_refunded(refund, return_request=return_request, now=now)
        if refund.destination == Destination.STORE_CREDIT and return_request.shop_now:
            shop_now_pay(return_request, refund, actor=actor, now=now)
    return refund


def _deduction_note(refund: Refund) -> str:
    return " ".join(
        dict.fromkeys(
            line.deduction_message for line in refund.lines.all() if line.deduction_amount > 0
        )
    )


def refund_event_data(refund: Refund) -> dict[str, Any]:
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
            data=refund_event_data(refund),
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
                raise invalid_amount(exc.message) from None
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


def refund_drive(refund_id: int, *, now: datetime | None = None) -> str:
    """Send a pending refund (outside any transaction); once paid, put it on the trail."""
    return money_refunds.refund_send(
        refund_id, now=now, on_succeeded=record_refunded, on_failed=refund_failed_publish
    )


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
    return money_refunds.refund_mark_paid(
        store=store,
        refund_id=refund_id,
        reference=reference,
        actor=actor,
        now=now,
        on_succeeded=record_refunded,
    )
