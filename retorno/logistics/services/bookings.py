"""Booking a planned shipment with its carriers, in the order the allocation ranked them, with
retries for transient failures; the label; superseding and cancelling a shipment.

Carrier calls never run inside a database transaction."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from retorno.core.weblinks import is_web_link
from retorno.domain.days import local_day, local_time
from retorno.domain.errors import DomainError
from retorno.domain.logistics.gateway import (
    Booking,
    CarrierRejected,
    CarrierUnavailable,
)
from retorno.integrations.labels import render_label_pdf
from retorno.logistics import adapters
from retorno.logistics.gateways import gateway_for
from retorno.logistics.models import (
    OPEN_RECOVERY_STATES,
    BookingState,
    CarrierAccount,
    PickupRecovery,
    RecoveryState,
    Shipment,
)
from retorno.logistics.models import TrackingEvent as TrackingEventRow
from retorno.logistics.services import tracking
from retorno.logistics.services.tracking import ShipmentChange
from retorno.stores.models import Store

logger = logging.getLogger(__name__)

# Transient failures (timeouts, 5xx) tolerated per carrier, each retried by the outbox with its
# exponential backoff (30 s, 60 s); the next one moves on to the next carrier in the ranking.
TRANSIENT_TRIES_PER_CARRIER = 3
# Never leave the last outbox attempts to a retry: fall back to the next carrier instead.
OUTBOX_ATTEMPTS_FOR_RETRIES = 6


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingTry:
    carrier: str
    outcome: str  # booked | unavailable | rejected | skipped
    message: str = ""
    will_retry: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "carrier": self.carrier,
            "outcome": self.outcome,
            "message": self.message,
            "will_retry": self.will_retry,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingOutcome:
    """What one booking run did. `state`: booked, failed (every carrier refused or stayed
    down), retry (a carrier is down: try it again after the outbox's backoff) or unchanged (the
    shipment was not pending any more)."""

    shipment_id: int
    store_id: int
    return_id: int
    rma: str
    state: str
    tries: tuple[BookingTry, ...] = ()
    carrier: str = ""
    carrier_name: str = ""
    tracking_number: str = ""
    label_ready: bool = False
    drop_off_code: str = ""
    pickup_date: date | None = None
    pickup_window: str = ""
    method: str = ""
    shipment_changes: tuple[ShipmentChange, ...] = ()


class BookingRetry(Exception):
    """A carrier was unavailable: the outbox retries the booking after its backoff."""


def shipment_book(
    *, shipment_id: int, outbox_attempts: int = 0, now: datetime | None = None
) -> BookingOutcome:
    """Book a pending shipment with its carriers, in ranking order. Runs outside any transaction
    (carrier calls can take seconds), from the outbox handler.

    The shipment's reference is the carrier's idempotency key, so a booking retried after a
    crash or a timeout never makes a second pickup. A CarrierUnavailable is tolerated
    TRANSIENT_TRIES_PER_CARRIER times per carrier (state `retry`: the outbox retries with
    backoff), then the next carrier is tried; a CarrierRejected moves to the next at once. Every
    try is appended to `booking_log`. When every carrier failed the shipment is `failed`.
    """
    now = now or timezone.now()
    shipment = Shipment.objects.select_related("store").get(id=shipment_id)
    zone = shipment.store.timezone
    if shipment.booking_state != BookingState.PENDING:
        return _outcome(shipment, "unchanged", zone=zone)
    accounts = {a.code: a for a in CarrierAccount.objects.filter(store_id=shipment.store_id)}
    tries: list[BookingTry] = []
    request = adapters.booking_request(shipment, today=local_day(now, zone))
    while shipment.candidate_index < len(shipment.candidates):
        code = shipment.candidates[shipment.candidate_index]
        account = accounts.get(code)
        if account is None or not account.enabled:
            tries.append(BookingTry(carrier=code, outcome="skipped", message="account disabled"))
            _advance(shipment, tries, now)
            continue
        try:
            booking = gateway_for(account).book(request)
        except CarrierUnavailable as error:
            shipment.transient_failures += 1
            retry = (
                shipment.transient_failures < TRANSIENT_TRIES_PER_CARRIER
                and outbox_attempts < OUTBOX_ATTEMPTS_FOR_RETRIES
            )
            tries.append(
                BookingTry(
                    carrier=code, outcome="unavailable", message=str(error)[:500], will_retry=retry
                )
            )
            if retry:
                _save_progress(shipment, tries, now)
                return _outcome(shipment, "retry", tries, account, zone=zone)
            _advance(shipment, tries, now)
            continue
        except CarrierRejected as error:
            tries.append(BookingTry(carrier=code, outcome="rejected", message=str(error)[:500]))
            _advance(shipment, tries, now)
            continue
        tries.append(BookingTry(carrier=code, outcome="booked", message=booking.tracking_number))
        label_pdf = _label_pdf(shipment, account, booking)
        changes = _booking_save(shipment, account, booking, label_pdf, tries, now, zone=zone)
        shipment.refresh_from_db()
        return _outcome(shipment, "booked", tries, account, changes, zone=zone)
    with transaction.atomic():
        locked = Shipment.objects.select_for_update().get(id=shipment.id)
        if locked.booking_state == BookingState.PENDING:
            locked.booking_state = BookingState.FAILED
            locked.booking_log = [*locked.booking_log, *(t.as_json() for t in tries)]
            locked.candidate_index = shipment.candidate_index
            locked.updated_at = now
            locked.save(
                update_fields=["booking_state", "booking_log", "candidate_index", "updated_at"]
            )
    shipment.refresh_from_db()
    return _outcome(shipment, "failed", tries, zone=zone)


def _advance(shipment: Shipment, tries: list[BookingTry], now: datetime) -> None:
    shipment.candidate_index += 1
    shipment.transient_failures = 0
    _save_progress(shipment, [], now)


def _save_progress(shipment: Shipment, tries: list[BookingTry], now: datetime) -> None:
    """Remember where the booking loop is, so a crash or a retry resumes there."""
    fields: dict[str, Any] = {
        "candidate_index": shipment.candidate_index,
        "transient_failures": shipment.transient_failures,
        "updated_at": now,
    }
    Shipment.objects.filter(id=shipment.id, booking_state=BookingState.PENDING).update(**fields)
    if tries:
        with transaction.atomic():
            locked = Shipment.objects.select_for_update().get(id=shipment.id)
            locked.booking_log = [*locked.booking_log, *(t.as_json() for t in tries)]
            locked.save(update_fields=["booking_log"])
        shipment.booking_log = locked.booking_log


def _label_pdf(shipment: Shipment, account: CarrierAccount, booking: Booking) -> bytes | None:
    """The label as the carrier gave it, else rendered by Retorno (retorno.integrations.labels)."""
    if booking.label_pdf:
        return bytes(booking.label_pdf)
    request = adapters.booking_request(shipment)
    try:
        return render_label_pdf(
            rma=shipment.rma,
            tracking_number=booking.tracking_number,
            carrier_name=account.name,
            sender=request.sender,
            recipient=request.recipient,
            drop_off_code=booking.drop_off_code or None,
            qr_payload=str(shipment.parcel.get("tracking_url") or booking.tracking_number),
        )
    except Exception:
        logger.exception("could not render the label of %s", shipment.reference)
        return None


def label_path(shipment: Shipment) -> str:
    return f"labels/{shipment.store_id}/{shipment.reference}.pdf"


def _booking_save(
    shipment: Shipment,
    account: CarrierAccount,
    booking: Booking,
    label_pdf: bytes | None,
    tries: list[BookingTry],
    now: datetime,
    *,
    zone: str,
) -> tuple[ShipmentChange, ...]:
    path = ""
    if label_pdf:
        path = label_path(shipment)
        if default_storage.exists(path):
            default_storage.delete(path)
        path = default_storage.save(path, ContentFile(label_pdf))
    with transaction.atomic():
        locked = Shipment.objects.select_for_update().get(id=shipment.id)
        if locked.booking_state != BookingState.PENDING:
            return ()
        locked.carrier_account = account
        locked.booking_state = BookingState.BOOKED
        locked.booking_id = booking.booking_id[:120]
        locked.tracking_number = booking.tracking_number[:120]
        locked.label_file = path
        locked.carrier_label_url = booking.label_url[:500]
        # Only a web address is kept: it becomes a link on the shopper's tracking page.
        locked.carrier_tracking_url = (
            booking.tracking_url[:500] if is_web_link(booking.tracking_url) else ""
        )
        locked.drop_off_code = booking.drop_off_code[:64]
        locked.pickup_window_start = booking.pickup_window_start
        locked.pickup_window_end = booking.pickup_window_end
        if booking.pickup_window_start is not None and locked.method == "pickup":
            # The carrier's window says the day, in the store's calendar.
            locked.pickup_date = local_day(booking.pickup_window_start, zone)
        locked.price_amount = booking.price_amount
        locked.currency = booking.currency or locked.currency
        locked.candidate_index = shipment.candidate_index
        locked.transient_failures = 0
        locked.booking_log = [*locked.booking_log, *(t.as_json() for t in tries)]
        locked.booked_at = now
        locked.updated_at = now
        locked.save()
        # Scans that arrived before the booking was saved (a crash between the carrier's answer
        # and this commit) were kept without a shipment: they belong to this one.
        orphans = TrackingEventRow.objects.filter(
            carrier_account=account, tracking_number=locked.tracking_number, shipment=None
        )
        if orphans.update(shipment=locked):
            return tuple(tracking.events_recompute([locked], account, orphan_rows=True, now=now))
    return ()


def _outcome(
    shipment: Shipment,
    state: str,
    tries: Sequence[BookingTry] = (),
    account: CarrierAccount | None = None,
    changes: Sequence[ShipmentChange] = (),
    *,
    zone: str,
) -> BookingOutcome:
    account = account or shipment.carrier_account
    window = ""
    if shipment.pickup_window_start and shipment.pickup_window_end:
        # Told to the shopper as the store's wall clock shows it.
        start = local_time(shipment.pickup_window_start, zone)
        end = local_time(shipment.pickup_window_end, zone)
        window = f"{start:%H:%M}–{end:%H:%M}"
    return BookingOutcome(
        shipment_id=shipment.id,
        store_id=shipment.store_id,
        return_id=shipment.return_id,
        rma=shipment.rma,
        state=state,
        tries=tuple(tries),
        carrier=account.code if account else "",
        carrier_name=account.name if account else "",
        tracking_number=shipment.tracking_number,
        label_ready=bool(shipment.label_file or shipment.carrier_label_url),
        drop_off_code=shipment.drop_off_code,
        pickup_date=shipment.pickup_date,
        pickup_window=window,
        method=shipment.method,
        shipment_changes=tuple(changes),
    )


def shipment_supersede(*, store: Store, shipment_id: int, now: datetime | None = None) -> None:
    """Retire a shipment that a new booking replaces, and cancel it with the carrier
    (best effort, after commit: a carrier that is down must not block the shopper's choice)."""
    now = now or timezone.now()
    shipment = Shipment.objects.filter(store=store, id=shipment_id).first()
    if shipment is None or shipment.booking_state in (
        BookingState.SUPERSEDED,
        BookingState.CANCELLED,
    ):
        return
    was_booked = shipment.booking_state == BookingState.BOOKED
    Shipment.objects.filter(id=shipment.id).update(
        booking_state=BookingState.SUPERSEDED, updated_at=now
    )
    if was_booked and shipment.carrier_account_id:
        transaction.on_commit(lambda: _cancel_with_carrier(shipment.id))


def shipment_cancel(*, store: Store, return_id: int, now: datetime | None = None) -> int:
    """The return was cancelled: cancel its active shipments (with the carrier after commit)."""
    now = now or timezone.now()
    active = list(
        Shipment.objects.filter(
            store=store,
            return_id=return_id,
            booking_state__in=(BookingState.PENDING, BookingState.BOOKED),
        )
    )
    for shipment in active:
        Shipment.objects.filter(id=shipment.id).update(
            booking_state=BookingState.CANCELLED, updated_at=now
        )
        if shipment.booking_state == BookingState.BOOKED:
            transaction.on_commit(functools.partial(_cancel_with_carrier, shipment.id))
    PickupRecovery.objects.filter(
        store=store, return_id=return_id, state__in=OPEN_RECOVERY_STATES
    ).update(state=RecoveryState.CANCELLED, resolved_at=now, updated_at=now)
    return len(active)


def _cancel_with_carrier(shipment_id: int) -> None:
    shipment = Shipment.objects.select_related("carrier_account").filter(id=shipment_id).first()
    if shipment is None or shipment.carrier_account is None or not shipment.booking_id:
        return
    try:
        gateway_for(shipment.carrier_account).cancel(
            Booking(
                carrier=shipment.carrier_account.code,
                booking_id=shipment.booking_id,
                tracking_number=shipment.tracking_number,
            )
        )
    except DomainError as error:
        logger.warning("could not cancel %s with the carrier: %s", shipment.reference, error)
    except Exception:
        logger.exception("could not cancel %s with the carrier", shipment.reference)
