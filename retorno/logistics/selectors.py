"""Logistics reads. Every selector takes the store; another store's object is "not found"."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.files.storage import default_storage
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from retorno.core import keyset, storecache
from retorno.core.errors import NotFound
from retorno.core.keyset import KeysetPage
from retorno.domain.logistics import (
    CarrierError,
    CarrierProfile,
    CarrierStats,
    PickupAttempt,
    pickup_stats_by_carrier,
)
from retorno.domain.logistics.gateway import (
    CarrierRejected,
    CarrierUnavailable,
    DropOffPoint,
    DropOffPointFinder,
)
from retorno.domain.returns.rma import normalise_rma
from retorno.integrations.carriers.registry import KIND_KEYS, KindKeys
from retorno.logistics import adapters
from retorno.logistics.gateways import gateway_for
from retorno.logistics.models import (
    OPEN_RECOVERY_STATES,
    AllocationRuleSet,
    BookingState,
    CarrierAccount,
    LogisticsSettings,
    PickupRecovery,
    RecoveryState,
    Shipment,
    TrackingEvent,
)
from retorno.logistics.models import PickupAttempt as PickupAttemptRow
from retorno.stores.models import Store

logger = logging.getLogger(__name__)

STATS_WINDOW = timedelta(days=180)


def store_books_carriers(store_id: int) -> bool:
    """Whether the store has an enabled carrier account: without one it ships outside Retorno
    and nothing is ever allocated or booked (kept per process a few seconds: storecache)."""
    return storecache.remembered(
        "books_carriers",
        store_id,
        lambda: CarrierAccount.objects.filter(store_id=store_id, enabled=True).exists(),
    )


storecache.forget_on_change(CarrierAccount, "books_carriers")


def logistics_settings_for(store: Store) -> LogisticsSettings:
    found = LogisticsSettings.objects.filter(store=store).first()
    return found if found is not None else LogisticsSettings(store=store)


def default_parcel_dimensions_for(store: Store) -> tuple[int, int, int]:
    """The sides (cm) of the store's usual parcel, or the default size when it set none."""
    return adapters.parcel_dimensions(logistics_settings_for(store).default_parcel_dimensions_cm)


def carrier_kind_keys(kind: str) -> KindKeys | None:
    """The settings and secrets a person sets for a carrier account of `kind`; None for a kind
    Retorno has no adapter for."""
    return KIND_KEYS.get(kind)


def allocation_rules_current(store: Store) -> AllocationRuleSet | None:
    return AllocationRuleSet.objects.filter(store=store).order_by("-version").first()


def carrier_accounts_for_store(store: Store) -> QuerySet[CarrierAccount]:
    return CarrierAccount.objects.for_store(store).order_by("code")


def carrier_account_get_for_store(*, store: Store, code: str) -> CarrierAccount:
    account = CarrierAccount.objects.for_store(store).filter(code=code).first()
    if account is None:
        raise NotFound(f"No carrier account {code!r} in this store.", code="carrier_not_found")
    return account


def carrier_account_by_webhook_code(webhook_code: str) -> CarrierAccount | None:
    """The account an inbound webhook is addressed to (no store yet: the signature decides)."""
    return CarrierAccount.objects.select_related("store").filter(webhook_code=webhook_code).first()


def pickup_attempts_for_store(store: Store, *, since: datetime) -> list[PickupAttempt]:
    rows = PickupAttemptRow.objects.filter(store=store, occurred_at__gte=since).values_list(
        "carrier_account__code", "return_id", "attempt_number", "succeeded", "failure_reason"
    )
    return [
        PickupAttempt(
            carrier=code,
            shipment_ref=f"return:{return_id}",
            attempt_number=number,
            succeeded=succeeded,
            failure_reason=reason or None,
        )
        for code, return_id, number, succeeded, reason in rows
    ]


def carrier_stats_for_store(
    store: Store, *, now: datetime | None = None
) -> dict[str, CarrierStats]:
    """First-attempt pickup success and recovery per carrier code over the last 180 days,
    for the best_pickup_success strategy and the carriers page."""
    now = now or timezone.now()
    return pickup_stats_by_carrier(pickup_attempts_for_store(store, since=now - STATS_WINDOW))


def pickups_booked_on(store: Store, day: date) -> dict[str, int]:
    """Pickups booked per carrier code for `day`, for the daily capacity check."""
    return dict(
        Shipment.objects.filter(
            store=store,
            method="pickup",
            pickup_date=day,
            booking_state__in=(BookingState.PENDING, BookingState.BOOKED),
            carrier_account__isnull=False,
        )
        .values_list("carrier_account__code")
        .annotate(n=Count("id"))
        .order_by()
    )


def shipments_for_return(*, store: Store, return_id: int) -> list[Shipment]:
    return list(
        Shipment.objects.for_store(store)
        .filter(return_id=return_id)
        .select_related("carrier_account")
        .order_by("attempt_number")
    )


def shipment_list_for_store(
    *,
    store: Store,
    booking_state: str | None = None,
    status: str | None = None,
    carrier: str | None = None,
    limit: int = 50,
    after: str | None = None,
    before: str | None = None,
    strict: bool = True,
    q: str | None = None,
) -> KeysetPage[Shipment]:
    """The store's shipments, newest first (every booking, re-bookings included): the page
    after the cursor `after` (older ones), before `before`, or the first; by booking state,
    tracking status or carrier account code, and `q` (staff's search: a return's RMA, a whole
    tracking number, or from 3 characters text inside one). One statement per page with its
    carrier account (index (store, created_at, id); an RMA by (store, rma), a tracking number
    by (store, tracking_number) and its trigram index on PostgreSQL), however deep the cursor."""
    shipments = Shipment.objects.filter(store=store).select_related("carrier_account")
    text = (q or "").strip()[:120]
    if text:
        found = Q(rma=normalise_rma(text)) | Q(tracking_number=text)
        if len(text) >= 3:
            found |= Q(tracking_number__icontains=text)
        shipments = shipments.filter(found)
    if booking_state:
        shipments = shipments.filter(booking_state=booking_state)
    if status:
        shipments = shipments.filter(status=status)
    if carrier:
        shipments = shipments.filter(carrier_account__code=carrier)
    return keyset.newest_first(shipments, limit=limit, after=after, before=before, strict=strict)


def rma_for_tracking_number(store: Store, code: str) -> str | None:
    """The RMA of the store's newest shipment (label or pickup) with this carrier tracking
    number, whatever its letter case; None when no shipment has it."""
    return (
        Shipment.objects.for_store(store)
        .filter(tracking_number__iexact=code.strip())
        .order_by("-id")
        .values_list("rma", flat=True)
        .first()
    )


def tracking_events_for_shipments(shipment_ids: list[int]) -> list[TrackingEvent]:
    return list(
        TrackingEvent.objects.filter(shipment_id__in=shipment_ids).order_by("occurred_at", "id")
    )


def latest_label_shipment(*, store: Store, return_id: int) -> Shipment | None:
    """The shipment whose label the shopper should print: the newest booked one with a label."""
    return (
        Shipment.objects.for_store(store)
        .filter(return_id=return_id, booking_state=BookingState.BOOKED)
        .exclude(label_file="", carrier_label_url="")
        .order_by("-attempt_number")
        .first()
    )


@dataclass(frozen=True)
class ShipmentLabel:
    """Where a shipment's label is: a PDF in Retorno's storage (`path`), else only at the
    carrier (`url`)."""

    filename: str
    path: str = ""
    url: str = ""


def return_label(*, store: Store, return_id: int) -> ShipmentLabel:
    """The label the shopper prints for a return (of `latest_label_shipment`). Raises NotFound
    (code `label_not_found`) when it has none yet, or its stored file is gone and the carrier
    hosts no copy."""
    shipment = latest_label_shipment(store=store, return_id=return_id)
    if shipment is not None:
        filename = f"{shipment.rma}-label.pdf"
        if shipment.label_file and default_storage.exists(shipment.label_file):
            return ShipmentLabel(filename=filename, path=shipment.label_file)
        if shipment.carrier_label_url:
            return ShipmentLabel(filename=filename, url=shipment.carrier_label_url)
    raise NotFound("This return has no label yet.", code="label_not_found")


def latest_label_shipments(*, store: Store, return_ids: list[int]) -> dict[int, Shipment]:
    """For each of these returns that has one, the shipment whose label is to be printed (as
    `latest_label_shipment`), in one query."""
    found: dict[int, Shipment] = {}
    rows = (
        Shipment.objects.for_store(store)
        .filter(return_id__in=return_ids, booking_state=BookingState.BOOKED)
        .exclude(label_file="", carrier_label_url="")
        .select_related("carrier_account")
        .order_by("return_id", "-attempt_number")
    )
    for shipment in rows:
        found.setdefault(shipment.return_id, shipment)
    return found


def open_recovery_for_return(*, store: Store, return_id: int) -> PickupRecovery | None:
    return (
        PickupRecovery.objects.for_store(store)
        .filter(return_id=return_id, state__in=OPEN_RECOVERY_STATES)
        .select_related("carrier_account", "shipment")
        .order_by("-created_at")
        .first()
    )


def desk_list_for_store(
    *,
    store: Store,
    carrier: str = "",
    reason: str = "",
    older_than_days: int | None = None,
    include_awaiting: bool = False,
    now: datetime | None = None,
) -> QuerySet[PickupRecovery]:
    """The failed-pickup desk: open cases handed to agents, oldest first, filterable by
    carrier code, failure reason and age."""
    now = now or timezone.now()
    states = OPEN_RECOVERY_STATES if include_awaiting else (RecoveryState.AT_DESK,)
    cases = (
        PickupRecovery.objects.for_store(store)
        .filter(state__in=states)
        .select_related("carrier_account", "shipment")
        .order_by("created_at", "id")
    )
    if carrier:
        cases = cases.filter(carrier_account__code=carrier)
    if reason:
        cases = cases.filter(reason=reason)
    if older_than_days is not None:
        cases = cases.filter(created_at__lte=now - timedelta(days=older_than_days))
    return cases


def pollable_shipments(*, limit: int = 500) -> list[Shipment]:
    """Booked shipments still travelling whose carrier does not push webhooks (capability
    tracking_poll without tracking_webhook), least recently updated first."""
    accounts = [
        a.id
        for a in CarrierAccount.objects.filter(enabled=True).only("id", "capabilities")
        if "tracking_poll" in (a.capabilities or [])
        and "tracking_webhook" not in (a.capabilities or [])
    ]
    if not accounts:
        return []
    return list(
        Shipment.objects.filter(booking_state=BookingState.BOOKED, carrier_account_id__in=accounts)
        .exclude(tracking_number="")
        .exclude(status__in=("delivered_to_warehouse", "cancelled"))
        .select_related("carrier_account", "store")
        .order_by("updated_at")[:limit]
    )


def carrier_profiles_for_store(
    store: Store, *, now: datetime
) -> tuple[list[CarrierProfile], list[CarrierAccount]]:
    """The store's carriers as allocation profiles, with their measured pickup stats, and the
    accounts whose profile data is unusable (logged and left out of allocation)."""
    stats = carrier_stats_for_store(store, now=now)
    accounts = list(carrier_accounts_for_store(store))
    profiles = carrier_profiles(accounts, stats)
    usable = {profile.code for profile in profiles}
    return profiles, [account for account in accounts if account.code not in usable]


def carrier_profiles(
    accounts: Iterable[CarrierAccount], stats: Mapping[str, CarrierStats]
) -> list[CarrierProfile]:
    """The accounts as allocation profiles (with their stats); an account whose profile data is
    unusable is logged and left out."""
    profiles: list[CarrierProfile] = []
    for account in accounts:
        try:
            profiles.append(adapters.carrier_profile(account, stats.get(account.code)))
        except (CarrierError, ValueError, TypeError, ArithmeticError):
            logger.warning("carrier account %s has an unusable profile", account.webhook_code)
    return profiles


# A carrier's drop-off points move rarely: one answer per account and postal code is kept this
# long in the process, so the portal's options step does not wait for the carrier (nor read a
# cache table) on every visit; a carrier that did not answer is asked again after a minute.
DROP_OFF_POINTS_SECONDS = 3600.0
DROP_OFF_RETRY_SECONDS = 60.0
_POINTS_KEPT = 2048
_points: dict[tuple[int, str, str, str, int], tuple[float, list[DropOffPoint]]] = {}
# A store's answer per postal code, kept a minute without reading its accounts again: a carrier
# account changed shows on the options step within the minute.
DROP_OFF_STORE_SECONDS = 60.0
_near: dict[tuple[int, str, str, int], tuple[float, list[DropOffPoint]]] = {}


def drop_off_points_near(
    *, store: Store, country: str, postal_code: str, limit: int = 5
) -> list[DropOffPoint]:
    """The drop-off points nearest `postal_code` of the store's enabled carriers that take
    drop-offs and list their points, nearest first, at most `limit`. A carrier that does not
    serve the code, or does not answer, adds none (the shopper still gets the other carriers')."""
    country, postal_code = country.strip().upper(), postal_code.strip()
    if not country or not postal_code:
        return []
    now = time.monotonic()
    near_key = (store.id, country, postal_code, limit)
    near = _near.get(near_key)
    if near is not None and near[0] >= now:
        return near[1]  # asked within the minute: no statement at all
    found: list[DropOffPoint] = []
    for account in carrier_accounts_for_store(store).filter(enabled=True):
        if "drop_off" not in (account.capabilities or []):
            continue
        version = account.updated_at.isoformat() if account.updated_at else ""
        key = (account.id, version, country, postal_code, limit)
        kept = _points.get(key)
        if kept is None or kept[0] < now:
            answer = _ask(account, country, postal_code, limit)
            kept = (
                (now + DROP_OFF_RETRY_SECONDS, [])
                if answer is None
                else (now + DROP_OFF_POINTS_SECONDS, answer)
            )
            if len(_points) >= _POINTS_KEPT:
                _points.pop(next(iter(_points)))
            _points[key] = kept
        found.extend(kept[1])
    nearest = sorted(found, key=lambda point: (point.distance_m, point.carrier))[:limit]
    if len(_near) >= _POINTS_KEPT:
        _near.pop(next(iter(_near)))
    _near[near_key] = (now + DROP_OFF_STORE_SECONDS, nearest)
    return nearest


def _ask(
    account: CarrierAccount, country: str, postal_code: str, limit: int
) -> list[DropOffPoint] | None:
    """The account's carrier's points; [] when it lists none there, None when it did not answer."""
    gateway = gateway_for(account)
    if not isinstance(gateway, DropOffPointFinder):
        return []
    try:
        return gateway.drop_off_points(country, postal_code, limit)
    except CarrierUnavailable:
        logger.warning("%s: no drop-off points for %s %s", account.code, country, postal_code)
        return None
    except CarrierRejected:
        return []


def drop_off_points_forget() -> None:
    """Forget every drop-off point kept in this process (tests, and a store's carriers reset)."""
    _points.clear()
    _near.clear()
