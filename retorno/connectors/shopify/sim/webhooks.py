"""Webhooks from the simulated store, as Shopify sends them: a POST of the topic's JSON body with
X-Shopify-Topic, X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw body with the app's
secret), X-Shopify-Shop-Domain, X-Shopify-Webhook-Id, X-Shopify-Event-Id, X-Shopify-API-Version
and X-Shopify-Triggered-At. Any answer but 2xx within 5 seconds is a failure, retried with
growing delays (Shopify retries 8 times over 4 hours; the simulator's delays are shorter and set
by `retry_delays`). Every attempt is kept in the state's `webhook_log`."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from retorno.connectors.shopify.sim.state import ShopState, Webhook
from retorno.connectors.simkit import now_iso, sign

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
RETRY_DELAYS = (1.0, 5.0, 30.0, 60.0, 300.0, 600.0, 1800.0, 3600.0)


class WebhookSender:
    """Queues webhooks in the state (so none is lost by a restart) and sends them from a
    thread, in the order they were made, retrying each on failure."""

    def __init__(
        self,
        state: ShopState,
        *,
        url: str | None,
        secret: str,
        domain: str,
        api_version: str,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ):
        self.state = state
        self.url = url
        self.secret = secret
        self.domain = domain
        self.api_version = api_version
        self.retry_delays = retry_delays
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def enqueue(self, webhooks: list[Webhook]) -> None:
        if not webhooks:
            return
        with self.state.changing() as data:
            queue = data.setdefault("webhook_queue", [])
            for topic, payload in webhooks:
                queue.append(
                    {
                        "webhook_id": str(uuid.uuid4()),
                        "event_id": str(uuid.uuid4()),
                        "topic": topic,
                        "body": json.dumps(payload, separators=(",", ":")),
                        "triggered_at": now_iso(),
                        "attempts": 0,
                        "next_at": 0.0,
                    }
                )
        self.wake.set()

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="shop-sim-webhooks", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.wake.set()

    def _run(self) -> None:
        while not self.stopped.is_set():
            delay = self.send_due()
            self.wake.wait(timeout=delay)
            self.wake.clear()

    def send_due(self) -> float:
        """Send what is due now; the seconds until the next one is due (at most 1)."""
        if not self.url:
            return 1.0
        while not self.stopped.is_set():
            with self.state.lock:
                queue = self.state.data.get("webhook_queue") or []
                due = next((w for w in queue if w["next_at"] <= time.time()), None)
                if due is None:
                    waits = [w["next_at"] - time.time() for w in queue]
                    return max(0.05, min([1.0, *waits]))
                due = dict(due)
            ok, status, error = self._post(due)
            with self.state.changing() as data:
                queue = data.get("webhook_queue") or []
                entry = next((w for w in queue if w["webhook_id"] == due["webhook_id"]), None)
                if entry is None:
                    continue
                entry["attempts"] += 1
                data.setdefault("webhook_log", []).append(
                    {
                        "webhook_id": entry["webhook_id"],
                        "topic": entry["topic"],
                        "attempt": entry["attempts"],
                        "status": status,
                        "error": error,
                        "at": now_iso(),
                    }
                )
                data["webhook_log"] = data["webhook_log"][-500:]
                if ok or entry["attempts"] > len(self.retry_delays):
                    queue.remove(entry)
                    if not ok:
                        data.setdefault("webhooks_abandoned", []).append(entry)
                else:
                    entry["next_at"] = time.time() + self.retry_delays[entry["attempts"] - 1]
        return 1.0

    def _post(self, entry: dict[str, Any]) -> tuple[bool, int | None, str]:
        body = entry["body"].encode()
        request = urllib.request.Request(  # noqa: S310 (a local URL given on the command line)
            str(self.url),
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Shopify-Topic": entry["topic"],
                "X-Shopify-Hmac-Sha256": sign(self.secret, body),
                "X-Shopify-Shop-Domain": self.domain,
                "X-Shopify-Webhook-Id": entry["webhook_id"],
                "X-Shopify-Event-Id": entry["event_id"],
                "X-Shopify-API-Version": self.api_version,
                "X-Shopify-Triggered-At": entry["triggered_at"],
                "User-Agent": "Shopify-Captain-Hook",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
                return 200 <= answer.status < 300, answer.status, ""
        except urllib.error.HTTPError as error:
            return False, error.code, error.reason or ""
        except (OSError, TimeoutError) as error:
            return False, None, str(error)[:200]
