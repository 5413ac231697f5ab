"""Carrier tracking events taken in (webhooks, polls), stored once, and applied to their
shipments: the status they reach and what that means for the return."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connections, router
from django.utils import timezone

from retorno.core.errors import Unprocessable
from retorno.domain.logistics import (
    ReturnAction,
    TrackingEvent,
    TrackingStatus,
    current_event,
    make_event,
    return_progress,
)
from retorno.domain.logistics.gateway import (
    CarrierRejected,
    RawTrackingEvent,
)
from retorno.domain.times import TimeOutOfRange, check_fact_time
from retorno.logistics import adapters
from retorno.logistics.models import (
    CarrierAccount,
    Shipment,
)
from retorno.logistics.models import TrackingEvent as TrackingEventRow
from retorno.logistics.services import pickups

logger = logging.getLogger(__name__)

MAX_EVENTS_PER_BATCH = 1000


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
        pickups.pickup_attempt_record(
            shipment,
            account,
            action=change.action,
            failure_reason=change.failure_reason,
            occurred_at=change.occurred_at,
        )
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


def events_recompute(
    shipments: list[Shipment], account: CarrierAccount, *, orphan_rows: bool, now: datetime
) -> list[ShipmentChange]:
    """Re-read every stored event of `shipments` (after attaching orphan scans)."""
    batches = []
    for shipment in shipments:
        rows = TrackingEventRow.objects.filter(shipment=shipment)
        batches.append((shipment, [adapters.tracking_event(r, account.kind) for r in rows]))
    return _apply_events(batches, account, now)
