"""The local Stripe's HTTP server (docs/integrations.md, "The local Stripe").

- `POST /v1/payment_intents`, `GET /v1/payment_intents/<id>`: a paid payment to refund.
- `POST /v1/refunds`, `GET /v1/refunds/<id>`, `GET /v1/refunds?payment_intent=`.
  Form-encoded bodies (`metadata[key]=value`), `Authorization: Bearer <secret key>` (or the key
  as the basic-auth user): 401 without the right one. `Idempotency-Key`: the first answer is
  kept per key and given again (with `Idempotent-Replayed: true`) to a request with the same
  parameters; other parameters under the same key are 400 `idempotency_error`.
- Webhooks: each event is POSTed to `webhook_url` with `Stripe-Signature: t=<unix>,v1=<hex
  HMAC-SHA256 of "<t>.<body>" with the endpoint's whsec_ secret>`, retried on failure.
- `POST /_control` (JSON, for tests and the demo): `{"fail_next": N, "status": 500|503|429}`
  answers the next N API calls with that status before doing anything; `{"lose_next": N}` does
  the next N calls and then drops the connection without an answer; `{"settle": "re_…",
  "status": "succeeded"|"failed"|"canceled", "failure_reason": …}` is the bank's answer.
  `GET /_state`: intents, refunds and events.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from retorno.connectors.stripe.sim.ledger import API_VERSION, Event, Ledger, StripeError
from retorno.connectors.stripe.sim.webhooks import post_event

logger = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
RETRY_DELAYS = (1.0, 5.0, 30.0, 120.0)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The Stripe-Signature header for `body` sent at `timestamp`."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def form_params(body: bytes) -> dict[str, Any]:
    """A form-encoded body as Stripe reads it: `a[b]=c` is a dict, `a[]=x` a list."""
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        if key.endswith("[]"):
            params.setdefault(key[:-2], []).append(value)
        elif "[" in key and key.endswith("]"):
            outer, inner = key[:-1].split("[", 1)
            params.setdefault(outer, {})[inner] = value
        else:
            params[key] = value
    return params


class StripeSimulator:
    """One Stripe account: its ledger, its secret key, its webhook endpoint, its server."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 8058,
        secret_key: str = "sk_test_retorno_demo",  # noqa: S107 (the local account's demo key)
        webhook_url: str | None = None,
        webhook_secret: str = "whsec_retorno_demo",  # noqa: S107 (the local account's demo secret)
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        background: bool = True,
    ):
        if webhook_url is not None:
            parts = urlsplit(webhook_url)
            if parts.scheme not in ("http", "https") or parts.hostname not in LOCAL_HOSTS:
                raise ValueError(f"The webhook URL must be on this machine, not {webhook_url!r}.")
        self.ledger = Ledger()
        self.secret_key = secret_key
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.retry_delays = retry_delays
        # False: events are sent only by `flush()`, in the caller's thread.
        self.background = background
        self.faults: list[int] = []  # a status per coming API call, answered before any work
        self.lose = 0  # calls to do and then drop without an answer
        self.api_calls: list[tuple[str, str, str]] = []  # (method, path, idempotency key)
        self.saved: dict[str, tuple[str, int, bytes]] = {}  # key -> (fingerprint, status, body)
        self.delivered: list[dict[str, Any]] = []  # webhook attempts
        self._sent = 0  # events handed to the sender so far
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.sim = self  # type: ignore[attr-defined]

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def serve_forever(self) -> None:
        if self.background:
            self._thread = threading.Thread(target=self._send_events, name="stripe-sim-hooks")
            self._thread.daemon = True
            self._thread.start()
        try:
            self.httpd.serve_forever()
        finally:
            self._stopped.set()
            self._wake.set()

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="stripe-sim", daemon=True)
        thread.start()
        return thread

    def shutdown(self) -> None:
        self._stopped.set()
        self._wake.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- what tests and the page use -----------------------------------------------------------

    def signed_event(self, event: Event, *, timestamp: int | None = None) -> tuple[bytes, str]:
        """An event's body and its Stripe-Signature header, as the webhook carries them."""
        body = json.dumps(event.body, separators=(",", ":")).encode()
        return body, sign(
            self.webhook_secret, body, int(time.time() if timestamp is None else timestamp)
        )

    def events(self, type_: str | None = None) -> list[Event]:
        with self.ledger.lock:
            return [e for e in self.ledger.events if type_ is None or e.type == type_]

    def settle(self, refund_id: str, status: str, failure_reason: str = "") -> dict[str, Any]:
        refund = self.ledger.settle(refund_id, status, failure_reason)
        self._wake.set()
        return refund

    # -- the API -------------------------------------------------------------------------------

    def api(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any] | list[Any]:
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["v1", "payment_intents"]:
            if method == "POST" and len(parts) == 2:
                return self.ledger.intent_create(params)
            if method == "GET" and len(parts) == 3:
                return self.ledger.intent_get(parts[2])
        if parts[:2] == ["v1", "refunds"]:
            if method == "POST" and len(parts) == 2:
                refund = self.ledger.refund_create(params)
                self._wake.set()
                return refund
            if method == "GET" and len(parts) == 3:
                return self.ledger.refund_get(parts[2])
            if method == "GET" and len(parts) == 2:
                data = self.ledger.refund_list(str(params.get("payment_intent") or ""))
                return {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}
        raise StripeError(404, "resource_missing", f"Unrecognized request URL ({method}: {path}).")

    # -- webhooks ------------------------------------------------------------------------------

    def flush(self) -> list[int]:
        """Send every event not sent yet, now, once each, in this thread (tests and demos that
        want the webhooks delivered before they look); the HTTP status of each."""
        return [self._post(event) for event in iter(self._next_event, None)]

    def _next_event(self) -> Event | None:
        with self.ledger.lock:
            if self.webhook_url is None or self._sent >= len(self.ledger.events):
                return None
            self._sent += 1
            return self.ledger.events[self._sent - 1]

    def _post(self, event: Event) -> int:
        body, signature = self.signed_event(event)
        status = post_event(str(self.webhook_url), body, signature)
        self.delivered.append({"event": event.body["id"], "type": event.type, "status": status})
        return status

    def _send_events(self) -> None:
        while not self._stopped.is_set():
            self._wake.wait(0.5)
            self._wake.clear()
            for event in iter(self._next_event, None):
                for delay in (0.0, *self.retry_delays):
                    if self._stopped.wait(delay):
                        return
                    if 200 <= self._post(event) < 300:
                        break


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    @property
    def sim(self) -> StripeSimulator:
        return self.server.sim  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Stripe-Version", API_VERSION)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, MAX_BODY)) if length else b""

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization") or ""
        key = ""
        if header.startswith("Bearer "):
            key = header[7:].strip()
        elif header.startswith("Basic "):
            try:
                key = base64.b64decode(header[6:]).decode().split(":", 1)[0]
            except ValueError:
                key = ""
        return hmac.compare_digest(key.encode(), self.sim.secret_key.encode())

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        if split.path == "/_state":
            with self.sim.ledger.lock:
                state = {
                    "payment_intents": list(self.sim.ledger.intents.values()),
                    "refunds": list(self.sim.ledger.refunds.values()),
                    "events": [e.body for e in self.sim.ledger.events],
                    "webhooks": list(self.sim.delivered),
                }
            self._send(200, json.dumps(state).encode())
            return
        self._api("GET", split.path, dict(parse_qsl(split.query)), key="")

    def do_POST(self) -> None:
        split = urlsplit(self.path)
        body = self._body()
        if split.path == "/_control":
            self._control(body)
            return
        self._api(
            "POST", split.path, form_params(body), key=self.headers.get("Idempotency-Key") or ""
        )

    def _api(self, method: str, path: str, params: dict[str, Any], *, key: str) -> None:
        sim = self.sim
        if not self._authorised():
            error = StripeError(401, "api_key_invalid", "Invalid API Key provided.")
            self._send(401, json.dumps(error.body()).encode())
            return
        with sim.ledger.lock:
            sim.api_calls.append((method, path, key))
            fault = sim.faults.pop(0) if sim.faults else None
        if fault is not None:
            error = StripeError(fault, "api_error" if fault >= 500 else "rate_limit", "Try again.")
            self._send(fault, json.dumps(error.body()).encode())
            return
        fingerprint = json.dumps([method, path, params], sort_keys=True)
        with sim.ledger.lock:
            saved = sim.saved.get(key) if key and method == "POST" else None
            if saved is not None:
                if saved[0] != fingerprint:
                    error = StripeError(
                        400,
                        "idempotency_key_in_use",
                        "Keys for idempotent requests can only be used with the same parameters "
                        "they were first used with. Try using a key other than "
                        f"'{key}' if you meant to execute a different request.",
                    )
                    payload = error.body()
                    payload["error"]["type"] = "idempotency_error"
                    self._send(400, json.dumps(payload).encode())
                    return
                self._send(saved[1], saved[2], {"Idempotent-Replayed": "true"})
                return
            try:
                status, answer = 200, json.dumps(sim.api(method, path, params)).encode()
            except StripeError as error:
                status, answer = error.status, json.dumps(error.body()).encode()
            # Stripe keeps the answer only once the request began to execute: not a refusal of
            # its parameters, which may be sent again, corrected, under the same key.
            if key and method == "POST" and status == 200:
                sim.saved[key] = (fingerprint, status, answer)
            lose = sim.lose > 0
            if lose:
                sim.lose -= 1
        if lose:  # done, but the caller never hears of it
            self.close_connection = True
            self.connection.close()
            return
        self._send(status, answer, {"Request-Id": f"req_{len(sim.api_calls)}"})

    def _control(self, body: bytes) -> None:
        try:
            spec = json.loads(body or b"{}")
            if "fail_next" in spec:
                self.sim.faults = [int(spec.get("status", 500))] * int(spec["fail_next"])
            if "lose_next" in spec:
                self.sim.lose = int(spec["lose_next"])
            answer: Any = {"ok": True}
            if "settle" in spec:
                answer = self.sim.settle(
                    str(spec["settle"]),
                    str(spec.get("status") or ""),
                    str(spec.get("failure_reason") or ""),
                )
            if "payment_intent" in spec:
                answer = self.sim.ledger.intent_create(dict(spec["payment_intent"]))
        except StripeError as error:
            self._send(error.status, json.dumps(error.body()).encode())
            return
        except (ValueError, TypeError, KeyError) as error:
            self._send(400, json.dumps({"error": {"message": str(error)}}).encode())
            return
        self._send(200, json.dumps(answer).encode())
