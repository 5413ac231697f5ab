"""Claims with their messages: the shopper hears when a claim is opened, resolved or rejected.

The claim rules and the ledger live in `retorno.money`, the messages in
`retorno.notifications`; those two are independent of each other, so the interfaces (portal,
back office, API) call these wrappers, which run the resolutions service and queue the message in
one transaction: a refused or rolled-back claim sends nothing, a committed one always tells the
shopper (once per claim and kind, however often a step is retried).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from retorno.core.actors import Actor
from retorno.core.errors import RetornoError
from retorno.core.idempotency import idempotent
from retorno.core.images import discard_photos
from retorno.domain.money import quantize
from retorno.domain.money.refunds import refundable_units_amount
from retorno.money import adapters as money_adapters
from retorno.money.models import Claim, Destination
from retorno.money.services import claims as money_claims
from retorno.notifications.models import MessageKind
from retorno.notifications.services import notify_claim_event
from retorno.notifications.snapshots import ClaimSnapshot, ItemSnapshot
from retorno.returns.workflows.publishing import claim_publish
from retorno.stores.models import Store


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
    """Open a claim (see resolutions.services.claim_open) and tell the shopper: its number, the
    items and what happens next."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = money_claims.claim_open(
            store=store,
            order_external_id=order_external_id,
            reason=reason,
            lines=lines,
            actor=actor,
            description=description,
            photos=photos,
            now=now,
        )
        _notify(store, claim, MessageKind.CLAIM_OPENED, now=now)
        claim_publish(store, claim, "claim.opened")
    return claim


def claim_open_once(
    *,
    store: Store,
    operation: str,
    token: str,
    order_external_id: str,
    reason: str,
    lines: dict[str, int],
    actor: Actor,
    description: str = "",
    photos: list[str],
) -> str:
    """Open a claim once per submission `token` of a form (`operation`): pressed twice, or sent
    from two tabs, it opens one claim. Returns the claim's number. `photos` are already stored;
    they are deleted when the claim is refused, or when a twin submission opened it with its
    own copies. Photos are left out of the fingerprint for that reason."""
    payload = {"order": order_external_id, "reason": reason, "lines": lines, "text": description}

    def create() -> tuple[int, dict[str, Any]]:
        claim = claim_open(
            store=store,
            order_external_id=order_external_id,
            reason=reason,
            lines=lines,
            description=description,
            photos=photos,
            actor=actor,
        )
        return 201, {"number": claim.number, "photos": photos}

    try:
        _status, body = idempotent(
            store_id=store.id, operation=operation, key=token, payload=payload, action=create
        )
    except RetornoError:
        discard_photos(photos)
        raise
    if body.get("photos") != photos:  # a twin request won: its photos are the claim's
        discard_photos(photos)
    return str(body["number"])


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
    """Resolve a claim (see resolutions.services.claim_resolve) and tell the shopper what they
    get: the refund's amount, the replacement, or both."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = money_claims.claim_resolve(
            store=store,
            number=number,
            resolution=resolution,
            actor=actor,
            amount=amount,
            note=note,
            now=now,
            destination=destination,
        )
        _notify(store, claim, MessageKind.CLAIM_RESOLVED, now=now)
        claim_publish(store, claim, "claim.resolved")
    return claim


def claim_reject(
    *, store: Store, number: str, note: str, actor: Actor, now: datetime | None = None
) -> Claim:
    """Reject a claim (see resolutions.services.claim_reject) and tell the shopper why (the
    note is required and is what the shopper reads)."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = money_claims.claim_reject(
            store=store, number=number, note=note, actor=actor, now=now
        )
        _notify(store, claim, MessageKind.CLAIM_REJECTED, now=now)
        claim_publish(store, claim, "claim.rejected")
    return claim


def _notify(store: Store, claim: Claim, kind: str, *, now: datetime) -> None:
    notify_claim_event(store=store, claim_snapshot=claim_snapshot(claim), kind=kind, now=now)


def claim_snapshot(claim: Claim) -> ClaimSnapshot:
    """The claim as notifications see it: plain data, no models."""
    claim = (
        Claim.objects.select_related("order", "customer")
        .prefetch_related("lines__order_line", "refunds", "exchanges")
        .get(id=claim.id)
    )
    order = claim.order
    customer = claim.customer
    claim_lines = list(claim.lines.all())
    payment = money_adapters.order_payment(order, [cl.order_line for cl in claim_lines])
    refunds = list(claim.refunds.all())
    refunded = sum((Decimal(r.amount) + Decimal(r.bonus_amount) for r in refunds), Decimal("0"))
    exchange = next(iter(claim.exchanges.all()), None)
    return ClaimSnapshot(
        claim_id=claim.id,
        number=claim.number,
        state=claim.state,
        reason=claim.reason,
        order_number=order.number,
        currency=order.currency,
        customer_name=customer.name,
        customer_email=customer.email,
        customer_phone=customer.phone,
        customer_language=customer.language,
        items=tuple(
            ItemSnapshot(
                title=cl.order_line.title,
                sku=cl.order_line.sku,
                quantity=cl.units,
                amount=refundable_units_amount(
                    payment.line(cl.order_line.external_id), cl.units, 0
                ),
                variant=_options_text(cl.order_line.options),
                image_url=cl.order_line.image_url,
            )
            for cl in claim_lines
        ),
        resolution=claim.resolution,
        resolution_note=claim.resolution_note,
        refund_amount=quantize(refunded, order.currency),
        refund_destination=refunds[0].destination if refunds else "",
        replacement_number=exchange.number if exchange is not None else "",
    )


def _options_text(options: Any) -> str:
    return " · ".join(str(v) for v in (options or {}).values())
