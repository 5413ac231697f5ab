"""A webhook receiver for development and the demo (`retorno webhook-sink`): it listens on
127.0.0.1 only, checks each message's Standard Webhooks signature against the secrets in a
file (the demo writes its endpoint's secret there) and its timestamp, and appends what arrived (id, type, verdict
and the event's data) to a JSON-lines file, so `make run` shows signed events reaching an endpoint end to end."""

from __future__ import annotations

import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from retorno.domain.webhooks import WebhookError, sign

LOOPBACK = "127.0.0.1"
# Standard Webhooks' advice: refuse a message signed more than five minutes away from now.
TOLERANCE_SECONDS = 300
MAX_BODY = 1_000_000


@dataclass(frozen=True)
class Verdict:
    status: int
    reason: str


def verify(secrets: list[str], headers: dict[str, str], body: bytes, now: float) -> Verdict:
    """200 when a `v1,` signature of the message matches one of `secrets` and its timestamp is
    recent; 400 naming why otherwise."""
    message_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    if not message_id or not stamp.isdigit():
        return Verdict(400, "missing webhook-id or webhook-timestamp")
    if abs(now - int(stamp)) > TOLERANCE_SECONDS:
        return Verdict(400, "timestamp too far from now")
    offered = headers.get("webhook-signature", "").split()
    for secret in secrets:
        try:
            expected = sign(secret, message_id, int(stamp), body)
        except WebhookError:
            continue
        if any(hmac.compare_digest(expected, candidate) for candidate in offered):
            return Verdict(200, "verified")
    return Verdict(400, "no signature matches")


def sink_server(port: int, secret_file: Path, log_file: Path) -> ThreadingHTTPServer:
    """The receiver bound to 127.0.0.1:`port` (not started)."""
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.send_error(413)
                return
            body = self.rfile.read(length)
            secrets = (
                secret_file.read_text().split() if secret_file.exists() else []
            )  # read each time: the demo may rotate it while the sink runs
            headers = {k.lower(): v for k, v in self.headers.items()}
            verdict = verify(secrets, headers, body, time.time())
            try:
                payload = json.loads(body)
            except ValueError:
                payload = {}
            line = {
                "id": headers.get("webhook-id", ""),
                "type": payload.get("type", ""),
                "verified": verdict.status == 200,
                "reason": verdict.reason,
                "data": payload.get("data") if isinstance(payload, dict) else None,
            }
            with lock, log_file.open("a") as out:
                out.write(json.dumps(line) + "\n")
            self.send_response(verdict.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    log_file.parent.mkdir(parents=True, exist_ok=True)
    return ThreadingHTTPServer((LOOPBACK, port), Handler)
