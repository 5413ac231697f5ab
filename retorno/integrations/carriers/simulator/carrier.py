"""A simulated carrier: its bookings, pickup slots, quotes, labels, the tracking timeline it
reveals as time passes, and the webhooks it owes, kept in a JSON state file. The HTTP service
around it is server.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from retorno.domain.days import local_day, zone
from retorno.domain.logistics.gateway import Address
from retorno.domain.logistics.status_maps import SimulatorCode as C
from retorno.integrations.carriers.simulator.config import (
    PICKUP_FAILURES,
    SimCarrierConfig,
    check_local_url,
)
from retorno.integrations.carriers.simulator.timeline import DESCRIPTIONS, location_for, plan_for
from retorno.integrations.carriers.simulator.webhooks import post_webhook
from retorno.integrations.labels import render_label_pdf

logger = logging.getLogger(__name__)

LOCAL_TZ = zone("Europe/Madrid")
MAX_BODY_BYTES = 1_000_000
WEBHOOK_BATCH_SIZE = 100
WEBHOOK_MAX_ATTEMPTS = 8
FAILURE_MODES = ("500", "502", "503", "429", "timeout", "timeout_after_booking")
# Once the parcel has moved, a cancel is too late.
_MOVED = {C.PICKED_UP, C.DROPPED_OFF, C.IN_TRANSIT, C.OUT_FOR_DELIVERY, C.DELIVERED, C.EXCEPTION}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def iso_time(timestamp: float) -> str:
    return (
        dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def _digest(*parts: object) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()


class SimCarrier:
    """One simulated carrier's state. Every method runs under `self.lock`."""

    def __init__(
        self,
        config: SimCarrierConfig,
        *,
        clock: Callable[[], float],
        state_dir: Path | None,
        stop: threading.Event,
    ) -> None:
        self.config = config
        self.clock = clock
        self.stop = stop
        self.lock = threading.RLock()
        self.delivery_lock = threading.Lock()
        self.rng = random.Random(f"{config.seed}:{config.code}:faults")
        self.state_path = state_dir / f"{config.code}.json" if state_dir else None
        self.bookings: dict[str, dict[str, Any]] = {}
        self.by_tracking: dict[str, str] = {}
        self.keys: dict[str, str] = {}
        self.outbox: list[dict[str, Any]] = []
        self.outbox_attempts = 0
        self.outbox_next_at = 0.0
        self.dead_letters = 0
        self.fail_next: deque[tuple[str, str]] = deque()
        self.forced_pickups: deque[str] = deque()
        self.deliveries: deque[dict[str, Any]] = deque(maxlen=50)
        self.labels: dict[str, bytes] = {}
        self._load()

    # -- persistence -------------------------------------------------------------------------

    def _load(self) -> None:
        if self.state_path is None or not self.state_path.exists():
            return
        state = json.loads(self.state_path.read_text(encoding="utf-8"))
        self.bookings = state.get("bookings", {})
        self.keys = state.get("keys", {})
        self.outbox = state.get("outbox", [])
        self.by_tracking = {b["tracking_number"]: i for i, b in self.bookings.items()}

    def save(self) -> None:
        if self.state_path is None:
            return
        state = {"bookings": self.bookings, "keys": self.keys, "outbox": self.outbox}
        temporary = self.state_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.state_path)

    # -- faults ------------------------------------------------------------------------------

    def take_fault(self, scope: str) -> str | None:
        """The failure to inject for this request, if any: forced ones first, then random."""
        with self.lock:
            for index, (fault_scope, mode) in enumerate(self.fail_next):
                if fault_scope in (scope, "any"):
                    del self.fail_next[index]
                    return mode
            roll = self.rng.random()
        if roll < self.config.timeout_rate:
            return "timeout"
        if roll < self.config.timeout_rate + self.config.error_rate:
            return "503"
        return None

    def hang(self, seconds: float | None = None) -> None:
        self.stop.wait(self.config.timeout_seconds if seconds is None else seconds)

    # -- quotes and slots --------------------------------------------------------------------

    def check_serviceable(self, body: dict[str, Any]) -> tuple[str, int]:
        sender = body.get("sender") or {}
        country = str(sender.get("country") or "").upper()
        postal_code = str(sender.get("postal_code") or "")
        method = str(body.get("method") or "pickup")
        weight = body.get("weight_grams")
        if not country or not postal_code:
            raise ApiError(
                400, "invalid_request", "sender.country and sender.postal_code are required."
            )
        if not isinstance(weight, int) or weight <= 0:
            raise ApiError(400, "invalid_request", "weight_grams must be a positive integer.")
        if method not in self.config.methods:
            raise ApiError(
                422, "method_not_offered", f"{self.config.name} does not offer {method}."
            )
        if not self.config.serves(country, postal_code):
            raise ApiError(
                422,
                "not_serviceable",
                f"{self.config.name} does not serve {country} {postal_code}.",
            )
        if weight > self.config.max_weight_grams:
            raise ApiError(
                422, "too_heavy", f"{weight} g is over the {self.config.max_weight_grams} g limit."
            )
        sides = sorted((int(side) for side in body.get("dimensions_cm") or ()), reverse=True)
        limits = sorted(self.config.max_dimensions_cm, reverse=True)
        if any(side > limit for side, limit in zip(sides, limits, strict=False)):
            raise ApiError(422, "too_large", f"{sides} cm is over the {limits} cm limit.")
        return method, weight

    def pickup_dates(self) -> list[dt.date]:
        today = local_day(dt.datetime.fromtimestamp(self.clock(), tz=dt.UTC), LOCAL_TZ)
        dates: list[dt.date] = []
        day = today
        while len(dates) < self.config.pickup_days_offered:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                dates.append(day)
        return dates

    def slots(self) -> list[dict[str, str]]:
        slots = []
        for day in self.pickup_dates():
            for start, end in ((9, 14), (14, 19)):
                slots.append(
                    {
                        "date": day.isoformat(),
                        "start": dt.datetime.combine(day, dt.time(start), LOCAL_TZ).isoformat(),
                        "end": dt.datetime.combine(day, dt.time(end), LOCAL_TZ).isoformat(),
                    }
                )
        return slots

    def quote(self, body: dict[str, Any]) -> dict[str, Any]:
        method, weight = self.check_serviceable(body)
        return {
            "carrier": self.config.code,
            "serviceable": True,
            "method": method,
            "price_amount": str(self.config.quote(weight, method)),
            "currency": self.config.currency,
            "transit_days": self.config.transit_days,
            "pickup_slots": self.slots() if method == "pickup" else [],
        }

    # -- bookings ----------------------------------------------------------------------------

    def book(self, key: str, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """(booking, created). The same key with the same body gives the same booking."""
        fingerprint = _digest(json.dumps(body, sort_keys=True))
        with self.lock:
            existing = self.keys.get(key)
            if existing is not None:
                booking = self.bookings[existing]
                if booking["fingerprint"] != fingerprint:
                    raise ApiError(
                        409,
                        "idempotency_key_reused",
                        "This Idempotency-Key was used with another request.",
                    )
                return booking, False
            method, weight = self.check_serviceable(body)
            window_start = window_end = None
            if method == "pickup":
                offered = self.pickup_dates()
                wanted = body.get("pickup_date")
                if wanted:
                    try:
                        day = dt.date.fromisoformat(str(wanted))
                    except ValueError:
                        raise ApiError(
                            400, "invalid_request", "pickup_date must be YYYY-MM-DD."
                        ) from None
                    if day not in offered:
                        raise ApiError(
                            422,
                            "invalid_pickup_date",
                            f"No pickup on {day}; offered: {[d.isoformat() for d in offered]}.",
                        )
                else:
                    day = offered[0]
                window_start = dt.datetime.combine(day, dt.time(9), LOCAL_TZ).isoformat()
                window_end = dt.datetime.combine(day, dt.time(14), LOCAL_TZ).isoformat()
            seed = _digest(self.config.seed, self.config.code, key)
            number = int(seed[:12], 16) % 10**10
            tracking = f"{self.config.tracking_prefix}{number:010d}"
            while tracking in self.by_tracking:
                number = (number + 1) % 10**10
                tracking = f"{self.config.tracking_prefix}{number:010d}"
            booking_id = f"bk_{self.config.code}_{seed[12:28]}"
            forced = (
                self.forced_pickups.popleft()
                if method == "pickup" and self.forced_pickups
                else None
            )
            plan = plan_for(
                seed=self.config.seed,
                carrier_code=self.config.code,
                tracking_number=tracking,
                method=method,
                pickup_success_rate=self.config.pickup_success_rate,
                exception_rate=self.config.exception_rate,
                transit_days=self.config.transit_days,
                failure_weights=self.config.failure_weights,
                forced_pickup=forced,
            )
            alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
            drop_off_code = ""
            if method == "drop_off":
                raw = int(seed[28:44], 16)
                chars = []
                for _ in range(8):
                    raw, index = divmod(raw, len(alphabet))
                    chars.append(alphabet[index])
                drop_off_code = f"{''.join(chars[:4])}-{''.join(chars[4:])}"
            booking = {
                "booking_id": booking_id,
                "tracking_number": tracking,
                "carrier": self.config.code,
                "reference": key,
                "fingerprint": fingerprint,
                "method": method,
                "rma": str(body.get("rma") or ""),
                "sender": body.get("sender") or {},
                "recipient": body.get("recipient") or {},
                "weight_grams": weight,
                "price_amount": str(self.config.quote(weight, method)),
                "currency": self.config.currency,
                "drop_off_code": drop_off_code,
                "pickup_window_start": window_start,
                "pickup_window_end": window_end,
                "created_at": self.clock(),
                "status": "booked",
                "plan": plan,
                "events": [],
                "advanced": 0,
            }
            self.bookings[booking_id] = booking
            self.by_tracking[tracking] = booking_id
            self.keys[key] = booking_id
            self.materialise(booking)
            self.save()
            return booking, True

    def get(self, booking_id: str) -> dict[str, Any]:
        booking = self.bookings.get(booking_id)
        if booking is None:
            raise ApiError(404, "not_found", f"No booking {booking_id}.")
        return booking

    def get_by_tracking(self, tracking_number: str) -> dict[str, Any]:
        booking_id = self.by_tracking.get(tracking_number)
        if booking_id is None:
            raise ApiError(404, "not_found", f"No shipment {tracking_number}.")
        return self.bookings[booking_id]

    def cancel(self, booking_id: str) -> dict[str, Any]:
        with self.lock:
            booking = self.get(booking_id)
            self.materialise(booking)
            if booking["status"] == "cancelled":
                return booking
            if any(event["code"] in _MOVED for event in booking["events"]):
                raise ApiError(409, "not_cancellable", "The parcel has already left the shopper.")
            booking["status"] = "cancelled"
            booking["plan"] = [event["code"] for event in booking["events"]] + [C.CANCELLED]
            self._reveal(booking, len(booking["plan"]) - 1, self.clock())
            self.save()
            return booking

    # -- tracking ----------------------------------------------------------------------------

    def _reveal(self, booking: dict[str, Any], step: int, now: float) -> None:
        code = booking["plan"][step]
        nominal = booking["created_at"] + step * self.config.step_seconds
        previous = (
            booking["events"][-1]["_at"] if booking["events"] else booking["created_at"] - 0.001
        )
        occurred = max(previous + 0.001, min(nominal, now))
        event = {
            "event_id": f"{booking['tracking_number']}-{step:02d}",
            "carrier": self.config.code,
            "tracking_number": booking["tracking_number"],
            "booking_id": booking["booking_id"],
            "reference": booking["reference"],
            "code": code,
            "occurred_at": iso_time(occurred),
            "location": location_for(
                code,
                step,
                tracking_number=booking["tracking_number"],
                sender_city=str(booking["sender"].get("city") or ""),
                recipient_city=str(booking["recipient"].get("city") or ""),
            ),
            "description": DESCRIPTIONS.get(code, code),
            "_at": occurred,
        }
        booking["events"].append(event)
        if self.config.webhook_url:
            self.outbox.append({k: v for k, v in event.items() if k != "_at"})

    def materialise(self, booking: dict[str, Any], *, extra_steps: int = 0) -> int:
        """Reveal the steps whose time has come (plus `extra_steps` now); how many were new."""
        with self.lock:
            booking["advanced"] += extra_steps
            now = self.clock()
            elapsed = int(max(0.0, now - booking["created_at"]) // self.config.step_seconds)
            if booking["status"] == "cancelled":
                due = len(booking["plan"])
            else:
                due = min(len(booking["plan"]), elapsed + 1 + booking["advanced"])
            before = len(booking["events"])
            for step in range(before, due):
                self._reveal(booking, step, now)
            return due - before

    def materialise_all(self) -> None:
        with self.lock:
            changed = 0
            for booking in self.bookings.values():
                if len(booking["events"]) < len(booking["plan"]):
                    changed += self.materialise(booking)
            if changed:
                self.save()

    def tracking(self, tracking_number: str) -> dict[str, Any]:
        with self.lock:
            booking = self.get_by_tracking(tracking_number)
            if self.materialise(booking):
                self.save()
            events = [{k: v for k, v in e.items() if k != "_at"} for e in booking["events"]]
            return {
                "carrier": self.config.code,
                "tracking_number": tracking_number,
                "booking_id": booking["booking_id"],
                "status": events[-1]["code"] if events else None,
                "events": events,
            }

    # -- webhooks ----------------------------------------------------------------------------

    def deliver(self, *, force: bool = False) -> dict[str, int]:
        """Push pending events in batches of up to 100; stop at the first failed batch and retry
        it later with exponential backoff (dropped after WEBHOOK_MAX_ATTEMPTS)."""
        delivered = 0
        with self.delivery_lock:
            while True:
                with self.lock:
                    # "{carrier}" in the URL lets one setting serve several simulated carriers.
                    url = self.config.webhook_url.replace("{carrier}", self.config.code)
                    secret = self.config.webhook_secret
                    if not url or not self.outbox:
                        break
                    if not force and self.clock() < self.outbox_next_at:
                        break
                    batch = list(self.outbox[:WEBHOOK_BATCH_SIZE])
                body = json.dumps(batch, separators=(",", ":")).encode()
                status = post_webhook(url, secret, body, now=int(time.time()))
                with self.lock:
                    self.deliveries.append(
                        {
                            "at": iso_time(self.clock()),
                            "url": url,
                            "status": status,
                            "events": len(batch),
                        }
                    )
                    if 200 <= status < 300:
                        del self.outbox[: len(batch)]
                        self.outbox_attempts = 0
                        self.outbox_next_at = 0.0
                        delivered += len(batch)
                        self.save()
                        continue
                    self.outbox_attempts += 1
                    if self.outbox_attempts >= WEBHOOK_MAX_ATTEMPTS:
                        logger.warning(
                            "%s: dropping %s events after %s attempts",
                            self.config.code,
                            len(batch),
                            self.outbox_attempts,
                        )
                        del self.outbox[: len(batch)]
                        self.dead_letters += len(batch)
                        self.outbox_attempts = 0
                        self.save()
                        continue
                    self.outbox_next_at = self.clock() + min(2**self.outbox_attempts, 300)
                    break
            with self.lock:
                return {
                    "delivered": delivered,
                    "pending": len(self.outbox),
                    "dead": self.dead_letters,
                }

    # -- control -----------------------------------------------------------------------------

    def control(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"ok": True}
        with self.lock:
            if body.get("reset"):
                self.bookings.clear()
                self.by_tracking.clear()
                self.keys.clear()
                self.outbox.clear()
                self.fail_next.clear()
                self.forced_pickups.clear()
                self.labels.clear()
                self.outbox_attempts = 0
                self.outbox_next_at = 0.0
                self.save()
            if "set" in body:
                settings = dict(body["set"])
                allowed = {
                    "error_rate",
                    "timeout_rate",
                    "timeout_seconds",
                    "step_seconds",
                    "pickup_success_rate",
                    "exception_rate",
                    "webhook_url",
                    "webhook_secret",
                }
                unknown = set(settings) - allowed
                if unknown:
                    raise ApiError(400, "invalid_request", f"Cannot set {sorted(unknown)}.")
                if "webhook_url" in settings:
                    try:
                        check_local_url(str(settings["webhook_url"]))
                    except ValueError as error:
                        raise ApiError(400, "invalid_request", str(error)) from None
                self.config = replace(self.config, **settings)
            times = int(body.get("times", 1))
            for scope in ("booking", "tracking", "cancel", "request"):
                mode = body.get(f"fail_next_{scope}")
                if mode is None:
                    continue
                if str(mode) not in FAILURE_MODES:
                    raise ApiError(
                        400, "invalid_request", f"Failure mode must be one of {FAILURE_MODES}."
                    )
                for _ in range(times):
                    self.fail_next.append(("any" if scope == "request" else scope, str(mode)))
            if "next_pickup" in body:
                wanted = body["next_pickup"]
                for code in wanted if isinstance(wanted, list) else [wanted]:
                    if code not in {*PICKUP_FAILURES, C.PICKED_UP, C.PICKUP_FAILED_NOT_SERVICEABLE}:
                        raise ApiError(400, "invalid_request", f"next_pickup cannot be {code!r}.")
                    self.forced_pickups.append(str(code))
            if "advance" in body:
                booking = self.get_by_tracking(str(body["advance"]))
                revealed = self.materialise(booking, extra_steps=int(body.get("steps", 1)))
                self.save()
                result["revealed"] = revealed
                result["status"] = booking["events"][-1]["code"] if booking["events"] else None
        if body.get("flush_webhooks"):
            self.materialise_all()
            result["webhooks"] = self.deliver(force=True)
        return result

    def summary(self) -> dict[str, Any]:
        with self.lock:
            return {
                "carrier": self.config.public(),
                "bookings": len(self.bookings),
                "pending_webhook_events": len(self.outbox),
                "dead_webhook_events": self.dead_letters,
                "fail_next": [list(item) for item in self.fail_next],
                "forced_pickups": list(self.forced_pickups),
                "deliveries": list(self.deliveries),
            }

    def label(self, booking_id: str, base_url: str) -> bytes:
        with self.lock:
            booking = self.get(booking_id)
            pdf = self.labels.get(booking_id)
            if pdf is None:
                pdf = render_label_pdf(
                    rma=booking["rma"] or booking["reference"],
                    tracking_number=booking["tracking_number"],
                    carrier_name=self.config.name,
                    sender=_address(booking["sender"]),
                    recipient=_address(booking["recipient"]),
                    drop_off_code=booking["drop_off_code"] or None,
                    qr_payload=f"{base_url}/carriers/{self.config.code}/tracking/{booking['tracking_number']}",
                )
                self.labels[booking_id] = pdf
            return pdf


def _address(data: dict[str, Any]) -> Address:
    return Address(
        name=str(data.get("name") or ""),
        line1=str(data.get("line1") or ""),
        line2=str(data.get("line2") or ""),
        city=str(data.get("city") or ""),
        postal_code=str(data.get("postal_code") or ""),
        region=str(data.get("region") or ""),
        country=str(data.get("country") or ""),
        phone=str(data.get("phone") or ""),
    )
