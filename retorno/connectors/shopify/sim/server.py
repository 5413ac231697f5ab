"""The shop simulator's HTTP server (docs/integrations.md, "The local Shopify store").

- `POST /admin/api/<version>/graphql.json`: the Admin GraphQL API, with `X-Shopify-Access-Token`
  (401 without the right one), calculated cost and throttling.
- `GET /`: a page of the store: place an order (paid, and optionally fulfilled and delivered),
  ask for a return as the customer would, see orders, returns, refunds, stock and webhooks sent.
- `POST /_control`: for tests and demos, as JSON: `{"fail_next": N, "status": 429|500|503,
  "retry_after": S}` answers the next N API calls with that status; `{"drain": true}` empties the
  cost bucket; `{"order": {...}}`, `{"deliver": order_id}`, `{"request_return": {...}}` do what
  the page does. `GET /_state` is the whole state as JSON.
"""

from __future__ import annotations

import json
import logging
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from retorno.connectors.shopify.sim import operations, page
from retorno.connectors.shopify.sim.api import API_VERSION, run_graphql
from retorno.connectors.shopify.sim.cost import Bucket
from retorno.connectors.shopify.sim.state import ShopState, SimError, Webhook
from retorno.connectors.shopify.sim.webhooks import WebhookSender
from retorno.connectors.simkit import BodyTooLarge, SimHandler, SimServer, check_local_url

logger = logging.getLogger(__name__)


class ShopSimulator(SimServer):
    """One simulated store: its state, its API bucket, its webhook sender, its server."""

    thread_name = "shop-sim"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 8057,
        state_dir: str | None = None,
        seed: dict[str, Any] | None = None,
        domain: str = "tienda-demo.myshopify.com",
        access_token: str = "shpat_demo",  # noqa: S107 (the local store's demo token)
        webhook_url: str | None = None,
        webhook_secret: str = "shop-sim-secret",  # noqa: S107 (the local store's demo secret)
        bucket_size: float = 2000,
        restore_rate: float = 100,
        retry_delays: tuple[float, ...] | None = None,
    ):
        check_local_url(webhook_url)
        self.state = ShopState(state_dir, seed)
        self.domain = domain
        self.access_token = access_token
        self.bucket = Bucket(bucket_size, restore_rate)
        self.sender = WebhookSender(
            self.state,
            url=webhook_url,
            secret=webhook_secret,
            domain=domain,
            api_version=API_VERSION,
            **({"retry_delays": retry_delays} if retry_delays is not None else {}),
        )
        self._listen(host, port, _Handler)

    # -- actions shared by the page and /_control --------------------------------------------

    def place_order(self, spec: dict[str, Any]) -> dict[str, Any]:
        lines = [(str(li["sku"]), int(li.get("quantity", 1))) for li in spec.get("lines") or []]
        with self.state.changing():
            order, hooks = operations.order_place(
                self.state,
                email=str(spec.get("email") or "cliente@example.com"),
                lines=lines,
                first_name=str(spec.get("first_name") or ""),
                last_name=str(spec.get("last_name") or ""),
                tags=list(spec.get("tags") or []),
            )
            if spec.get("fulfil", True):
                fulfillment, more = operations.order_fulfil(self.state, order)
                hooks += more
                if spec.get("deliver", True):
                    hooks += operations.fulfillment_event(
                        self.state, order, fulfillment, status="delivered"
                    )
        self.sender.enqueue(hooks)
        return order

    def deliver(self, order_id: int) -> None:
        with self.state.changing():
            order = self.state.order(order_id)
            if order is None:
                raise SimError("No such order.")
            hooks: list[Webhook] = []
            if not order["fulfillments"]:
                _, hooks = operations.order_fulfil(self.state, order)
            for fulfillment in order["fulfillments"]:
                if fulfillment["shipment_status"] != "delivered":
                    hooks += operations.fulfillment_event(
                        self.state, order, fulfillment, status="delivered"
                    )
        self.sender.enqueue(hooks)

    def request_return(self, spec: dict[str, Any]) -> dict[str, Any]:
        """The customer asks for a return of some units of a line (returns/request)."""
        with self.state.changing():
            order = self.state.order(int(spec["order_id"]))
            if order is None:
                raise SimError("No such order.")
            line_id = int(spec["line_item_id"])
            fli = next(
                (
                    item
                    for f in order["fulfillments"]
                    for item in f["line_items"]
                    if item["line_item_id"] == line_id
                ),
                None,
            )
            if fli is None:
                raise SimError("That line is not fulfilled yet.")
            return_, hooks = operations.return_open(
                self.state,
                order,
                [
                    {
                        "fulfillment_line_item_id": fli["id"],
                        "quantity": int(spec.get("quantity", 1)),
                        "return_reason": str(spec.get("reason") or "SIZE_TOO_SMALL"),
                        "customer_note": str(spec.get("note") or ""),
                    }
                ],
                requested=True,
            )
        self.sender.enqueue(hooks)
        return return_


class _Handler(SimHandler):
    server: ThreadingHTTPServer

    @property
    def sim(self) -> ShopSimulator:
        return self.server.sim  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/":
            self._send(200, page.render(self.sim).encode(), "text/html; charset=utf-8")
        elif path == "/_state":
            with self.sim.state.lock:
                self._json(200, self.sim.state.data)
        else:
            self._json(404, {"errors": "Not Found"})

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        try:
            if path.startswith("/admin/api/") and path.endswith("/graphql.json"):
                self._graphql(path)
            elif path == "/_control":
                self._control()
            elif path in ("/orders", "/returns", "/deliver"):
                self._form(path)
            else:
                self._json(404, {"errors": "Not Found"})
        except SimError as error:
            self._json(422, {"errors": error.message})
        except BodyTooLarge:
            self._json(413, {"errors": "Request body too large."})
        except Exception:  # a simulator bug must not kill the thread silently
            logger.exception("shop-sim: POST %s failed", self.path)
            self._json(500, {"errors": "Internal error in the simulator."})

    def _graphql(self, path: str) -> None:
        body = self._body()
        version = path.split("/")[3]
        served = {"X-Shopify-API-Version": API_VERSION}
        if self.headers.get("X-Shopify-Access-Token") != self.sim.access_token:
            self._json(
                401,
                {
                    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
                },
                served,
            )
            return
        fault = self.sim.take_fault()
        if fault is not None:
            status, retry_after = fault
            headers = dict(served)
            if status == 429:
                headers["Retry-After"] = str(retry_after)
                self._json(
                    429,
                    {
                        "errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."
                    },
                    headers,
                )
            else:
                self._json(status, {"errors": "Internal Server Error"}, headers)
            return
        if version != API_VERSION and not version.startswith("20"):
            self._json(404, {"errors": "Not Found"}, served)
            return
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            self._json(400, {"errors": {"query": "Required parameter missing or invalid"}}, served)
            return
        if not isinstance(request, dict):
            self._json(400, {"errors": {"query": "Required parameter missing or invalid"}}, served)
            return
        answer, hooks = run_graphql(self.sim.state, self.sim.domain, self.sim.bucket, request)
        self.sim.sender.enqueue(hooks)
        self._json(200, answer, served)

    def _control(self) -> None:
        try:
            data = json.loads(self._body() or b"{}")
        except ValueError:
            raise SimError("The body is not JSON.") from None
        result: dict[str, Any] = {"ok": True}
        if "fail_next" in data:
            with self.sim.faults_lock:
                self.sim.faults = [
                    (int(data.get("status", 500)), int(data.get("retry_after", 1)))
                ] * int(data["fail_next"])
        if data.get("drain"):
            self.sim.bucket.drain(float(data.get("to", 0)))
        if "order" in data:
            result["order_id"] = self.sim.place_order(data["order"])["id"]
        if "deliver" in data:
            self.sim.deliver(int(data["deliver"]))
        if "request_return" in data:
            result["return_id"] = self.sim.request_return(data["request_return"])["id"]
        if data.get("send_webhooks"):
            self.sim.sender.send_due()
        result["api_calls"] = self.sim.api_calls
        self._json(200, result)

    def _form(self, path: str) -> None:
        form = {k: v[-1] for k, v in parse_qs(self._body().decode()).items()}
        if path == "/orders":
            lines = [
                {"sku": form[f"sku{i}"], "quantity": int(form.get(f"quantity{i}") or 1)}
                for i in range(1, 4)
                if form.get(f"sku{i}")
            ]
            self.sim.place_order(
                {
                    "email": form.get("email") or "cliente@example.com",
                    "first_name": form.get("first_name") or "",
                    "last_name": form.get("last_name") or "",
                    "lines": lines,
                    "fulfil": form.get("deliver") == "on",
                    "deliver": form.get("deliver") == "on",
                }
            )
        elif path == "/returns":
            self.sim.request_return(form)
        elif path == "/deliver":
            self.sim.deliver(int(form["order_id"]))
        self._send(303, b"", headers={"Location": "/"})
