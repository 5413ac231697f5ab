"""Logistics writes: carrier accounts, allocation rules, shipments, bookings, tracking ingestion,
pickup attempts and failed-pickup recoveries.

Logistics knows returns only as plain data (id, RMA, parcel facts): the orchestration that
moves a return when its parcel moves lives in retorno.returns.workflows.shipping, above this module.
Carrier calls never run inside a database transaction.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Max
from django.utils import timezone

from retorno.core.actors import Actor
from retorno.core.errors import NotFound, Unprocessable
from retorno.core.outbox import outbox_enqueue
from retorno.core.weblinks import is_web_link
from retorno.domain.days import local_day, local_time
from retorno.domain.errors import DomainError
from retorno.domain.logistics import (
    AllocationRulesDocumentError,
    CarrierError,
    ReturnAction,
    ReturnMethod,
    TrackingEvent,
    TrackingStatus,
    current_event,
    make_event,
    parse_allocation_rules,
    return_progress,
)
from retorno.domain.logistics.gateway import (
    Booking,
    CarrierRejected,
    CarrierUnavailable,
    RawTrackingEvent,
)
from retorno.domain.times import TimeOutOfRange, check_fact_time
from retorno.logistics import adapters
from retorno.logistics.allocating import (
    ParcelFacts,
    allocation_inputs,
    allocation_request,
    parcel_allocate,
)
from retorno.logistics.crypto import encrypt_credentials, reencrypt
from retorno.logistics.destinations import config_urls_check, credentials_destination
from retorno.logistics.gateways import gateway_for
from retorno.logistics.models import (
    OPEN_RECOVERY_STATES,
    AllocationRuleSet,
    BookingState,
    CarrierAccount,
    CarrierKind,
    PickupAttempt,
    PickupRecovery,
    RecoveryState,
    Shipment,
)
from retorno.logistics.models import TrackingEvent as TrackingEventRow
from retorno.stores.models import Store

logger = logging.getLogger(__name__)

BOOK_KIND = "logistics.book"
# Transient failures (timeouts, 5xx) tolerated per carrier, each retried by the outbox with its
# exponential backoff (30 s, 60 s); the next one moves on to the next carrier in the ranking.
TRANSIENT_TRIES_PER_CARRIER = 3
# Never leave the last outbox attempts to a retry: fall back to the next carrier instead.
OUTBOX_ATTEMPTS_FOR_RETRIES = 6
MAX_EVENTS_PER_BATCH = 1000


# --- carrier accounts and rules ------------------------------------------------------------


def carrier_account_save(
    *,
    store: Store,
    code: str,
    data: Mapping[str, Any],
    credentials: Mapping[str, Any] | None = None,
    actor: Actor,
) -> tuple[CarrierAccount, bool]:
    """Create or update the store's carrier account `code` from `data` (the model's profile and
    config fields). `credentials`, when given, replace the stored ones (encrypted); None keeps
    them, unless the account now sends them elsewhere (retorno.logistics.destinations): then
    they are cleared, so a stored API key never follows a changed base URL. An unusable profile
    (422 `invalid_carrier`) or URL (422 `invalid_outbound_url`, naming the field) saves nothing.
    Returns (account, created)."""
    editable = {
        "name",
        "kind",
        "enabled",
        "config",
        "capabilities",
        "service_areas",
        "max_weight_grams",
        "max_dimensions_cm",
        "max_length_plus_girth_cm",
        "rates",
        "transit_days",
        "daily_pickup_capacity",
    }
    with transaction.atomic():
        account = CarrierAccount.objects.select_for_update().filter(store=store, code=code).first()
        created = account is None
        if account is None:
            account = CarrierAccount(
                store=store, code=code, webhook_code=_webhook_code(store, code)
            )
        destination_before = credentials_destination(account)
        for name, value in data.items():
            if name in editable and value is not None:
                setattr(account, name, value)
        if not account.name:
            account.name = code
        if account.kind not in CarrierKind.values:
            raise Unprocessable(f"Unknown carrier kind {account.kind!r}.", code="invalid_carrier")
        config_urls_check(account.config)
        adapters.rates_check(data.get("rates"))
        try:
            adapters.carrier_profile(account)
        except (CarrierError, ValueError, TypeError, ArithmeticError) as error:
            raise Unprocessable(str(error), code="invalid_carrier") from None
        if credentials is not None:
            account.credentials_encrypted = encrypt_credentials(dict(credentials))
        elif credentials_destination(account) != destination_before:
            account.credentials_encrypted = ""
        account.save()
    logger.info("carrier account %s saved by %s", account.webhook_code, actor)
    return account, created


def carrier_account_set_enabled(
    *, store: Store, code: str, enabled: bool, actor: Actor
) -> CarrierAccount:
    """Enable or disable the store's carrier account `code` (a disabled carrier is dropped by
    allocation). Another store's account, or an unknown code, is 404 `carrier_not_found`."""
    with transaction.atomic():
        account = (
            CarrierAccount.objects.for_store(store).select_for_update().filter(code=code).first()
        )
        if account is None:
            raise NotFound(f"No carrier account {code!r} in this store.", code="carrier_not_found")
        if account.enabled != enabled:
            account.enabled = enabled
            account.save(update_fields=["enabled", "updated_at"])
    logger.info(
        "carrier account %s %s by %s",
        account.webhook_code,
        "enabled" if enabled else "disabled",
        actor,
    )
    return account


@dataclass(frozen=True)
class Reencrypted:
    accounts: int
    unreadable: list[str]  # "store/code" of the accounts no configured key reads


def carrier_credentials_reencrypt() -> Reencrypted:
    """Encrypt every carrier account's stored credentials with the current (first) encryption
    key, one account at a time. Accounts whose credentials no key reads are left as they are and
    named in the result: they need their credentials given again."""
    done, unreadable = 0, []
    candidates = CarrierAccount.objects.exclude(credentials_encrypted="").order_by("id")
    for account_id in candidates.values_list("id", flat=True):
        with transaction.atomic():
            account = (
                CarrierAccount.objects.select_for_update()
                .select_related("store")
                .get(id=account_id)
            )
            try:
                account.credentials_encrypted = reencrypt(account.credentials_encrypted)
            except Unprocessable:
                unreadable.append(f"{account.store.slug}/{account.code}")
                continue
            # updated_at stays: the account's settings did not change.
            CarrierAccount.objects.filter(id=account.id).update(
                credentials_encrypted=account.credentials_encrypted
            )
            done += 1
    return Reencrypted(done, unreadable)


def _webhook_code(store: Store, code: str) -> str:
    base = f"{store.slug}-{code}"[:80]
    if not CarrierAccount.objects.filter(webhook_code=base).exists():
        return base
    return f"{base}-{secrets.token_hex(4)}"


def allocation_rules_publish(
    *,
    store: Store,
    document: Mapping[str, Any],
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
) -> AllocationRuleSet:
    """Validate the rules document against the store's carriers and store it as the next
    version. Invalid documents raise 422 `invalid_allocation_rules` naming every field."""
    now = now or timezone.now()
    known = CarrierAccount.objects.filter(store=store).values_list("code", flat=True)
    try:
        parse_allocation_rules(document, known_carrier_codes=list(known))
    except AllocationRulesDocumentError as error:
        raise Unprocessable(
            str(error),
            code=error.code,
            errors=[{"field": e.field, "message": e.message} for e in error.errors],
        ) from None
    with transaction.atomic():
        latest = (
            AllocationRuleSet.objects.select_for_update()
            .filter(store=store)
            .aggregate(v=Max("version"))["v"]
        )
        return AllocationRuleSet.objects.create(
            store=store,
            version=(latest or 0) + 1,
            document=dict(document),
            note=note,
            created_by=str(actor),
            created_at=now,
        )


# --- planning a shipment ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    shipment: Shipment | None
    enqueued: bool


def shipment_plan(
    *,
    store: Store,
    parcel: ParcelFacts,
    now: datetime | None = None,
    exclude_carriers: Iterable[str] = (),
) -> Plan:
    """Allocate the parcel among the store's carriers and queue its booking (outbox).

    Call inside the transaction that decides the return (approval, a re-booking): the shipment
    and its outbox row commit with it. A store without any enabled carrier account ships outside
    Retorno: nothing is created (shipment None). When no carrier can take the parcel the shipment
    is saved as `no_carrier` with the verdicts that say why. The explained ranking is stored on
    the shipment (`allocation`), and its codes, in order, as the candidates to book.
    """
    now = now or timezone.now()
    inputs = allocation_inputs(store, now=now)
    if inputs is None:
        return Plan(None, False)
    request = allocation_request(parcel, inputs)
    allocation = parcel_allocate(inputs, request, exclude_carriers=exclude_carriers)
    attempt = (
        Shipment.objects.filter(store=store, return_id=parcel.return_id).aggregate(
            n=Max("attempt_number")
        )["n"]
        or 0
    ) + 1
    ranking = [r.carrier_code for r in allocation.ranking]
    by_code = {a.code: a for a in inputs.accounts}
    # A date the shopper chose is asked of the carrier while it is still ahead in the store's
    # calendar. Otherwise Retorno asks for no date: the carrier books the first day it offers,
    # and the next working day stands in for it (capacity, pages) until the booking says.
    today = inputs.today
    pickup_date = parcel.pickup_date
    pickup_date_chosen = pickup_date is not None and pickup_date > today
    is_pickup = request.method is ReturnMethod.PICKUP
    if is_pickup and not pickup_date_chosen:
        pickup_date = _next_working_day(today)
    rules_set = inputs.rules_set
    shipment = Shipment.objects.create(
        store=store,
        return_id=parcel.return_id,
        rma=parcel.rma,
        reference=f"{parcel.rma}-{attempt}-{secrets.token_hex(3)}",
        attempt_number=attempt,
        method=parcel.method,
        carrier_account=by_code[ranking[0]] if ranking else None,
        booking_state=BookingState.PENDING if ranking else BookingState.NO_CARRIER,
        pickup_date=pickup_date if is_pickup else None,
        currency=parcel.currency,
        parcel={
            "sender": dict(parcel.sender),
            "recipient": dict(store.return_address or {}) or {"name": store.name},
            "weight_grams": request.weight_grams,
            "dimensions_cm": list(request.dimensions_cm),
            "declared_value": str(parcel.declared_value),
            "currency": parcel.currency,
            "category": parcel.category,
            "customer_tier": parcel.customer_tier,
            "tracking_url": parcel.tracking_url,
            "pickup_date_chosen": pickup_date_chosen,
        },
        rules_version=rules_set.version if rules_set is not None else None,
        allocation=allocation_json(allocation),
        candidates=ranking,
        created_at=now,
        updated_at=now,
    )
    if not ranking:
        return Plan(shipment, False)
    outbox_enqueue(
        store_id=store.id,
        kind=BOOK_KIND,
        dedupe_key=f"{BOOK_KIND}:{shipment.id}",
        payload={"shipment_id": shipment.id},
    )
    return Plan(shipment, True)


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def allocation_json(allocation: Any) -> dict[str, Any]:
    return {
        "rule": allocation.rule_id,
        "strategy": str(allocation.strategy),
        "currency": allocation.currency,
        "ranking": [
            {
                "rank": r.rank,
                "carrier": r.carrier_code,
                "name": r.carrier_name,
                "price_amount": str(r.price_amount),
                "transit_days": r.transit_days,
                "message": r.message,
            }
            for r in allocation.ranking
        ],
        "verdicts": [
            {
                "carrier": v.carrier_code,
                "kept": v.kept,
                "code": str(v.code),
                "message": v.message,
                "rank": v.rank,
            }
            for v in allocation.verdicts
        ],
    }


# --- booking --------------------------------------------------------------------------------


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
    from retorno.integrations.labels import render_label_pdf

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
            return tuple(_recompute([locked], account, orphan_rows=True, now=now))
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


# --- tracking ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipmentChange:
    """A shipment whose current status changed, and what its return should do about it."""

    shipment_id: int
    store_id: int
    return_id: int
    rma: str
    method: str
    carrier: str
    carrier_name: str
    tracking_number: str
    previous: str
    status: str
    occurred_at: datetime
    action: ReturnAction
    failure_reason: str = ""
    raw_status: str = ""


@dataclass(slots=True)
class IngestResult:
    received: int = 0
    stored: int = 0
    unknown_codes: list[str] = field(default_factory=list)
    changes: list[ShipmentChange] = field(default_factory=list)


def event_times_check(events: Sequence[RawTrackingEvent], *, now: datetime) -> None:
    """Refuse a batch of carrier events (CarrierRejected, naming the event) when one says it
    happened at a time that cannot be (before 2000, or more than a day ahead, as
    retorno.domain.times says): stored, a scan in year 9999 would stay a parcel's latest
    forever and every real scan after it would be placed before it."""
    for index, event in enumerate(events):
        try:
            check_fact_time(event.occurred_at, now=now)
        except TimeOutOfRange as error:
            raise CarrierRejected(
                f"events[{index}].occurred_at ({event.tracking_number}): {error}"
            ) from None


def _possible(event: RawTrackingEvent, now: datetime) -> bool:
    try:
        check_fact_time(event.occurred_at, now=now)
    except TimeOutOfRange:
        logger.warning(
            "dropped a tracking event of %s at %s: outside the accepted range",
            event.tracking_number,
            event.occurred_at.isoformat(),
        )
        return False
    return True


def tracking_events_ingest(
    *,
    account: CarrierAccount,
    events: Sequence[RawTrackingEvent],
    now: datetime | None = None,
) -> IngestResult:
    """Store a batch of carrier events once each, and move their shipments' statuses.

    Call inside a transaction (the caller applies the returned changes to the returns in the
    same one, so a crash never leaves a parcel moved and its return behind). A handful of
    queries per batch whatever its size: lock the batch's shipments, one INSERT … ON CONFLICT DO
    NOTHING RETURNING, one UPDATE of the shipments whose status changed. Raw codes are mapped
    through the carrier's status map; unknown ones are stored as `unknown` and logged. Events
    are placed by their time (retorno.domain.logistics.current_event), so out-of-order and
    repeated events give the same status as in-order ones.
    """
    now = now or timezone.now()
    if len(events) > MAX_EVENTS_PER_BATCH:
        raise Unprocessable(
            f"At most {MAX_EVENTS_PER_BATCH} events per batch.", code="batch_too_large"
        )
    result = IngestResult(received=len(events))
    # What polling brings back is never refused whole (event_times_check does that to a
    # webhook): an impossible time is dropped and the rest of the parcel's history kept.
    events = [event for event in events if _possible(event, now)]
    if not events:
        return result
    status_map = adapters.status_map_for(account)
    numbers = sorted({e.tracking_number for e in events})
    shipments = {
        s.tracking_number: s
        for s in Shipment.objects.select_for_update()
        .filter(carrier_account=account, tracking_number__in=numbers)
        .only(*_TRACKING_FIELDS)
        .order_by("id")
    }
    rows: list[tuple[Any, ...]] = []
    # Each event with its key: only the ones this batch stores may move a shipment.
    normalised: list[tuple[tuple[str, str], TrackingEvent]] = []
    seen: set[tuple[str, str]] = set()
    for raw in events:
        event = make_event(
            status_map,
            tracking_number=raw.tracking_number[:120],
            raw_status=raw.raw_status[:120],
            occurred_at=raw.occurred_at,
            location=raw.location[:200],
            description=raw.description[:500],
        )
        dedupe = (raw.event_id or f"{event.raw_status}@{event.occurred_at.isoformat()}")[:200]
        if (event.tracking_number, dedupe) in seen:
            continue
        seen.add((event.tracking_number, dedupe))
        if event.status is TrackingStatus.UNKNOWN and event.raw_status not in result.unknown_codes:
            result.unknown_codes.append(event.raw_status)
        shipment = shipments.get(event.tracking_number)
        rows.append(
            (
                account.id,
                shipment.id if shipment else None,
                event.tracking_number,
                dedupe,
                event.raw_status,
                str(event.status),
                str(event.failure_reason or ""),
                event.occurred_at,
                event.location,
                event.description,
                now,
            )
        )
        normalised.append(((event.tracking_number, dedupe), event))
    stored = _insert_events(rows)
    result.stored = len(stored)
    if result.unknown_codes:
        logger.warning(
            "carrier %s sent unknown status codes %s (kept as unknown)",
            account.webhook_code,
            ", ".join(result.unknown_codes),
        )
    # An event refused as a duplicate (its key is stored already, whatever status it says now)
    # changes nothing: the carrier's first word on an event id is the one kept and applied.
    by_number: dict[str, list[TrackingEvent]] = defaultdict(list)
    for key, event in normalised:
        if key in stored and event.tracking_number in shipments:
            by_number[event.tracking_number].append(event)
    result.changes = _apply_events(
        [(shipments[n], evs) for n, evs in by_number.items()], account, now
    )
    return result


_TRACKING_FIELDS = (
    "id",
    "store_id",
    "return_id",
    "rma",
    "method",
    "tracking_number",
    "status",
    "status_at",
    "carrier_account_id",
)
_EVENT_COLUMNS = (
    "carrier_account_id, shipment_id, tracking_number, dedupe_key, raw_status, status, "
    "failure_reason, occurred_at, location, description, received_at"
)
_UNNEST_TYPES = (
    "bigint[]",
    "bigint[]",
    "text[]",
    "text[]",
    "text[]",
    "text[]",
    "text[]",
    "timestamptz[]",
    "text[]",
    "text[]",
    "timestamptz[]",
)


def _insert_events(rows: list[tuple[Any, ...]]) -> set[tuple[str, str]]:
    """Insert the rows that are new; the (tracking number, dedupe key) of each row stored."""
    connection = connections[router.db_for_write(TrackingEventRow)]
    if rows and connection.vendor == "postgresql":
        return _insert_events_postgresql(connection, rows)
    return _insert_events_values(rows)


def _insert_events_postgresql(connection: Any, rows: list[tuple[Any, ...]]) -> set[tuple[str, str]]:
    """PostgreSQL: one column array per field through unnest(), so the statement is the same
    short text for any batch size (psycopg parses it once) and carries 11 parameters."""
    table = TrackingEventRow._meta.db_table
    columns = [list(column) for column in zip(*rows, strict=True)]
    arrays = ", ".join(f"%s::{kind}" for kind in _UNNEST_TYPES)
    sql = (
        f"INSERT INTO {table} ({_EVENT_COLUMNS}) SELECT * FROM unnest({arrays}) "  # noqa: S608
        "ON CONFLICT (carrier_account_id, tracking_number, dedupe_key) DO NOTHING "
        "RETURNING tracking_number, dedupe_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, columns)
        return {(number, key) for number, key in cursor.fetchall()}


def _insert_events_values(rows: list[tuple[Any, ...]]) -> set[tuple[str, str]]:
    """One multi-row INSERT … ON CONFLICT DO NOTHING (PostgreSQL and SQLite alike); returns the
    keys of the rows that were new."""
    if not rows:
        return set()
    connection = connections[router.db_for_write(TrackingEventRow)]
    adapt = connection.ops.adapt_datetimefield_value
    table = TrackingEventRow._meta.db_table
    columns = (
        "carrier_account_id, shipment_id, tracking_number, dedupe_key, raw_status, status, "
        "failure_reason, occurred_at, location, description, received_at"
    )
    placeholders = "(" + ", ".join(["%s"] * 11) + ")"
    params: list[Any] = []
    for row in rows:
        params.extend(row[:7])
        params.append(adapt(row[7]))
        params.extend(row[8:10])
        params.append(adapt(row[10]))
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 - fixed identifiers only
        + ", ".join([placeholders] * len(rows))
        + " ON CONFLICT (carrier_account_id, tracking_number, dedupe_key) DO NOTHING"
        + " RETURNING tracking_number, dedupe_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(number, key) for number, key in cursor.fetchall()}


def _apply_events(
    batches: list[tuple[Shipment, list[TrackingEvent]]], account: CarrierAccount, now: datetime
) -> list[ShipmentChange]:
    changes: list[ShipmentChange] = []
    changed: list[Shipment] = []
    for shipment, events in batches:
        previous = TrackingStatus(shipment.status) if shipment.status else None
        known: list[TrackingEvent] = list(events)
        if previous is not None and shipment.status_at is not None:
            # The stored current event stands for all earlier ones: current_event over it and
            # the new events equals current_event over the whole history.
            known.append(
                TrackingEvent(
                    carrier=account.kind,
                    tracking_number=shipment.tracking_number,
                    raw_status="",
                    status=previous,
                    occurred_at=shipment.status_at,
                )
            )
        current = current_event(known)
        if current is None or current.status == previous:
            # Same status: exact without reading history (the stored event is a lower bound of
            # the latest one of that status), and nothing to write.
            continue
        # The status seems to change: decide on the whole stored history, exactly.
        rows = TrackingEventRow.objects.filter(shipment_id=shipment.id).only(
            "tracking_number", "raw_status", "status", "occurred_at", "failure_reason"
        )
        current = current_event(
            [*events, *(adapters.tracking_event(r, account.kind) for r in rows)]
        )
        if current is None or current.status == previous:
            continue
        shipment.status = str(current.status)
        shipment.status_at = current.occurred_at
        shipment.updated_at = now
        changed.append(shipment)
        action = return_progress(previous, current.status)
        change = ShipmentChange(
            shipment_id=shipment.id,
            store_id=shipment.store_id,
            return_id=shipment.return_id,
            rma=shipment.rma,
            method=shipment.method,
            carrier=account.code,
            carrier_name=account.name,
            tracking_number=shipment.tracking_number,
            previous=str(previous or ""),
            status=str(current.status),
            occurred_at=current.occurred_at,
            action=action,
            failure_reason=str(current.failure_reason or ""),
            raw_status=current.raw_status,
        )
        changes.append(change)
        _pickup_attempt_record(shipment, account, change)
    if changed:
        _shipment_statuses_save(changed, now)
    return changes


def _shipment_statuses_save(changed: list[Shipment], now: datetime) -> None:
    connection = connections[router.db_for_write(Shipment)]
    if connection.vendor != "postgresql":
        Shipment.objects.bulk_update(changed, ["status", "status_at", "updated_at"])
        return
    table = Shipment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET status = v.status, status_at = v.status_at, "  # noqa: S608
            "updated_at = %s FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[]) "
            "AS v(id, status, status_at) WHERE s.id = v.id",
            [
                now,
                [s.id for s in changed],
                [s.status for s in changed],
                [s.status_at for s in changed],
            ],
        )


def _recompute(
    shipments: list[Shipment], account: CarrierAccount, *, orphan_rows: bool, now: datetime
) -> list[ShipmentChange]:
    """Re-read every stored event of `shipments` (after attaching orphan scans)."""
    batches = []
    for shipment in shipments:
        rows = TrackingEventRow.objects.filter(shipment=shipment)
        batches.append((shipment, [adapters.tracking_event(r, account.kind) for r in rows]))
    return _apply_events(batches, account, now)


def _pickup_attempt_record(
    shipment: Shipment, account: CarrierAccount, change: ShipmentChange
) -> None:
    """Measure pickups: a failure on every pickup_failed, a success on the first move of a
    pickup shipment. Numbered per return, across its shipments."""
    if change.action is ReturnAction.PICKUP_FAILED:
        succeeded = False
    elif change.action in (ReturnAction.MARK_IN_TRANSIT, ReturnAction.RECEIVE) and (
        shipment.method == "pickup"
    ):
        if PickupAttempt.objects.filter(shipment=shipment, succeeded=True).exists():
            return
        succeeded = True
    else:
        return
    number = (
        PickupAttempt.objects.filter(
            store_id=shipment.store_id, return_id=shipment.return_id
        ).aggregate(n=Max("attempt_number"))["n"]
        or 0
    ) + 1
    try:
        with transaction.atomic():
            PickupAttempt.objects.create(
                store_id=shipment.store_id,
                shipment=shipment,
                carrier_account=account,
                return_id=shipment.return_id,
                attempt_number=number,
                succeeded=succeeded,
                failure_reason=change.failure_reason if not succeeded else "",
                occurred_at=change.occurred_at,
            )
    except IntegrityError:
        logger.warning("pickup attempt %s of return %s recorded twice", number, shipment.return_id)
