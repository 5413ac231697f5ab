"""What the local store simulators (`retorno shop-sim`, `retorno woo-sim`) have in common: state
kept as JSON in a directory under one lock, webhook bodies signed with a base64 HMAC-SHA256 (the
scheme Shopify and WooCommerce both use), webhooks posted only to this machine, and the plumbing
of their HTTP handlers. Standard library only: the simulators use nothing else of Retorno's."""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import hmac
import json
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MAX_BODY = 2 * 1024 * 1024
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class BodyTooLarge(Exception):
    pass


def check_local_url(url: str | None) -> None:
    """A simulator posts webhooks only to this machine."""
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOCAL_HOSTS:
        raise ValueError(f"The webhook URL must be http(s) on this machine, not {url!r}.")


def sign(secret: str, body: bytes) -> str:
    """base64 of the HMAC-SHA256 of `body` with `secret`."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def now_iso() -> str:
    # The simulated stores' clock is UTC, to the second.
    stamp = datetime.fromtimestamp(int(time.time()), UTC)
    return stamp.isoformat().replace("+00:00", "Z")


def money(value: Any) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


class JsonState:
    """A simulated store's data. `lock` guards every read and change; `save` writes state.json
    atomically; `seed` fills a new store (no state file yet)."""

    def __init__(self, state_dir: str | os.PathLike[str] | None, seed: dict[str, Any] | None):
        self.lock = threading.RLock()
        self.path = Path(state_dir) / "state.json" if state_dir else None
        self.data: dict[str, Any] = {}
        if self.path is not None and self.path.exists():
            self.data = json.loads(self.path.read_text())
        else:
            self._seed(seed)
            self.save()

    def _seed(self, seed: dict[str, Any] | None) -> None:
        raise NotImplementedError

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True))
        tmp.replace(self.path)

    @contextlib.contextmanager
    def changing(self) -> Iterator[dict[str, Any]]:
        """Change the data under the lock; saved when the block ends without an error."""
        with self.lock:
            before = copy.deepcopy(self.data)
            try:
                yield self.data
            except BaseException:
                self.data = before
                raise
            self.save()

    def next_id(self) -> int:
        self.data["next_id"] += 1
        return int(self.data["next_id"])


class SimHandler(BaseHTTPRequestHandler):
    """Sending and reading bodies, for the simulators' request handlers."""

    protocol_version = "HTTP/1.1"

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), headers=headers)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise BodyTooLarge
        return self.rfile.read(length) if length else b""


class SimServer:
    """A simulator's server: its HTTP server (whose handler reaches the simulator as
    `self.server.sim`), its webhook sender (`start`, `stop`), and the faults injected into its
    next API calls (status, Retry-After)."""

    thread_name = "store-sim"
    sender: Any

    def _listen(self, host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> None:
        self.faults: list[tuple[int, int]] = []
        self.faults_lock = threading.Lock()
        self.api_calls = 0
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.httpd.sim = self  # type: ignore[attr-defined]

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def serve_forever(self) -> None:
        self.sender.start()
        try:
            self.httpd.serve_forever()
        finally:
            self.sender.stop()

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name=self.thread_name, daemon=True)
        thread.start()
        return thread

    def shutdown(self) -> None:
        self.sender.stop()
        self.httpd.shutdown()
        self.httpd.server_close()

    def take_fault(self) -> tuple[int, int] | None:
        with self.faults_lock:
            self.api_calls += 1
            return self.faults.pop(0) if self.faults else None
