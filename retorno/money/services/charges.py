"""Charges: taking money from the shopper (a dearer exchange's difference, an instant
exchange's original that never came back), the same two steps as a refund: `charge_record` in
the caller's transaction, then `charge_send` outside any."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.core.errors import Conflict, Unprocessable
from retorno.domain.money import quantize
from retorno.domain.money.charges import (
    ChargePurpose,
    KeptLine,
    charge_idempotency_key,
    charge_refund_amount,
    kept_unit_amount,
    unreturned_amount,
)
from retorno.domain.money.ledger import RefundState
from retorno.integrations.payments import registry
from retorno.integrations.payments.base import (
    ChargeOutcome,
    ChargeRequest,
)
from retorno.money import selectors
from retorno.money.models import (
    Charge,
    ChargeKind,
    ExchangeOrder,
    ExchangeState,
    Refund,
)
from retorno.money.services.attempts import (
    enqueue_send,
    payment_reference,
    reopen_for_retry,
    send_once,
    settle,
)
from retorno.money.services.fulfilment import exchange_emit
from retorno.money.services.refunds import refund_for_charge_write
from retorno.money.services.settings import DEFAULT_ADAPTER, payment_adapter_for
from retorno.stores.models import Store

ZERO = Decimal("0")


CHARGE_SEND_KIND = "charge.send"


ChargeHook = Callable[[Charge], None]


def difference_charged(exchange: ExchangeOrder) -> bool:
    return Charge.objects.filter(
        exchange=exchange, kind=ChargeKind.EXCHANGE_DIFFERENCE, state=RefundState.SUCCEEDED
    ).exists()


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
        provider=payment_adapter_for(store),
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
    difference_paid = difference_charged(exchange)
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
    return refund_for_charge_write(charge, amount, actor=actor, now=now)


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


def _exchange_paid(charge: Charge, *, now: datetime) -> None:
    """The difference of a held exchange was charged: send it for fulfilment. If its return
    was cancelled while the charge was on its way, the exchange will not ship: the charge is
    refunded in full, once."""
    exchange = ExchangeOrder.objects.select_for_update().get(id=charge.exchange_id)
    if exchange.state == ExchangeState.AWAITING_PAYMENT:
        exchange_emit(exchange, now=now)
    elif exchange.state == ExchangeState.CANCELLED and not charge.refunds.exists():
        refund_for_charge_write(
            charge, quantize(Decimal(charge.amount), charge.currency), actor=SYSTEM, now=now
        )


def charge_send(
    charge_id: int, *, now: datetime | None = None, on_succeeded: ChargeHook | None = None
) -> str:
    """Send one PENDING charge to its payment adapter, at most one caller at a time: the same
    protocol as `refund_send` (retorno/money/services/attempts.py)."""
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
