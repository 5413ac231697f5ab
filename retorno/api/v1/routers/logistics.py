"""Logistics API: inbound carrier webhooks, carrier accounts, allocation rules, the store's
shipments, a return's shipments (the unified tracking timeline) and its label."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from retorno.api.v1.auth import actor_of, require_scope
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS
from retorno.api.v1.schemas import Problem
from retorno.core.downloads import stored_or_redirect
from retorno.core.errors import NotFound
from retorno.core.problems import problem_response
from retorno.domain.logistics.gateway import CarrierRejected, InvalidSignature
from retorno.logistics import selectors
from retorno.logistics.models import CarrierAccount, Shipment
from retorno.logistics.services import accounts as carrier_accounts
from retorno.returns import selectors as return_selectors
from retorno.returns.workflows import shipping

router = Router(tags=["logistics"])


# --- schemas ----------------------------------------------------------------------------------


class WebhookOut(Schema):
    received: int
    stored: int
    unknown_codes: list[str]
    status_changes: int


class CarrierAccountIn(Schema):
    name: str | None = Field(None, max_length=120)
    kind: str | None = Field(None, max_length=16, description="simulator, easypost or shippo")
    enabled: bool | None = None
    config: dict[str, Any] | None = Field(None, description="Non-secret settings (base_url...).")
    credentials: dict[str, Any] | None = Field(
        None, description="API key, webhook secret...: stored encrypted, never returned."
    )
    capabilities: list[str] | None = Field(None, max_length=10)
    service_areas: list[dict[str, Any]] | None = Field(None, max_length=300)
    max_weight_grams: int | None = Field(None, ge=1, le=10_000_000)
    max_dimensions_cm: list[int] | None = Field(None, min_length=3, max_length=3)
    max_length_plus_girth_cm: int | None = Field(None, ge=1, le=100_000)
    rates: dict[str, dict[str, str]] | None = None
    transit_days: int | None = Field(None, ge=0, le=60)
    daily_pickup_capacity: int | None = Field(None, ge=0, le=10_000_000)


class CarrierStatsOut(Schema):
    first_attempts: int
    first_attempt_success_rate: Decimal | None
    recovery_rate: Decimal | None
    pickup_success_score: float


class CarrierAccountOut(Schema):
    code: str
    name: str
    kind: str
    enabled: bool
    webhook_url: str
    config: dict[str, Any]
    has_credentials: bool
    capabilities: list[str]
    service_areas: list[dict[str, Any]]
    max_weight_grams: int
    max_dimensions_cm: list[int]
    max_length_plus_girth_cm: int | None
    rates: dict[str, Any]
    transit_days: int
    daily_pickup_capacity: int | None
    stats: CarrierStatsOut | None = None


class CarrierListOut(Schema):
    results: list[CarrierAccountOut]


class RulesIn(Schema):
    document: dict[str, Any]
    note: str = Field("", max_length=500)


class RulesOut(Schema):
    version: int
    document: dict[str, Any]
    note: str
    created_by: str
    created_at: datetime | None


class TrackingEventOut(Schema):
    status: str
    raw_status: str
    occurred_at: datetime
    location: str
    description: str
    failure_reason: str


class ShipmentOut(Schema):
    reference: str
    attempt_number: int
    method: str
    carrier: str | None
    carrier_name: str | None
    booking_state: str
    status: str
    tracking_number: str
    drop_off_code: str
    pickup_date: date | None
    pickup_window_start: datetime | None
    pickup_window_end: datetime | None
    price_amount: Decimal | None
    currency: str
    has_label: bool
    allocation: dict[str, Any]
    booking_log: list[dict[str, Any]]
    events: list[TrackingEventOut]
    created_at: datetime


class ShipmentListItemOut(Schema):
    reference: str
    rma: str
    attempt_number: int
    method: str
    carrier: str | None
    booking_state: str
    status: str
    status_at: datetime | None
    tracking_number: str
    pickup_date: date | None
    has_label: bool
    booked_at: datetime | None
    created_at: datetime


class ShipmentListOut(Schema):
    results: list[ShipmentListItemOut]
    next_cursor: str | None


class ShipmentFilters(Schema):
    booking_state: str | None = Field(None, max_length=12)
    status: str | None = Field(None, max_length=24)
    carrier: str | None = Field(None, max_length=40)
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class ShipmentsOut(Schema):
    rma: str
    status: str
    timeline: list[TrackingEventOut]
    shipments: list[ShipmentOut]


# --- webhooks ------------------------------------------------------------------------------


@router.post(
    "/carriers/{webhook_code}/webhooks",
    auth=None,
    response={
        200: WebhookOut,
        400: Problem,
        401: Problem,
        404: Problem,
        413: Problem,
        422: Problem,
    },
    summary="Inbound carrier tracking webhook",
)
def carrier_webhook(request: HttpRequest, webhook_code: str):
    """No API key: the carrier's signature is verified by its adapter; a forged or missing
    signature is 401 `invalid_signature` and nothing is stored. Batches are stored once per
    event (a repeated event is ignored), out-of-order events are placed by their time."""
    if len(webhook_code) > 100:
        raise NotFound("No such carrier webhook.", code="carrier_not_found")
    try:
        result = shipping.tracking_webhook_receive(
            webhook_code=webhook_code,
            headers=dict(request.headers.items()),
            body=request.body,
            query=request.META.get("QUERY_STRING", ""),
        )
    except InvalidSignature:
        return problem_response(
            401, "invalid_signature", "The webhook signature does not verify; nothing was stored."
        )
    except (ValueError, CarrierRejected) as error:
        return problem_response(422, "invalid_webhook", f"The webhook body is not valid: {error}")
    return {
        "received": result.received,
        "stored": result.stored,
        "unknown_codes": result.unknown_codes,
        "status_changes": len(result.changes),
    }


# --- carrier accounts --------------------------------------------------------------------------


def _account_body(account: CarrierAccount, request: HttpRequest, stats: Any = None) -> dict:
    return {
        "code": account.code,
        "name": account.name,
        "kind": account.kind,
        "enabled": account.enabled,
        "webhook_url": request.build_absolute_uri(
            f"/api/v1/carriers/{account.webhook_code}/webhooks"
        ),
        "config": account.config or {},
        "has_credentials": bool(account.credentials_encrypted),
        "capabilities": account.capabilities or [],
        "service_areas": account.service_areas or [],
        "max_weight_grams": account.max_weight_grams,
        "max_dimensions_cm": account.max_dimensions_cm or [],
        "max_length_plus_girth_cm": account.max_length_plus_girth_cm,
        "rates": account.rates or {},
        "transit_days": account.transit_days,
        "daily_pickup_capacity": account.daily_pickup_capacity,
        "stats": None
        if stats is None
        else {
            "first_attempts": stats.first_attempts,
            "first_attempt_success_rate": stats.first_attempt_success_rate,
            "recovery_rate": stats.recovery_rate,
            "pickup_success_score": stats.pickup_success_score,
        },
    }


@router.get("/carriers", response={200: CarrierListOut, **ERRORS}, summary="Carrier accounts")
def carrier_list(request: HttpRequest):
    """The store's carrier accounts with their measured pickup performance."""
    api_key = require_scope(request, "read")
    stats = selectors.carrier_stats_for_store(api_key.store)
    return {
        "results": [
            _account_body(a, request, stats.get(a.code))
            for a in selectors.carrier_accounts_for_store(api_key.store)
        ]
    }


@router.get("/carriers/{code}", response={200: CarrierAccountOut, **ERRORS}, summary="A carrier")
def carrier_get(request: HttpRequest, code: str):
    api_key = require_scope(request, "read")
    account = selectors.carrier_account_get_for_store(store=api_key.store, code=code)
    stats = selectors.carrier_stats_for_store(api_key.store).get(account.code)
    return _account_body(account, request, stats)


@router.put(
    "/carriers/{code}",
    response={200: CarrierAccountOut, 201: CarrierAccountOut, **WRITE_ERRORS},
    summary="Create or update a carrier account",
)
def carrier_put(request: HttpRequest, code: str, payload: CarrierAccountIn):
    """Admin scope. Fields left out keep their value; `credentials` replace the stored ones
    (encrypted at rest) and are never returned. An unusable profile is 422 `invalid_carrier`."""
    api_key = require_scope(request, "admin")
    if not code or len(code) > 64 or not code.replace("-", "").replace("_", "").isalnum():
        return problem_response(
            422, "invalid_carrier", "Carrier codes are letters, digits, - and _."
        )
    data = payload.model_dump(exclude={"credentials"}, exclude_none=True)
    account, created = carrier_accounts.carrier_account_save(
        store=api_key.store,
        code=code,
        data=data,
        credentials=payload.credentials,
        actor=actor_of(api_key),
    )
    return Status(201 if created else 200, _account_body(account, request))


# --- allocation rules ---------------------------------------------------------------------------


@router.get("/allocation-rules", response={200: RulesOut, **ERRORS}, summary="Allocation rules")
def rules_get(request: HttpRequest):
    """The rules in force (version 0, no rules, when the store never published any: every parcel
    goes to the cheapest carrier that can take it)."""
    api_key = require_scope(request, "read")
    current = selectors.allocation_rules_current(api_key.store)
    if current is None:
        return {
            "version": 0,
            "document": {"schema": 1, "rules": []},
            "note": "",
            "created_by": "",
            "created_at": None,
        }
    return current


@router.put(
    "/allocation-rules",
    response={201: RulesOut, **WRITE_ERRORS},
    summary="Publish new allocation rules",
)
def rules_put(request: HttpRequest, payload: RulesIn):
    """Admin scope. Validated against the schema and the store's carriers (422
    `invalid_allocation_rules` naming every bad field); stored as the next version."""
    api_key = require_scope(request, "admin")
    published = carrier_accounts.allocation_rules_publish(
        store=api_key.store, document=payload.document, actor=actor_of(api_key), note=payload.note
    )
    return Status(201, published)


# --- a return's shipments and label ----------------------------------------------------------


def tracking_event_body(event: Any) -> dict:
    return {
        "status": event.status,
        "raw_status": event.raw_status,
        "occurred_at": event.occurred_at,
        "location": event.location,
        "description": event.description,
        "failure_reason": event.failure_reason,
    }


def shipment_body(shipment: Shipment, events: list[Any]) -> dict:
    account = shipment.carrier_account
    return {
        "reference": shipment.reference,
        "attempt_number": shipment.attempt_number,
        "method": shipment.method,
        "carrier": account.code if account else None,
        "carrier_name": account.name if account else None,
        "booking_state": shipment.booking_state,
        "status": shipment.status,
        "tracking_number": shipment.tracking_number,
        "drop_off_code": shipment.drop_off_code,
        "pickup_date": shipment.pickup_date,
        "pickup_window_start": shipment.pickup_window_start,
        "pickup_window_end": shipment.pickup_window_end,
        "price_amount": shipment.price_amount,
        "currency": shipment.currency,
        "has_label": bool(shipment.label_file or shipment.carrier_label_url),
        "allocation": shipment.allocation,
        "booking_log": shipment.booking_log,
        "events": [tracking_event_body(e) for e in events],
        "created_at": shipment.created_at,
    }


@router.get("/shipments", response={200: ShipmentListOut, **ERRORS}, summary="List shipments")
def shipment_list(request: HttpRequest, filters: Query[ShipmentFilters]):
    """Every booking of every return, newest first; filter by booking state, tracking status
    or carrier code; follow `next_cursor` for older ones (a booking made meanwhile is newer than
    every cursor: never skipped or repeated). A return's scans: `/returns/{rma}/shipments`."""
    api_key = require_scope(request, "read")
    page = selectors.shipment_list_for_store(
        store=api_key.store,
        booking_state=filters.booking_state,
        status=filters.status,
        carrier=filters.carrier,
        limit=filters.limit,
        after=filters.cursor,
    )
    return {
        "results": [
            {
                "reference": s.reference,
                "rma": s.rma,
                "attempt_number": s.attempt_number,
                "method": s.method,
                "carrier": s.carrier_account.code if s.carrier_account else None,
                "booking_state": s.booking_state,
                "status": s.status,
                "status_at": s.status_at,
                "tracking_number": s.tracking_number,
                "pickup_date": s.pickup_date,
                "has_label": bool(s.label_file or s.carrier_label_url),
                "booked_at": s.booked_at,
                "created_at": s.created_at,
            }
            for s in page.results
        ],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/returns/{rma}/shipments",
    response={200: ShipmentsOut, **ERRORS},
    summary="A return's shipments and unified tracking timeline",
)
def return_shipments(request: HttpRequest, rma: str):
    """Every booking of the return (re-bookings included) with its explained allocation and its
    scans, and one timeline of normalised statuses whatever the carrier, oldest first."""
    api_key = require_scope(request, "read")
    return_request = return_selectors.return_get_for_store(store=api_key.store, rma=rma)
    shipments = selectors.shipments_for_return(store=api_key.store, return_id=return_request.id)
    events = selectors.tracking_events_for_shipments([s.id for s in shipments])
    by_shipment: dict[int | None, list[Any]] = {}
    for event in events:
        by_shipment.setdefault(event.shipment_id, []).append(event)
    return {
        "rma": return_request.rma,
        "status": return_request.status,
        "timeline": [tracking_event_body(e) for e in events],
        "shipments": [shipment_body(s, by_shipment.get(s.id, [])) for s in shipments],
    }


@router.get(
    "/returns/{rma}/label",
    response={200: None, **ERRORS},
    summary="The return's printable label (PDF)",
    openapi_extra={
        "responses": {"200": {"description": "A 4×6 inch PDF", "content": {"application/pdf": {}}}}
    },
)
def return_label(request: HttpRequest, rma: str) -> HttpResponse:
    """The label of the newest booked shipment: 404 `label_not_found` when there is none yet.
    A label only the carrier hosts is a redirect to it."""
    api_key = require_scope(request, "read")
    return_request = return_selectors.return_get_for_store(store=api_key.store, rma=rma)
    label = selectors.return_label(store=api_key.store, return_id=return_request.id)
    return stored_or_redirect(
        path=label.path, url=label.url, filename=label.filename, content_type="application/pdf"
    )
