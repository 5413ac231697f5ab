"""Settling a return's money: what each milestone sets off (refund timing, exchange
reservations, keep-the-item) and resolving the return with its refund, credit or exchange."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.core.errors import Conflict, Unprocessable
from retorno.domain.money.ledger import RefundState
from retorno.domain.money.timing import Milestone, refund_due
from retorno.domain.returns.closing import ItemUnits, settled_in_full
from retorno.domain.returns.states import Command, ReturnStatus
from retorno.money import selectors as money_selectors
from retorno.money.models import (
    Refund,
    RefundKind,
)
from retorno.money.services import exchanges as money_exchanges
from retorno.returns.events import (
    EventKind,
    Recorded,
    command,
    event_record,
    return_move,
    transition_record,
)
from retorno.returns.locks import return_lock
from retorno.returns.models import Method, Resolution, Return
from retorno.returns.workflows.charges import charge_back_refund_arrivals
from retorno.returns.workflows.exchanges import exchange_reserve_for_return, exchange_resolve
from retorno.returns.workflows.refunds import (
    approved_items,
    refund_issue,
    refundable_left,
    return_timing,
    units_inspected,
)
from retorno.returns.workflows.shop_now import shop_now_cancel, shop_now_reserve
from retorno.stores.models import Store

# Events that are milestones for refund timing (docs/money.md, "Timing").
EVENT_MILESTONES: dict[EventKind, Milestone] = {
    EventKind.APPROVED: Milestone.APPROVED,
    EventKind.IN_TRANSIT: Milestone.FIRST_SCAN,
    EventKind.RECEIVED: Milestone.RECEIVED,
    EventKind.INSPECTED: Milestone.INSPECTED,
}


def on_cancelled(recorded: Recorded) -> None:
    """A cancelled exchange gives back the stock reserved for it."""
    return_request, event = recorded.return_request, recorded.event
    if return_request.resolution == Resolution.STORE_CREDIT and return_request.shop_now:
        shop_now_cancel(return_request, now=event.created_at)
    if return_request.resolution != Resolution.EXCHANGE:
        return
    exchange = money_selectors.exchange_for_return(
        store=return_request.store, return_id=return_request.id
    )
    if exchange is not None:
        money_exchanges.exchange_cancel(exchange, now=event.created_at)


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
    if milestone is Milestone.APPROVED and return_request.shop_now:
        shop_now_reserve(return_request, now=event.created_at)
    if refund_due(return_timing(return_request), milestone):
        refund_issue(return_request, actor=SYSTEM, now=event.created_at)


SETTLED_NOTE = "Refunded in full: nothing left to do."


def on_settled(recorded: Recorded) -> None:
    """After a refund is paid: a return inspected and settled in money by its policy's timing,
    with nothing left to happen (domain.returns.closing.settled_in_full), is resolved by the
    system (a refund paid before the inspection leaves what the inspection found to a person), which closes it on the store's platform too (the `resolved`
    event's handlers). Same transaction, the return locked; a return already moved on is left
    alone, so a refund's event handled again changes nothing."""
    return_request = recorded.return_request
    if (
        return_request.status != ReturnStatus.INSPECTED
        or return_request.resolution == Resolution.EXCHANGE
        or return_request.method == Method.KEEP
    ):
        return
    status = (
        Return.objects.select_for_update(of=("self",))
        .values_list("status", flat=True)
        .get(id=return_request.id)
    )
    if status != ReturnStatus.INSPECTED:
        return
    now = recorded.event.created_at
    inspected = units_inspected(return_request)
    states = list(
        Refund.objects.filter(return_id=return_request.id).values_list("state", flat=True)
    )
    items = [
        ItemUnits(
            approved=item.quantity_approved,
            received=item.quantity_received,
            missing=item.quantity_missing,
            inspected=inspected.get(item.id, 0),
        )
        for item in approved_items(return_request)
    ]
    paid = states.count(RefundState.SUCCEEDED)
    if not settled_in_full(
        items,
        refunds_paid=paid,
        refunds_open=len(states) - paid,
        refundable_left=bool(paid) and refundable_left(return_request, now=now),
    ):
        return
    transition_record(
        return_request,
        Command.RESOLVE,
        EventKind.RESOLVED,
        actor=SYSTEM,
        now=now,
        note=SETTLED_NOTE,
        data={"resolution": return_request.resolution, "automatic": True},
    )


def resolve_money(return_request: Return, *, actor: Actor, now: datetime) -> None:
    """Settle a return's money as it is resolved (inside return_resolve's transaction).

    Refund and store credit: whatever is refundable now and not refunded yet is issued (units
    received and accepted, unless the timing paid on approval); a return with nothing refunded
    and nothing to refund is refused (code nothing_to_refund). Exchange: the exchange order is
    emitted for the units that came back (instant ones already were), a lower price refunded.
    """
    if return_request.resolution == Resolution.EXCHANGE:
        exchange_resolve(return_request, actor=actor, now=now)
        return
    refund = refund_issue(return_request, actor=actor, now=now)
    if refund is None and not Refund.objects.filter(return_id=return_request.id).exists():
        raise Unprocessable(
            "Nothing of this return can be refunded yet: no units were received and accepted.",
            code="nothing_to_refund",
        )


def return_resolve(
    *, store: Store, rma: str, actor: Actor, note: str = "", now: datetime | None = None
) -> Return:
    """Resolve the return: its refund, store credit or exchange is issued for the units that are
    refundable now (see resolve_money; nothing_to_refund when none)."""
    now = now or timezone.now()
    with command():
        return_request = return_lock(store, rma)
        before = return_move(return_request, Command.RESOLVE, now)
        # Money is settled by the refund ledger: refund, credit or exchange of what came back.
        resolve_money(return_request, actor=actor, now=now)
        return_request.save(update_fields=["status", "updated_at"])
        event_record(
            return_request,
            EventKind.RESOLVED,
            actor=actor,
            now=now,
            note=note,
            data={"resolution": return_request.resolution},
            from_status=before,
            to_status=return_request.status,
        )
    return return_request


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
