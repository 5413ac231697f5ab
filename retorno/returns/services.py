"""Commands on returns. Each one runs in a transaction, locks what it changes, asks the domain
whether the change is allowed, saves, and appends an event to the return's trail."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.core.db import rows
from retorno.core.db.inserts import insert_new
from retorno.core.errors import Conflict, NotFound, Unprocessable
from retorno.core.plain_json import to_json
from retorno.domain.policies import Decision, Outcome, Policy, decide
from retorno.domain.returns.amounts import (
    line_paid_total,
    return_amounts,
    settled_in_goods,
    units_paid_amount,
)
from retorno.domain.returns.ledger import ItemDecision
from retorno.domain.returns.method_prices import decision_method_fee, method_prices
from retorno.domain.returns.rma import new_rma
from retorno.domain.returns.states import Command, ReturnStatus
from retorno.orders.models import Order, OrderLine, Variant
from retorno.policies.models import PolicyVersion
from retorno.policies.selectors import compiled_policy
from retorno.policies.services import policy_ensure_default
from retorno.returns import adapters
from retorno.returns.events import (
    EventDraft,
    EventKind,
    command,
    event_record,
    events_record,
    return_move,
    transition_record,
)
from retorno.returns.locks import order_lock, return_lock
from retorno.returns.models import SETTLED, Method, Resolution, Return, ReturnItem
from retorno.returns.workflows.shop_now import shop_now_basket
from retorno.returns.workflows.signals import signals_for_decision
from retorno.stores.models import Store

MAX_ITEMS_PER_RETURN = 100


@dataclass(frozen=True)
class ItemRequest:
    line: str
    quantity: int
    reason: str
    comment: str = ""
    photos: tuple[str, ...] = ()
    exchange_variant_id: int | None = None


def return_create(
    *,
    store: Store,
    order_external_id: str,
    items: list[ItemRequest],
    resolution: str,
    method: str,
    actor: Actor,
    pickup_address: dict[str, Any] | None = None,
    pickup_date: date | None = None,
    language: str = "",
    source: str = "api",
    now: datetime | None = None,
    shop_now: Sequence[Mapping[str, Any]] = (),
) -> Return:
    """Open a return on an order, decided by the store's current policy (`shop_now`: catalogue
    items bought with its store credit, retorno.returns.workflows.shop_now).

    The request is decided before the write transaction opens, from the order, its lines and
    the units its returns hold. In the transaction the order row is locked and only what guards
    the quantities (units bought and held per line) is read again; when it changed meanwhile,
    the request is read and decided again under the lock. So two concurrent requests on one
    order can never together return more than was bought (ADR 3), and the write lock (on SQLite,
    the database's) is held for the writes only. An ineligible request raises Unprocessable with
    code `ineligible` and each item's reason codes, and writes nothing.
    """
    now = now or timezone.now()
    _check_request_shape(items, resolution, method)
    if method not in (store.return_methods or Method.values):
        raise Unprocessable(
            f"This store does not offer {method!r} returns.", code="method_not_offered"
        )
    request = _NewReturn(
        store=store,
        order_external_id=order_external_id,
        items=items,
        resolution=resolution,
        method=method,
        actor=actor,
        pickup_address=pickup_address,
        pickup_date=pickup_date,
        language=language,
        source=source,
        now=now,
        shop_now=shop_now_basket(store, resolution, shop_now),
    )
    # The version current when the request came is the one it is decided under.
    order, policy_version = adapters.order_to_decide(store.id, order_external_id)
    if order is None:
        raise NotFound(f"No order {order_external_id!r} in this store.", code="order_not_found")
    plan = _decide(request, _compiled(store, policy_version), order)
    for _ in range(RMA_DRAWS):
        rma = new_rma(store.rma_prefix)
        try:
            return _write_under_order_lock(request, plan, rma)
        except IntegrityError:
            # The transaction is rolled back whole. A taken RMA (40 random bits, so rarely) is
            # worth another draw; any other integrity error is not ours to hide.
            if not Return.objects.filter(store=store, rma=rma).exists():
                raise
    raise RuntimeError("could not allocate an RMA number")


RMA_DRAWS = 5


@dataclass(frozen=True)
class _NewReturn:
    store: Store
    order_external_id: str
    items: list[ItemRequest]
    resolution: str
    method: str
    actor: Actor
    pickup_address: dict[str, Any] | None
    pickup_date: date | None
    language: str
    source: str
    now: datetime
    shop_now: list[dict[str, int]]


@dataclass(frozen=True)
class _Plan:
    """A request decided on one reading of its order: what the return will be written from."""

    policy_version: PolicyVersion
    order: Order
    decision: Decision
    decision_json: dict[str, Any]
    items: list[ReturnItem]
    # Units bought and held per line when decided, compared again under the order's lock.
    bought_and_held: dict[int, tuple[int, int]]


def _compiled(store: Store, version: PolicyVersion | None) -> tuple[PolicyVersion, Policy]:
    """The version and its compiled policy (cached per version). A store that never had a
    policy gets the default one published."""
    if version is None:
        version = policy_ensure_default(store=store, actor=SYSTEM)
    return version, compiled_policy(version)


def _decide(request: _NewReturn, policy: tuple[PolicyVersion, Policy], order: Order) -> _Plan:
    """Decide the request on the order's lines as they are now. Pure work apart from the
    lines read (and the variants asked for in exchange); raises Unprocessable when refused."""
    policy_version, compiled = policy
    lines, held = adapters.lines_with_held(order)
    items = request.items
    signals = signals_for_decision(
        policy=compiled,
        store=request.store,
        order=order,
        lines=lines,
        requested_lines=[item.line for item in items],
        now=request.now,
    )
    decision = decide(
        compiled,
        adapters.order_facts(order, lines, held),
        adapters.customer_facts(order.customer, signals),
        adapters.request_facts(
            [{"line": i.line, "quantity": i.quantity, "reason": i.reason} for i in items],
            request.resolution,
        ),
        adapters.decision_clock(request.now, request.store),
    )
    if decision.outcome is Outcome.REJECT:
        raise Unprocessable(
            "Some items cannot be returned.",
            code="ineligible",
            items=_ineligible_items(decision, items),
        )
    by_line = {line.external_id: line for line in lines}
    exchange_variants = _exchange_variants(request.store, items, by_line, request.resolution)
    new_items = _new_items(
        items,
        by_line,
        decision,
        held,
        order.currency,
        exchange_variants,
        approved_at_once=decision.outcome is not Outcome.REVIEW,
        resolution=request.resolution,
    )
    return _Plan(
        policy_version=policy_version,
        order=order,
        decision=decision,
        decision_json={**to_json(decision), "policy_version": policy_version.version},
        items=new_items,
        bought_and_held={line.id: (line.quantity, held.get(line.id, 0)) for line in lines},
    )


def _write_under_order_lock(request: _NewReturn, plan: _Plan, rma: str) -> Return:
    """One try of return_create under RMA `rma`, in one transaction.

    The RMA's uniqueness is checked by the INSERT itself: no savepoint around it, the caller
    draws again on the rare collision."""
    with command():
        order_lock(plan.order.pk)
        if adapters.bought_and_held(plan.order.pk) != plan.bought_and_held:
            # Another return (or an order update) committed since the request was decided.
            order, _ = adapters.order_to_decide(request.store.id, request.order_external_id)
            if order is None:  # deleted meanwhile
                raise NotFound(
                    f"No order {request.order_external_id!r} in this store.",
                    code="order_not_found",
                )
            plan = _decide(request, _compiled(request.store, plan.policy_version), order)
        # Written once, already in its first resting state (approved, or held for review).
        return_request = _new_return(request, plan, rma)
        drafts = _creation_events(
            return_request,
            plan.decision,
            not return_request.requires_review,
            request.actor,
            request.now,
        )
        insert_new([return_request])
        items = [copy.copy(item) for item in plan.items]  # a retried draw starts from the plan
        for item in items:
            item.return_request = return_request
        insert_new(items)
        _remember_items(return_request, items)
        events_record(return_request, drafts)
    return return_request


def _new_return(request: _NewReturn, plan: _Plan, rma: str) -> Return:
    """The return as requested, with its amounts; not saved."""
    order, decision, policy_version = plan.order, plan.decision, plan.policy_version
    return_request = Return(
        store=request.store,
        order=order,
        customer=order.customer,
        customer_tier=order.customer.tier,
        rma=rma,
        status=ReturnStatus.REQUESTED,
        resolution=request.resolution,
        method=request.method,
        currency=order.currency,
        policy_version=policy_version,
        shop_now=request.shop_now,
        decision=plan.decision_json,
        requires_review=decision.outcome is Outcome.REVIEW,
        tracking_token=secrets.token_urlsafe(24),
        pickup_address=request.pickup_address or order.shipping_address,
        pickup_date=request.pickup_date,
        language=request.language or order.customer.language,
        source=request.source,
        created_at=request.now,
        updated_at=request.now,
        status_since=request.now,
    )
    _apply_amounts(return_request, plan.items, decision)
    return return_request


def _new_items(
    items: list[ItemRequest],
    by_line: dict[str, OrderLine],
    decision: Decision,
    held: dict[int, int],
    currency: str,
    exchange_variants: dict[int | None, Variant],
    *,
    approved_at_once: bool,
    resolution: str,
) -> list[ReturnItem]:
    decisions = {d.line_id: d for d in decision.lines}
    new_items = []
    for item in items:
        line = by_line[item.line]
        line_decision = decisions[item.line]
        new_items.append(
            ReturnItem(
                order_line=line,
                reason=item.reason,
                comment=item.comment,
                decision=ItemDecision.MANUAL_REVIEW
                if line_decision.requires_review
                else ItemDecision.ACCEPTED,
                decision_reasons=to_json(line_decision.reasons),
                quantity_requested=item.quantity,
                quantity_approved=item.quantity if approved_at_once else 0,
                amount=units_paid_amount(
                    paid_total=line_paid_total(
                        line.unit_price, line.quantity, line.discount_total, line.tax_amount
                    ),
                    quantity=line.quantity,
                    units=item.quantity,
                    units_before=held.get(line.id, 0),
                    currency=currency,
                ),
                first_unit=held.get(line.id, 0),
                restocking_fee_amount=Decimal("0")
                if settled_in_goods(resolution)
                else line_decision.restocking_fee,
                photos=list(item.photos),
                exchange_variant=exchange_variants.get(item.exchange_variant_id),
            )
        )
    return new_items


def _creation_events(
    return_request: Return, decision: Decision, approved_at_once: bool, actor: Actor, now: datetime
) -> list[EventDraft]:
    """`created`, then the policy's verdict: approved at once, or held for review. Moves the
    (unsaved) return to the state the verdict leads to."""
    created = EventDraft(
        EventKind.CREATED, actor, now, from_status="", to_status=ReturnStatus.REQUESTED
    )
    if approved_at_once:
        before = return_move(return_request, Command.APPROVE, now)
        verdict = EventDraft(
            EventKind.APPROVED,
            SYSTEM,
            now,
            note="Approved automatically by the return policy.",
            from_status=before,
            to_status=return_request.status,
        )
    else:
        before = return_move(return_request, Command.HOLD_FOR_REVIEW, now)
        verdict = EventDraft(
            EventKind.HELD_FOR_REVIEW,
            SYSTEM,
            now,
            note="; ".join(r.message for r in decision.review_reasons),
            data={"reasons": to_json(decision.review_reasons)},
            from_status=before,
            to_status=return_request.status,
        )
    return [created, verdict]


def return_approve(
    *, store: Store, rma: str, actor: Actor, note: str = "", now: datetime | None = None
) -> Return:
    """Approve a requested or reviewed return: every item not rejected is approved in full."""
    now = now or timezone.now()
    with command():
        return_request = return_lock(store, rma)
        ReturnItem.objects.filter(return_request=return_request).exclude(
            decision=ItemDecision.REJECTED
        ).update(quantity_approved=F("quantity_requested"))
        transition_record(
            return_request, Command.APPROVE, EventKind.APPROVED, actor=actor, now=now, note=note
        )
    return return_request


def return_reject(
    *, store: Store, rma: str, actor: Actor, note: str, now: datetime | None = None
) -> Return:
    """Reject a return; its units become returnable again. A note is mandatory."""
    return _simple_command(
        store, rma, Command.REJECT, EventKind.REJECTED, actor, _required(note), now
    )


def return_cancel(
    *, store: Store, rma: str, actor: Actor, note: str = "", now: datetime | None = None
) -> Return:
    """Cancel a return before its goods travel; its units become returnable again."""
    return _simple_command(store, rma, Command.CANCEL, EventKind.CANCELLED, actor, note, now)


def return_item_override(
    *,
    store: Store,
    rma: str,
    line: str,
    decision: str,
    rule: str,
    note: str,
    actor: Actor,
    now: datetime | None = None,
) -> Return:
    """A staff override of the policy decision on one item: records who, which rule and why."""
    now = now or timezone.now()
    note = _required(note)
    try:
        new_decision = ItemDecision(decision)
    except ValueError as exc:
        raise Unprocessable(f"Unknown decision {decision!r}.", code="invalid_decision") from exc
    with command():
        return_request = return_lock(store, rma)
        if return_request.status not in (
            ReturnStatus.REQUESTED,
            ReturnStatus.PENDING_REVIEW,
            ReturnStatus.APPROVED,
        ):
            raise Conflict(
                f"Item decisions of a {return_request.status} return cannot be changed.",
                code="illegal_transition",
            )
        item = (
            return_request.items.select_related("order_line")
            .filter(order_line__external_id=line)
            .first()
        )
        if item is None:
            raise NotFound(f"Line {line!r} is not part of this return.", code="item_not_found")
        previous = item.decision
        item.decision = new_decision
        if new_decision is ItemDecision.REJECTED:
            item.quantity_approved = 0
        elif return_request.status == ReturnStatus.APPROVED:
            item.quantity_approved = item.quantity_requested
        item.save(update_fields=["decision", "quantity_approved"])
        return_request.updated_at = now
        return_request.save(update_fields=["updated_at"])
        event_record(
            return_request,
            EventKind.DECISION_OVERRIDDEN,
            actor=actor,
            now=now,
            note=note,
            data={"line": line, "from": previous, "to": new_decision.value, "rule": rule},
        )
    return return_request


def return_mark_in_transit(
    *,
    store: Store,
    rma: str,
    actor: Actor,
    note: str = "",
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Return:
    """The goods are on their way (first carrier scan or the shopper's word)."""
    return _simple_command(
        store, rma, Command.MARK_IN_TRANSIT, EventKind.IN_TRANSIT, actor, note, now, data
    )


def return_close(
    *, store: Store, rma: str, actor: Actor, note: str = "", now: datetime | None = None
) -> Return:
    return _simple_command(store, rma, Command.CLOSE, EventKind.CLOSED, actor, note, now)


# --- helpers -----------------------------------------------------------------------------------


def _check_request_shape(items: list[ItemRequest], resolution: str, method: str) -> None:
    if not items:
        raise Unprocessable("A return needs at least one item.", code="no_items")
    if len(items) > MAX_ITEMS_PER_RETURN:
        raise Unprocessable(
            f"At most {MAX_ITEMS_PER_RETURN} items per return.", code="too_many_items"
        )
    if resolution not in Resolution.values:
        raise Unprocessable(f"Unknown resolution {resolution!r}.", code="invalid_resolution")
    if method not in Method.values or method == Method.KEEP:
        raise Unprocessable(f"Unknown return method {method!r}.", code="invalid_method")
    lines = [i.line for i in items]
    if len(set(lines)) != len(lines):
        raise Unprocessable("Each order line may appear once per return.", code="duplicate_line")
    if any(i.quantity < 1 for i in items):
        raise Unprocessable("Quantities must be at least 1.", code="invalid_quantity")


def _exchange_variants(
    store: Store, items: list[ItemRequest], by_line: dict[str, OrderLine], resolution: str
) -> dict[int | None, Variant]:
    """The variants asked for in exchange: same store, same product as the returned line, in stock."""
    wanted = {i.exchange_variant_id for i in items if i.exchange_variant_id is not None}
    if not wanted:
        return {}
    if resolution != Resolution.EXCHANGE:
        raise Unprocessable(
            "Exchange variants only go with the exchange resolution.", code="invalid_exchange"
        )
    variants = {v.id: v for v in Variant.objects.filter(store=store, id__in=wanted)}
    for item in items:
        if item.exchange_variant_id is None:
            continue
        variant = variants.get(item.exchange_variant_id)
        line = by_line[item.line]
        line_product = line.variant.product_id if line.variant is not None else None
        if variant is None or variant.product_id != line_product or variant.id == line.variant_id:
            raise Unprocessable(
                "The exchange must be another variant of the same product.", code="invalid_exchange"
            )
        if variant.stock < item.quantity:
            raise Unprocessable(f"{variant.sku} is out of stock.", code="exchange_out_of_stock")
    return dict(variants)


def _ineligible_items(decision: Decision, items: list[ItemRequest]) -> list[dict[str, Any]]:
    requested = {i.line for i in items}
    return [
        {
            "line": d.line_id,
            "eligible": d.eligible,
            "returnable_quantity": d.returnable_quantity,
            "reasons": to_json(d.reasons),
        }
        for d in decision.lines
        if d.line_id in requested
    ] + [
        {
            "line": line,
            "eligible": False,
            "returnable_quantity": 0,
            "reasons": [{"code": "unknown_line", "message": "This line is not on the order."}],
        }
        for line in sorted(requested - {d.line_id for d in decision.lines})
    ]


def _remember_items(return_request: Return, items: list[ReturnItem]) -> None:
    """Let `return_request.items.all()` answer from memory, as a prefetch would, so callers that
    render the new return (API response, messages) do not read back what was just written."""
    for item in items:  # nothing of a new return is settled yet
        for name in SETTLED:
            setattr(item, name, 0)
    rows.prefetched(return_request, "items", items)


def _apply_amounts(return_request: Return, items: list[ReturnItem], decision: Decision) -> None:
    """The return's amounts: what it was quoted (`return_quote_for_store`, same function)."""
    shipping_refund = (
        adapters.shipping_refund_available(return_request.order)
        if decision.refund_shipping
        else Decimal("0")
    )
    prices = method_prices(return_request.store.return_method_prices, return_request.currency)
    bonus_percent = Decimal("0")
    if return_request.resolution == Resolution.STORE_CREDIT:
        bonus_percent = decision.store_credit_bonus_percent
    amounts = return_amounts(
        items_amount=sum((i.amount for i in items), Decimal("0")),
        restocking_fee=sum((i.restocking_fee_amount for i in items), Decimal("0")),
        return_shipping_fee=decision_method_fee(decision, return_request.method, prices),
        shipping_refund=shipping_refund,
        bonus_percent=bonus_percent,
        kept=decision.kept_by_shopper(return_request.resolution),
        currency=return_request.currency,
        resolution=return_request.resolution,
    )
    return_request.items_amount = amounts.items_amount
    return_request.restocking_fee_amount = amounts.restocking_fee_amount
    return_request.return_shipping_fee_amount = amounts.return_shipping_fee_amount
    return_request.shipping_refund_amount = amounts.shipping_refund_amount
    return_request.refund_estimate_amount = amounts.refund_amount
    return_request.store_credit_bonus_amount = amounts.store_credit_bonus_amount


def _simple_command(
    store: Store,
    rma: str,
    command_: Command,
    kind: EventKind,
    actor: Actor,
    note: str,
    now: datetime | None,
    data: dict[str, Any] | None = None,
) -> Return:
    now = now or timezone.now()
    with command():
        return_request = return_lock(store, rma)
        transition_record(
            return_request, command_, kind, actor=actor, now=now, note=note, data=data
        )
    return return_request


def _required(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise Unprocessable("A note is required for this action.", code="note_required")
    return note


# --- shopper self-service (customer portal and tracking page) -----------------------------------

# A shopper may change or cancel a return only before its goods start travelling.
SHOPPER_CHANGEABLE_STATES = frozenset(
    {ReturnStatus.REQUESTED, ReturnStatus.PENDING_REVIEW, ReturnStatus.APPROVED}
)


def return_create_from_portal(
    *,
    store: Store,
    order_external_id: str,
    items: list[ItemRequest],
    resolution: str,
    method: str,
    actor: Actor,
    pickup_address: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Return:
    """`return_create` for a shopper: photos, exchange variants, pickup date and language from
    the portal's `details` go onto the return and its items. Refusals write nothing."""
    details = details or {}
    photos = details.get("photos") or {}
    exchange = details.get("exchange") or {}
    enriched = [
        ItemRequest(
            line=item.line,
            quantity=item.quantity,
            reason=item.reason,
            comment=item.comment,
            photos=tuple(photos.get(item.line, ())),
            exchange_variant_id=(exchange.get(item.line) or {}).get("variant"),
        )
        for item in items
    ]
    pickup_date = details.get("pickup_date") or None
    return return_create(
        store=store,
        order_external_id=order_external_id,
        items=enriched,
        resolution=resolution,
        method=method,
        actor=actor,
        pickup_address=pickup_address,
        pickup_date=date.fromisoformat(pickup_date) if pickup_date else None,
        language=details.get("language") or "",
        source="portal",
        now=now,
        shop_now=details.get("shop_now") or (),
    )


def return_change_pickup(
    *,
    store: Store,
    rma: str,
    address: dict[str, Any],
    pickup_date: str,
    actor: Actor,
    now: datetime | None = None,
) -> Return:
    """Change the pickup address and date of a pickup return that has not left yet.

    Raises Conflict (code `pickup_not_changeable`) for other methods or once the goods travel.
    The date is recorded in the `pickup_changed` event (the return has no date field yet).
    """
    now = now or timezone.now()
    with command():
        return_request = return_lock(store, rma)
        if (
            return_request.method != Method.PICKUP
            or return_request.status not in SHOPPER_CHANGEABLE_STATES
        ):
            raise Conflict(
                "The pickup of this return can no longer be changed.",
                code="pickup_not_changeable",
            )
        return_request.pickup_address = address
        return_request.pickup_date = date.fromisoformat(pickup_date) if pickup_date else None
        return_request.updated_at = now
        return_request.save(update_fields=["pickup_address", "pickup_date", "updated_at"])
        event_record(
            return_request,
            EventKind.PICKUP_CHANGED,
            actor=actor,
            now=now,
            data={"address": address, "pickup_date": pickup_date},
        )
    return return_request
