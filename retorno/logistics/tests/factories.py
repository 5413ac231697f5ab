"""Carrier accounts for tests, a scriptable fake gateway, and approved returns to book."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from retorno.core.actors import SYSTEM
from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.outbox import outbox_deliver_one
from retorno.domain.logistics.gateway import (
    Booking,
    BookingRequest,
    CarrierRejected,
    CarrierUnavailable,
    InvalidSignature,
    RawTrackingEvent,
)
from retorno.logistics.models import CarrierAccount
from retorno.logistics.services.accounts import carrier_account_save
from retorno.orders.tests.factories import make_order
from retorno.returns.models import Return
from retorno.returns.services import ItemRequest, return_create
from retorno.returns.workflows.shipping import ALLOCATE_KIND
from retorno.stores.models import Store

RETURN_ADDRESS = {
    "name": "Shop returns",
    "line1": "Calle del Almacén 7",
    "city": "Getafe",
    "postal_code": "28906",
    "country": "ES",
}

PROFILES: dict[str, dict[str, Any]] = {
    "rapido": {
        "name": "Rápido",
        "rates": {"EUR": {"base_amount": "3.90", "per_kg_amount": "0.50"}},
        "transit_days": 2,
    },
    "norte": {
        "name": "Norte",
        "rates": {"EUR": {"base_amount": "4.90", "per_kg_amount": "0.40"}},
        "transit_days": 1,
    },
    "eco": {
        "name": "Eco",
        "rates": {"EUR": {"base_amount": "6.50", "per_kg_amount": "0.10"}},
        "transit_days": 4,
    },
}


def make_carrier(store: Store, code: str, **overrides: Any) -> CarrierAccount:
    data = {
        "kind": "simulator",
        "capabilities": ["pickup", "label", "drop_off", "tracking_webhook"],
        "service_areas": [{"country": "ES"}],
        "max_weight_grams": 30000,
        "max_dimensions_cm": [120, 80, 80],
        "config": {"base_url": "http://127.0.0.1:9", "carrier": code},
        **PROFILES.get(code, {"name": code, "rates": PROFILES["eco"]["rates"]}),
        **overrides,
    }
    account, _ = carrier_account_save(
        store=store,
        code=code,
        data=data,
        credentials={"webhook_secret": f"s3cret-{code}"},
        actor=SYSTEM,
    )
    return account


def make_carriers(store: Store) -> dict[str, CarrierAccount]:
    store.return_address = RETURN_ADDRESS
    store.save(update_fields=["return_address"])
    return {code: make_carrier(store, code) for code in PROFILES}


def approved_return(store: Store, *, method: str = "pickup", **order: Any) -> Return:
    """An auto-approved return whose carrier allocation has run."""
    created = approved_return_before_jobs(store, method=method, **order)
    run_allocations()
    return created


def approved_return_before_jobs(store: Store, *, method: str = "pickup", **order: Any) -> Return:
    """An auto-approved return, as its approval committed: the jobs it queued have not run."""
    made = make_order(store, **order)
    line = made.lines.first()
    assert line is not None
    return return_create(
        store=store,
        order_external_id=made.external_id,
        items=[ItemRequest(line=line.external_id, quantity=1, reason="too_small")],
        resolution="refund",
        method=method,
        actor=SYSTEM,
    )


def run_allocations() -> None:
    """Run the carrier allocations that approvals queued, as the outbox does once the approval
    commits (a test's transaction never commits, so its after-commit deliveries never start)."""
    for message_id in OutboxMessage.objects.filter(
        kind=ALLOCATE_KIND, status=OutboxStatus.PENDING
    ).values_list("id", flat=True):
        outbox_deliver_one(message_id)


_numbers = itertools.count(1)


class FakeGateway:
    """A carrier in memory. `script` lists what successive bookings do: "ok", "down" (a
    CarrierUnavailable) or "reject" (CarrierRejected); once empty, bookings succeed. Bookings
    are idempotent on the request's reference, like a real carrier's."""

    def __init__(self, code: str, secret: str, script: list[str] | None = None) -> None:
        self.code = code
        self.secret = secret
        self.script = list(script or [])
        self.bookings: dict[str, Booking] = {}
        self.calls: list[BookingRequest] = []
        self.cancelled: list[str] = []
        self.tracks: dict[str, list[RawTrackingEvent]] = {}

    def book(self, request: BookingRequest) -> Booking:
        self.calls.append(request)
        step = self.script.pop(0) if self.script else "ok"
        if step == "down":
            raise CarrierUnavailable(f"{self.code}: 503")
        if step == "reject":
            raise CarrierRejected(f"{self.code}: not_serviceable")
        if request.reference not in self.bookings:
            number = f"{self.code.upper()}{next(_numbers):08d}"
            self.bookings[request.reference] = Booking(
                carrier=self.code,
                booking_id=f"bk-{number}",
                tracking_number=number,
                label_pdf=b"%PDF-1.4 fake label " + number.encode(),
                tracking_url=f"https://track.example.com/{self.code}/{number}",
                drop_off_code="DO-" + number if request.method == "drop_off" else "",
            )
        return self.bookings[request.reference]

    def cancel(self, booking: Booking) -> None:
        self.cancelled.append(booking.booking_id)

    def track(self, tracking_number: str) -> list[RawTrackingEvent]:
        return list(self.tracks.get(tracking_number, []))

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[RawTrackingEvent]:
        expected = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        given = {k.lower(): v for k, v in headers.items()}.get("x-fake-signature", "")
        if not hmac.compare_digest(expected, given):
            raise InvalidSignature("bad signature")
        return [
            RawTrackingEvent(
                tracking_number=e["tracking_number"],
                raw_status=e["status"],
                occurred_at=datetime.fromisoformat(e["occurred_at"]),
                event_id=e.get("id", ""),
            )
            for e in json.loads(body)["events"]
        ]


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class FakeCarriers:
    """One FakeGateway per account code; use as the gateways_overridden factory."""

    def __init__(self) -> None:
        self.gateways: dict[str, FakeGateway] = {}

    def script(self, code: str, *steps: str) -> FakeGateway:
        gateway = self.gateways.setdefault(code, FakeGateway(code, f"s3cret-{code}"))
        gateway.script.extend(steps)
        return gateway

    def __call__(self, account: CarrierAccount) -> FakeGateway:
        return self.script(account.code)
