"""A return's charges: an exchange's price difference and the charge-back of an instant
exchange whose original never came back.

Instant exchanges whose original is not sent back in time are reminded a few days before their
deadline and charged back after it by periodic jobs, and refunded if the original arrives after
all. Charges go on the trail when issued, taken (`charged`) or declined (`charge_failed`); the
shopper hears of them through the events' handlers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.domain.money import quantize
from retorno.domain.money.charges import instant_exchange_overdue
from retorno.domain.returns.states import ReturnStatus
from retorno.money import selectors as money_selectors
from retorno.money.models import (
    Charge,
    ChargeKind,
    ExchangeOrder,
)
from retorno.money.services import charges as money_charges
from retorno.returns.events import EventKind, command, event_record
from retorno.returns.locks import return_lock_by_id
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.returns.workflows.refunds import refund_event_data
from retorno.stores.models import Store

ZERO = Decimal("0")


# Trail events that mean a carrier has the parcel: the original is on its way.
SCAN_EVENTS = (EventKind.IN_TRANSIT,)


# A return that staff resolved (or that travelled) is settled another way; only one still
# waiting for its parcel, or cancelled after the new item shipped, is charged back.
CHARGE_BACK_STATES = frozenset({ReturnStatus.APPROVED, ReturnStatus.CANCELLED})


def charge_event_data(charge: Charge) -> dict[str, Any]:
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


def units_received(return_request: Return) -> dict[int, int]:
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
            return_request, EventKind.CHARGED, actor=actor, now=now, data=charge_event_data(charge)
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
    refund = money_charges.charge_refund_arrivals(
        charge_id=charge.id, units_received=units_received(return_request), actor=SYSTEM, now=now
    )
    if refund is not None:
        event_record(
            return_request,
            EventKind.REFUND_ISSUED,
            actor=SYSTEM,
            now=now,
            note="The item came back after it was charged.",
            data=refund_event_data(refund),
        )


def charge_back_missing(return_request: Return, exchange: ExchangeOrder, *, now: datetime) -> None:
    """An instant exchange resolved with fewer originals back than new items sent: the missing
    ones will not come, so they are charged now (once per exchange, like the deadline job)."""
    if money_selectors.charge_for_exchange(
        exchange_id=exchange.id, kind=ChargeKind.UNRETURNED_ITEM
    ):
        return
    charge = money_charges.charge_back_record(
        exchange=exchange, units_received=units_received(return_request), actor=SYSTEM, now=now
    )
    if charge is not None:
        event_record(
            return_request,
            EventKind.CHARGE_BACK_ISSUED,
            actor=SYSTEM,
            now=now,
            note="Fewer items came back than the exchange sent; the missing ones are charged.",
            data=charge_event_data(charge),
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
        received = units_received(return_request)
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
        charge = money_charges.charge_back_record(
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
                **charge_event_data(charge),
                "return_due_by": exchange.return_due_by.isoformat()
                if exchange.return_due_by
                else None,
            },
        )
    return True


def instant_exchange_reminders(*, now: datetime | None = None) -> int:
    """The periodic job: remind the shopper of every instant exchange whose return deadline is
    within the next few days, and whose original was neither scanned nor received, to send it
    back (`return_due_soon` on the trail, which sends the message). Once per exchange: decided
    under the return's lock, and an exchange reminded before is skipped, however often the job
    runs or is retried. Returns how many were reminded."""
    now = now or timezone.now()
    days = settings.RETORNO_INSTANT_EXCHANGE_REMINDER_DAYS
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
            or any(units_received(return_request).values())
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
    state = money_charges.charge_send(charge_id, now=now, on_succeeded=record_charged)
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
            data={**charge_event_data(charge), "attempt": charge.attempt},
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
    return money_charges.charge_mark_paid(
        store=store,
        charge_id=charge_id,
        reference=reference,
        actor=actor,
        now=now,
        on_succeeded=record_charged,
    )
