"""The carrier simulator: an HTTP service on 127.0.0.1 hosting several simulated carriers.

Each carrier lives under /carriers/<code>/ with its own coverage, prices, speed and failure
rates (see `config`). It quotes, offers pickup slots, books with an Idempotency-Key, cancels,
serves label PDFs, reveals a deterministic tracking timeline as time passes, and pushes tracking
events to a webhook URL in signed batches with retries. `POST /carriers/<code>/_control` forces
outcomes for tests and demos. docs/carriers.md documents every endpoint.

Standard library only (http.server), plus Retorno's label renderer.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from retorno.integrations.carriers.simulator.carrier import (
    MAX_BODY_BYTES,
    ApiError,
    SimCarrier,
    iso_time,
)
from retorno.integrations.carriers.simulator.config import (
    SimCarrierConfig,
)
from retorno.integrations.carriers.simulator.points import drop_off_points

logger = logging.getLogger(__name__)


def _booking_view(booking: dict[str, Any], base_url: str) -> dict[str, Any]:
    prefix = f"{base_url}/carriers/{booking['carrier']}"
    return {
        "booking_id": booking["booking_id"],
        "tracking_number": booking["tracking_number"],
        "carrier": booking["carrier"],
        "reference": booking["reference"],
        "method": booking["method"],
        "rma": booking["rma"],
        "status": booking["status"],
        "price_amount": booking["price_amount"],
        "currency": booking["currency"],
        "drop_off_code": booking["drop_off_code"],
        "pickup_window_start": booking["pickup_window_start"],
        "pickup_window_end": booking["pickup_window_end"],
        "created_at": iso_time(booking["created_at"]),
        "label_url": f"{prefix}/bookings/{booking['booking_id']}/label.pdf",
        "tracking_url": f"{prefix}/tracking/{booking['tracking_number']}",
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    # -- plumbing ----------------------------------------------------------------------------

    def _send(
        self,
        status: int,
        payload: Any = None,
        *,
        body: bytes | None = None,
        content_type: str = "application/json",
        extra: dict[str, str] | None = None,
    ) -> None:
        data = body if body is not None else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a simulated timeout): nothing to answer.
            self.close_connection = True

    def _json_body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise ApiError(413, "too_large", "Request body too large.")
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except ValueError:
            raise ApiError(400, "invalid_json", "The body is not JSON.") from None
        if not isinstance(data, dict):
            raise ApiError(400, "invalid_request", "The body must be a JSON object.")
        return data

    def _base_url(self) -> str:
        host = (
            self.headers.get("Host")
            or f"{self.server.server_address[0]!s}:{self.server.server_address[1]}"
        )
        return f"http://{host}"

    def _dispatch(self, method: str) -> None:
        try:
            self._route(method)
        except ApiError as error:
            self._send(error.status, {"error": {"code": error.code, "message": error.message}})
        except Exception:  # a simulator bug must not kill the thread silently
            logger.exception("carrier-sim: %s %s failed", method, self.path)
            self._send(500, {"error": {"code": "simulator_error", "message": "Simulator bug."}})

    def _fault(self, carrier: SimCarrier, scope: str) -> bool:
        """Inject a failure; True when the request has been answered (or abandoned)."""
        mode = carrier.take_fault(scope)
        if mode is None:
            return False
        if mode == "timeout_after_booking":
            # The booking goes through; only the answer is lost (see the bookings route).
            self._after_booking_timeout = True
            return False
        if mode == "timeout":
            carrier.hang()
            self._send(504, {"error": {"code": "timeout", "message": "Simulated timeout."}})
            return True
        status = int(mode)
        extra = {"Retry-After": "1"} if status in (429, 503) else None
        self._send(
            status,
            {"error": {"code": "simulated_failure", "message": f"Simulated {status}."}},
            extra=extra,
        )
        return True

    # -- routes ------------------------------------------------------------------------------

    def _route(self, method: str) -> None:
        self._after_booking_timeout = False
        parts = urlsplit(self.path)
        segments = [s for s in parts.path.split("/") if s]
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if segments == ["health"] and method == "GET":
            return self._send(200, {"ok": True})
        if segments == ["carriers"] and method == "GET":
            return self._send(
                200, {"carriers": [c.config.public() for c in self.server.carriers.values()]}
            )
        if len(segments) < 2 or segments[0] != "carriers":
            raise ApiError(404, "not_found", "No such endpoint.")
        carrier = self.server.carriers.get(segments[1])
        if carrier is None:
            raise ApiError(404, "unknown_carrier", f"No simulated carrier {segments[1]!r}.")
        rest = segments[2:]
        if rest == ["_control"]:
            if method == "POST":
                return self._send(200, carrier.control(self._json_body()))
            return self._send(200, carrier.summary())
        api_key = carrier.config.api_key
        if api_key and self.headers.get("Authorization") != f"Bearer {api_key}":
            raise ApiError(401, "unauthorized", "Missing or wrong API key.")
        base_url = self._base_url()
        if rest == [] and method == "GET":
            return self._send(200, carrier.config.public())
        if rest == ["quote"] and method == "POST":
            body = self._json_body()
            if self._fault(carrier, "quote"):
                return None
            return self._send(200, carrier.quote(body))
        if rest == ["pickup-slots"] and method == "GET":
            if (
                query.get("country")
                and query.get("postal_code")
                and not carrier.config.serves(query["country"], query["postal_code"])
            ):
                raise ApiError(422, "not_serviceable", "Postal code not served.")
            return self._send(200, {"slots": carrier.slots()})
        if rest == ["drop-off-points"] and method == "GET":
            return self._send(200, drop_off_points(carrier.config, query))
        if rest == ["bookings"] and method == "POST":
            body = self._json_body()
            key = (self.headers.get("Idempotency-Key") or "").strip()
            if not key or len(key) > 255:
                raise ApiError(
                    400, "idempotency_key_required", "Send an Idempotency-Key header (1-255 chars)."
                )
            if self._fault(carrier, "booking"):
                return None
            _validate_money(body)
            booking, created = carrier.book(key, body)
            if self._after_booking_timeout:
                # Booked, but the answer never arrives: the client must retry with the same key.
                carrier.hang()
                self.close_connection = True
                return None
            return self._send(
                201 if created else 200,
                _booking_view(booking, base_url),
                extra=None if created else {"Idempotent-Replayed": "true"},
            )
        if len(rest) == 2 and rest[0] == "bookings" and method == "GET":
            with carrier.lock:
                return self._send(200, _booking_view(carrier.get(rest[1]), base_url))
        if len(rest) == 3 and rest[0] == "bookings" and rest[2] == "cancel" and method == "POST":
            if self._fault(carrier, "cancel"):
                return None
            return self._send(200, _booking_view(carrier.cancel(rest[1]), base_url))
        if len(rest) == 3 and rest[0] == "bookings" and rest[2] == "label.pdf" and method == "GET":
            return self._send(
                200, body=carrier.label(rest[1], base_url), content_type="application/pdf"
            )
        if len(rest) == 2 and rest[0] == "tracking" and method == "GET":
            if self._fault(carrier, "tracking"):
                return None
            return self._send(200, carrier.tracking(rest[1]))
        raise ApiError(404, "not_found", "No such endpoint.")


def _validate_money(body: dict[str, Any]) -> None:
    value = body.get("declared_value")
    if value is None:
        return
    try:
        Decimal(str(value))
    except InvalidOperation:
        raise ApiError(400, "invalid_request", "declared_value must be a decimal string.") from None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    carriers: dict[str, SimCarrier]


class SimulatorServer:
    """The simulator: `start()` serves in a background thread (tests), `serve_forever()` in
    the foreground (the `carrier_sim` command). Port 0 picks a free port; see `url`.

    `tick_seconds` is how often the background loop reveals due tracking steps and pushes
    webhooks; None turns the loop off (tests drive it with the control endpoint).
    """

    def __init__(
        self,
        carriers: tuple[SimCarrierConfig, ...] | list[SimCarrierConfig],
        *,
        host: str = "127.0.0.1",
        port: int = 8055,
        state_dir: str | Path | None = None,
        clock: Callable[[], float] = time.time,
        tick_seconds: float | None = 1.0,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("The carrier simulator only listens on 127.0.0.1 (or ::1).")
        self._stop = threading.Event()
        directory = Path(state_dir) if state_dir else None
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
        self.carriers = {
            config.code: SimCarrier(config, clock=clock, state_dir=directory, stop=self._stop)
            for config in carriers
        }
        self._httpd = _Server((host, port), _Handler)
        self._httpd.carriers = self.carriers
        self.tick_seconds = tick_seconds
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def tick(self) -> None:
        """Reveal due tracking steps and push webhooks, for every carrier, once."""
        for carrier in self.carriers.values():
            carrier.materialise_all()
            carrier.deliver()

    def _loop(self) -> None:
        assert self.tick_seconds is not None
        while not self._stop.wait(self.tick_seconds):
            try:
                self.tick()
            except Exception:
                logger.exception("carrier-sim: background tick failed")

    def start(self) -> SimulatorServer:
        serving = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        serving.start()
        self._threads.append(serving)
        if self.tick_seconds:
            ticking = threading.Thread(target=self._loop, daemon=True)
            ticking.start()
            self._threads.append(ticking)
        return self

    def serve_forever(self) -> None:
        if self.tick_seconds:
            ticking = threading.Thread(target=self._loop, daemon=True)
            ticking.start()
            self._threads.append(ticking)
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self.stop()

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(Exception):
            self._httpd.shutdown()
        self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
