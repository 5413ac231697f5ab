"""Webhooks from the simulated store, as WooCommerce delivers them (WC_Webhook::deliver): a POST
of the resource as the REST API v3 shows it, with X-WC-Webhook-Source (the site URL),
X-WC-Webhook-Topic, -Resource, -Event, -Signature (base64 HMAC-SHA256 of the raw body with the
webhook's secret), -ID (the webhook's id) and -Delivery-ID.

WooCommerce does not retry: a delivery answered with anything but 2xx, 301 or 302 (or not
answered within 5 s) counts one failure; more than 5 failures in a row disable the webhook
(status `disabled`), a success sets the count back to 0. A new active webhook is pinged first
with the form body `webhook_id=<id>` and no signature. Every delivery is logged in `deliveries`.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
import uuid
from typing import Any

from retorno.connectors.simkit import now_iso, sign
from retorno.connectors.woocommerce.sim.store import Event, WooState

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
MAX_FAILURES = 5


class WebhookSender:
    """Queues deliveries in the state and posts them from a thread, in order, each once."""

    def __init__(self, state: WooState, *, site_url: str):
        self.state = state
        self.site_url = site_url.rstrip("/") + "/"
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.send_lock = threading.Lock()

    def enqueue(self, events: list[Event]) -> None:
        """Queue one delivery per active webhook of each event's topic (the body is the
        resource as it is now)."""
        if not events:
            return
        with self.state.changing() as data:
            queue = data.setdefault("webhook_queue", [])
            for topic, resource in events:
                body = json.dumps(resource, separators=(",", ":"))
                for webhook in data["webhooks"].values():
                    if webhook["status"] == "active" and webhook["topic"] == topic:
                        queue.append(
                            {
                                "webhook_id": webhook["id"],
                                "delivery_id": uuid.uuid4().hex,
                                "body": body,
                            }
                        )
        self.wake.set()

    def ping(self, webhook_id: int) -> None:
        with self.state.changing() as data:
            data.setdefault("webhook_queue", []).append(
                {
                    "webhook_id": webhook_id,
                    "delivery_id": "",
                    "body": f"webhook_id={webhook_id}",
                    "ping": True,
                }
            )
        self.wake.set()

    def start(self) -> None:
        threading.Thread(target=self._run, name="woo-sim-webhooks", daemon=True).start()

    def stop(self) -> None:
        self.stopped.set()
        self.wake.set()

    def _run(self) -> None:
        while not self.stopped.is_set():
            self.send_all()
            self.wake.wait(timeout=1.0)
            self.wake.clear()

    def send_all(self) -> int:
        """Deliver everything queued; how many deliveries were attempted."""
        sent = 0
        with self.send_lock:
            while not self.stopped.is_set():
                with self.state.changing() as data:
                    queue = data.get("webhook_queue") or []
                    if not queue:
                        return sent
                    entry = queue.pop(0)
                    webhook = dict(data["webhooks"].get(str(entry["webhook_id"])) or {})
                if not webhook:
                    continue
                status, error = self._post(webhook, entry)
                sent += 1
                ok = status is not None and (200 <= status < 300 or status in (301, 302))
                with self.state.changing() as data:
                    stored = data["webhooks"].get(str(entry["webhook_id"]))
                    if stored is not None and not entry.get("ping"):
                        stored["failure_count"] = 0 if ok else stored["failure_count"] + 1
                        if stored["failure_count"] > MAX_FAILURES:
                            stored["status"] = "disabled"
                    data["deliveries"].append(
                        {
                            "delivery_id": entry["delivery_id"],
                            "webhook_id": entry["webhook_id"],
                            "topic": "ping" if entry.get("ping") else webhook["topic"],
                            "status": status,
                            "error": error,
                            "at": now_iso(),
                        }
                    )
                    data["deliveries"] = data["deliveries"][-500:]
        return sent

    def _post(self, webhook: dict[str, Any], entry: dict[str, Any]) -> tuple[int | None, str]:
        body = entry["body"].encode()
        headers = {"User-Agent": "WooCommerce/9.4.2 Hookshot (WordPress/6.7)"}
        if entry.get("ping"):
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            headers.update(
                {
                    "Content-Type": "application/json",
                    "X-WC-Webhook-Source": self.site_url,
                    "X-WC-Webhook-Topic": webhook["topic"],
                    "X-WC-Webhook-Resource": webhook["resource"],
                    "X-WC-Webhook-Event": webhook["event"],
                    "X-WC-Webhook-Signature": sign(webhook["secret"], body),
                    "X-WC-Webhook-ID": str(webhook["id"]),
                    "X-WC-Webhook-Delivery-ID": entry["delivery_id"],
                }
            )
        request = urllib.request.Request(  # noqa: S310 (a local URL, checked when configured)
            webhook["delivery_url"], data=body, method="POST", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
                return answer.status, ""
        except urllib.error.HTTPError as error:
            return error.code, str(error.reason or "")[:200]
        except (OSError, TimeoutError) as error:
            return None, str(error)[:200]
