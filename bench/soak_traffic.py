"""The soak's traffic: open-loop arrivals at fixed rates, and each return's life after it.

Requests are started on a schedule (Poisson arrivals at each kind's rate), not by clients
that wait for the previous answer, so a slow server does not slow the load down: latency is
measured from the moment a request was due, queueing in the client included.

Kinds:
- create: an order sent (`POST /api/v1/orders`) and a return opened on it (`POST
  /api/v1/returns` with an Idempotency-Key). A failed attempt is tried again 3 s later with
  the same order and key, as a shop's integration would, until it answers (for 3 minutes at most);
- tracking: each return's carrier scans (dropped off, in transit, out for delivery, delivered)
  as signed carrier webhooks, a few seconds apart; 15% of them sent twice, as carriers do;
- warehouse: once delivered, the units received (`/receive`, Idempotency-Key) and inspected
  (`/inspect`): the inspection issues the refund through the outbox;
- staff: the queue (plain, filtered by state, searched by RMA), the dashboard, a return's page;
- portal: the store's home page and the tracking page of a return made in the run;
- api_read: a return, its shipments, the returns, refunds and customers lists.

Every step of a return's life is retried until it answers (a fault in the middle may fail it);
the books afterwards say whether anything was lost or doubled on the way.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import httpx

from retorno.integrations.carriers.simulator.signing import SIGNATURE_HEADER, signature_header

KINDS = ("create", "tracking", "warehouse", "staff", "portal", "api_read")
SCANS = ("DROPPED_OFF", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED")
SCAN_GAP_SECONDS = 4.0
RETRY_SECONDS = 3.0
MAX_TRIES = 60  # 3 minutes: longer than a fault, shorter than the drain wait
RESENT_SHARE = 0.15

# Requests per second at 1x: a busy store's peak hour (docs/benchmarks.md, "Soak"): 1,000
# returns an hour opened (0.28/s); 15 agents each opening a staff page every 15 s; shoppers
# reading their tracking pages and the store's page about six times per return; the shop's
# integration reading the API about once a second. Scans and warehouse steps follow the
# returns (four scans and two warehouse calls each).
PEAK_RATES = {"create": 0.28, "staff": 1.0, "portal": 1.7, "api_read": 0.35}


@dataclass
class Shared:
    """What the clients saw: timings and failures per kind, and when faults happened (failures
    that overlap a fault's window are counted apart)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    excused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    windows: list[tuple[float, float]] = field(default_factory=list)
    created: dict[str, str] = field(default_factory=dict)  # rma -> order external id
    tracking_pages: list[str] = field(default_factory=list)
    scans_sent: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    inspected: set[str] = field(default_factory=set)
    gave_up: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    late_starts: int = 0

    def record(self, kind: str, due: float, started: float, status: int) -> bool:
        """Time one request from when it was due; True when it answered (2xx/3xx)."""
        ended = time.monotonic()
        ok = 200 <= status < 400
        with self.lock:
            self.timings[kind].append((ended - due) * 1000)
            if started - due > 1.0:
                self.late_starts += 1
            if ok:
                return True
            if any(a <= ended and started <= b for a, b in self.windows):
                self.excused[kind] += 1
            else:
                self.errors[kind] += 1
                self.statuses[kind][status] += 1
        return False

    def fault(self, began: float, ended: float, replace: int | None = None) -> int:
        """Count failures overlapping [began, ended] apart; returns the window's number."""
        with self.lock:
            if replace is not None:
                self.windows[replace] = (began, ended)
                return replace
            self.windows.append((began, ended))
            return len(self.windows) - 1


class Traffic:
    """Runs the load until `stop_at`: pacers start requests on a thread pool, a timeline runs
    each return's later steps when they are due."""

    def __init__(
        self,
        *,
        base: str,
        api_key: str,
        staff: httpx.Client,
        slug: str,
        carrier_secret: str,
        webhook_codes: dict[str, str],
        scale: float,
        shared: Shared,
        seed: int = 7,
        pool_size: int = 48,
    ) -> None:
        self.base, self.slug, self.shared = base, slug, shared
        self.rates = {kind: rate * scale for kind, rate in PEAK_RATES.items()}
        self.carrier_secret, self.webhook_codes = carrier_secret, webhook_codes
        self.rng = random.Random(seed)
        self.rng_lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="soak")
        self.local = threading.local()
        # One client per kind of caller, shared by the threads (httpx's pool is thread-safe):
        # one shop integration, one signed-in agent's browser session, anonymous visitors.
        limits = httpx.Limits(max_connections=pool_size)
        self.api_client = httpx.Client(
            base_url=base,
            timeout=30,
            limits=limits,
            headers={"Authorization": f"Bearer {api_key}", "Accept-Language": "en"},
        )
        self.web_client = httpx.Client(base_url=base, timeout=30, limits=limits)
        self.staff_client = staff
        self.timeline: list[tuple[float, int, Callable[[], None]]] = []
        self.timeline_lock = threading.Condition()
        self.counter = itertools.count()
        self.stopping = threading.Event()
        self.open_steps = 0

    # --- plumbing --------------------------------------------------------------------------

    def api(self) -> httpx.Client:
        return self.api_client

    def web(self) -> httpx.Client:
        return self.web_client

    def staff(self) -> httpx.Client:
        return self.staff_client

    def random(self) -> float:
        with self.rng_lock:
            return self.rng.random()

    def choice(self, items: list[Any]) -> Any:
        with self.rng_lock:
            return self.rng.choice(items)

    def call(
        self, kind: str, due: float, send: Callable[[], httpx.Response]
    ) -> httpx.Response | None:
        started = time.monotonic()
        try:
            response = send()
        except httpx.HTTPError:
            self.shared.record(kind, due, started, 0)
            return None
        ok = self.shared.record(kind, due, started, response.status_code)
        return response if ok else None

    def later(self, delay: float, step: Callable[[], None]) -> None:
        with self.timeline_lock:
            heapq.heappush(self.timeline, (time.monotonic() + delay, next(self.counter), step))
            self.open_steps += 1
            self.timeline_lock.notify()

    def step_done(self) -> None:
        with self.timeline_lock:
            self.open_steps -= 1

    def retry(self, kind: str, tries: int, step: Callable[[int], None]) -> None:
        """Try a failed step again later, the way a client would, or give up on it."""
        if tries >= MAX_TRIES:
            with self.shared.lock:
                self.shared.gave_up[kind] += 1
            return
        self.later(RETRY_SECONDS, lambda: step(tries + 1))

    # --- running ---------------------------------------------------------------------------

    def run(self, stop_at: float, finish_by: float) -> None:
        """New arrivals until `stop_at`; the steps of returns already made until `finish_by`
        (or until none is left)."""
        pacers = [
            threading.Thread(target=self.pace, args=(kind, rate, stop_at), daemon=True)
            for kind, rate in self.rates.items()
        ]
        clock = threading.Thread(target=self.tick, args=(finish_by,), daemon=True)
        for thread in [*pacers, clock]:
            thread.start()
        for thread in pacers:
            thread.join()
        self.stopping.set()
        clock.join()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def pace(self, kind: str, rate: float, stop_at: float) -> None:
        rng = random.Random(f"{kind}:{rate}")
        start = {
            "create": self.create,
            "staff": self.staff_page,
            "portal": self.portal_page,
            "api_read": self.api_read,
        }[kind]
        due = time.monotonic()
        n = 0
        while True:
            due += rng.expovariate(rate)
            if due >= stop_at:
                return
            time.sleep(max(0.0, due - time.monotonic()))
            n += 1
            self.submit(start, due, n)

    def tick(self, finish_by: float) -> None:
        while time.monotonic() < finish_by:
            with self.timeline_lock:
                if not self.timeline:
                    if self.stopping.is_set() and self.open_steps <= 0:
                        return
                    self.timeline_lock.wait(0.5)
                    continue
                at, _, step = self.timeline[0]
                wait = at - time.monotonic()
                if wait > 0:
                    self.timeline_lock.wait(min(wait, 0.5))
                    continue
                heapq.heappop(self.timeline)
            self.pool.submit(self.due_step, at, step)

    def submit(self, work: Callable[..., None], *args: Any) -> None:
        with self.timeline_lock:
            self.open_steps += 1
        self.pool.submit(self.due_step, args[0], lambda: work(*args))

    def due_step(self, at: float, step: Callable[[], None]) -> None:
        try:
            self.local.due = at
            step()
        except Exception as exc:  # a bug in the load itself: shown, never silent
            print(f"soak client error: {exc!r}", flush=True)
        finally:
            self.step_done()

    # --- kinds -----------------------------------------------------------------------------

    def create(self, due: float, n: int) -> None:
        payload = order_payload(n)
        self.create_attempt(payload["external_id"], payload, 1)

    def create_attempt(self, ext: str, payload: dict[str, Any], tries: int) -> None:
        due = getattr(self.local, "due", time.monotonic())
        api = self.api()
        if self.call("create", due, lambda: api.post("/api/v1/orders", json=payload)) is None:
            self.retry("create", tries, lambda t: self.create_attempt(ext, payload, t))
            return
        body = {
            "order": ext,
            "items": [{"line": f"{ext}-1", "quantity": 1, "reason": "too_small"}],
            "resolution": "refund",
            "method": "drop_off",
        }
        created = self.call(
            "create",
            time.monotonic(),
            lambda: api.post(
                "/api/v1/returns", json=body, headers={"Idempotency-Key": f"soak-{ext}"}
            ),
        )
        if created is None:
            self.retry("create", tries, lambda t: self.create_attempt(ext, payload, t))
            return
        answer = created.json()
        rma = answer["rma"]
        with self.shared.lock:
            self.shared.created[rma] = ext
            if answer.get("tracking_url"):
                self.shared.tracking_pages.append(urlparse(answer["tracking_url"]).path)
        self.later(SCAN_GAP_SECONDS, lambda: self.shipment(rma, ext, 1))

    def shipment(self, rma: str, ext: str, tries: int) -> None:
        """Read the return's label (booked by the bookings worker) to learn its tracking number."""
        api = self.api()
        found = self.call(
            "api_read", self.local.due, lambda: api.get(f"/api/v1/returns/{rma}/shipments")
        )
        booked = [
            s
            for s in (found.json()["shipments"] if found is not None else [])
            if s["booking_state"] == "booked" and s["tracking_number"]
        ]
        if not booked:
            self.retry("shipment", tries, lambda t: self.shipment(rma, ext, t))
            return
        parcel = booked[0]
        self.later(
            0, lambda: self.scan(rma, ext, parcel["carrier"], parcel["tracking_number"], 0, 1)
        )

    def scan(self, rma: str, ext: str, carrier: str, number: str, step: int, tries: int) -> None:
        code = SCANS[step]
        occurred = datetime.now(UTC) - timedelta(minutes=10 - step)
        event = {
            "carrier": carrier,
            "tracking_number": number,
            "code": code,
            "occurred_at": occurred.isoformat(),
            "event_id": f"{number}-{step}",
            "location": "Madrid",
            "description": code.replace("_", " ").lower(),
        }
        if not self.send_scan(carrier, event):
            self.retry("tracking", tries, lambda t: self.scan(rma, ext, carrier, number, step, t))
            return
        with self.shared.lock:
            self.shared.scans_sent[number].add(event["event_id"])
        if self.random() < RESENT_SHARE:  # the carrier sends it again: stored once
            self.later(1.0, lambda: self.resend(carrier, event))
        if step + 1 < len(SCANS):
            self.later(
                SCAN_GAP_SECONDS,
                lambda: self.scan(rma, ext, carrier, number, step + 1, 1),
            )
        else:
            self.later(SCAN_GAP_SECONDS, lambda: self.receive(rma, ext, 1))

    def resend(self, carrier: str, event: dict[str, Any]) -> None:
        self.send_scan(carrier, event)

    def send_scan(self, carrier: str, event: dict[str, Any]) -> bool:
        body = json.dumps([event]).encode()
        headers = {
            SIGNATURE_HEADER: signature_header(self.carrier_secret, int(time.time()), body),
            "Content-Type": "application/json",
        }
        url = f"/api/v1/carriers/{self.webhook_codes[carrier]}/webhooks"
        web = self.web()
        due = self.local.due
        return (
            self.call("tracking", due, lambda: web.post(url, content=body, headers=headers))
            is not None
        )

    def receive(self, rma: str, ext: str, tries: int) -> None:
        api = self.api()
        answered = self.call(
            "warehouse",
            self.local.due,
            lambda: api.post(
                f"/api/v1/returns/{rma}/receive",
                json={"items": [{"line": f"{ext}-1", "quantity": 1}]},
                headers={"Idempotency-Key": f"soak-receive-{rma}"},
            ),
        )
        if answered is None:
            self.retry("warehouse", tries, lambda t: self.receive(rma, ext, t))
            return
        self.later(1.0, lambda: self.inspect(rma, ext, 1))

    def inspect(self, rma: str, ext: str, tries: int) -> None:
        api = self.api()
        started = time.monotonic()
        try:
            response = api.post(
                f"/api/v1/returns/{rma}/inspect",
                json={"items": [{"line": f"{ext}-1", "grade": "new"}]},
            )
            status = response.status_code
            # A retry of an inspection that was stored while its answer was lost.
            if status == 409 and tries > 1 and "already_inspected" in response.text:
                status = 200
        except httpx.HTTPError:
            status = 0
        if not self.shared.record("warehouse", self.local.due, started, status):
            self.retry("warehouse", tries, lambda t: self.inspect(rma, ext, t))
            return
        with self.shared.lock:
            self.shared.inspected.add(rma)

    def staff_page(self, due: float, n: int) -> None:
        with self.shared.lock:
            rmas = list(self.shared.created)[-200:]
        pick = self.random()
        if pick < 0.35:
            path = "/staff/returns"
        elif pick < 0.5:
            path = "/staff/returns?status=approved"
        elif pick < 0.65 and rmas:
            path = f"/staff/returns?q={self.choice(rmas)}"
        elif pick < 0.8:
            path = "/staff/"
        elif rmas:
            path = f"/staff/returns/{self.choice(rmas)}"
        else:
            path = "/staff/returns"
        staff = self.staff()
        self.call("staff", due, lambda: staff.get(path))

    def portal_page(self, due: float, n: int) -> None:
        with self.shared.lock:
            pages = self.shared.tracking_pages[-200:]
        path = self.choice(pages) if pages and self.random() < 0.7 else f"/s/{self.slug}/"
        web = self.web()
        self.call("portal", due, lambda: web.get(path))

    def api_read(self, due: float, n: int) -> None:
        with self.shared.lock:
            rmas = list(self.shared.created)[-200:]
        pick = self.random()
        if pick < 0.4 and rmas:
            path = f"/api/v1/returns/{self.choice(rmas)}"
        elif pick < 0.6:
            path = "/api/v1/returns?limit=50"
        elif pick < 0.8:
            path = "/api/v1/refunds?limit=50"
        else:
            path = "/api/v1/customers?limit=50"
        api = self.api()
        self.call("api_read", due, lambda: api.get(path))


def order_payload(n: int) -> dict[str, Any]:
    delivered = datetime.now(UTC) - timedelta(days=2)
    ext = f"SOAK-{n}"
    return {
        "external_id": ext,
        "number": f"#{ext}",
        "placed_at": (delivered - timedelta(days=3)).isoformat(),
        "delivered_at": delivered.isoformat(),
        "currency": "EUR",
        "customer": {
            "external_id": f"soak-c-{n % 97}",
            "email": f"soak.{n % 97}@example.com",
            "name": f"Soak Shopper {n % 97}",
        },
        "shipping_address": {
            "line1": "Calle Mayor 1",
            "city": "Madrid",
            "postal_code": "28013",
            "country": "ES",
        },
        "lines": [
            {
                "external_id": f"{ext}-1",
                "sku": f"SOAK-{n % 40}",
                "title": "Soak tee",
                "category": "apparel",
                "quantity": 2,
                "unit_price": "19.90",
                "tax": "3.45",
            }
        ],
    }


def csrf_token(html: str) -> str:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not token:
        raise RuntimeError("no CSRF token on the sign-in page")
    return token.group(1)
