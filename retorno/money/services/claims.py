"""Claims: a damaged, missing or wrong item reported without sending anything back, resolved
by refund, replacement or both."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from retorno.core.actors import Actor
from retorno.core.errors import Conflict, NotFound, Unprocessable, invalid_amount
from retorno.domain.money import MoneyError, parse_amount
from retorno.money import selectors
from retorno.money.models import (
    Claim,
    ClaimLine,
    ClaimPhoto,
    ClaimReason,
    ClaimResolution,
    ClaimState,
    Destination,
    RefundKind,
)
from retorno.money.services.exchanges import ExchangeItem, exchange_reserve
from retorno.money.services.refunds import PlanItem, refund_plan, refund_record
from retorno.orders.models import Order
from retorno.stores.models import Store

ZERO = Decimal("0")


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
                    raise invalid_amount(exc.message) from None
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
