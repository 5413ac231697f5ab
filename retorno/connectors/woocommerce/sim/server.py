"""The WooCommerce simulator's HTTP server (docs/integrations.md, "The local WooCommerce store").

- `/wp-json/wc/v3/...`: the REST API v3 subset a returns app uses: orders (list with `page`,
  `per_page`, `modified_after`, `after`, `status`, `search`, `orderby`, `order`; get, create,
  update), order refunds (list, get, create), products and variations (list by `sku`, get,
  update stock and meta data), webhooks (list, create, get, update, delete), system status.
  Lists answer `X-WP-Total`, `X-WP-TotalPages` and `Link`. Errors are WooCommerce's JSON
  (`code`, `message`, `data.status`).
- Authentication with the REST API key: HTTP Basic (consumer key as the user, secret as the
  password) or the `consumer_key` / `consumer_secret` query parameters, as WooCommerce takes them
  over HTTPS. (Over plain HTTP a real store wants OAuth 1.0a signatures; the simulator, on
  loopback, takes the HTTPS forms.)
- `POST /_control` (tests and demos, JSON): `{"fail_next": N, "status": 429|500|503,
  "retry_after": S}`, `{"order": {...}}`, `{"complete": order_id}`, `{"send_webhooks": true}`;
  `GET /_state` is the whole state; `GET /` a page of the store.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from retorno.connectors.simkit import BodyTooLarge, SimHandler, SimServer, check_local_url
from retorno.connectors.woocommerce.sim import page
from retorno.connectors.woocommerce.sim.store import Event, WooError, WooState, invalid_id
from retorno.connectors.woocommerce.sim.webhooks import WebhookSender

logger = logging.getLogger(__name__)
PREFIX = "/wp-json/wc/v3"
ORDER_TOPICS = ("order.created", "order.updated")


class WooSimulator(SimServer):
    """One simulated store: its state, its webhook sender, its server."""

    thread_name = "woo-sim"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 8058,
        state_dir: str | None = None,
        seed: dict[str, Any] | None = None,
        consumer_key: str = "ck_demo",
        consumer_secret: str = "cs_demo",  # noqa: S107 (the local store's demo key)
        webhook_url: str | None = None,
        webhook_secret: str = "woo-sim-secret",  # noqa: S107 (the local store's demo secret)
    ):
        check_local_url(webhook_url)
        self.state = WooState(state_dir, seed)
        self.consumer_key, self.consumer_secret = consumer_key, consumer_secret
        self._listen(host, port, _Handler)
        self.sender = WebhookSender(self.state, site_url=self.url)
        if webhook_url:
            with self.state.changing() as data:
                known = {(w["topic"], w["delivery_url"]) for w in data["webhooks"].values()}
                for topic in ORDER_TOPICS:
                    if (topic, webhook_url) not in known:
                        self.state.webhook_add(
                            {
                                "topic": topic,
                                "delivery_url": webhook_url,
                                "secret": webhook_secret,
                                "name": f"Retorno {topic}",
                            }
                        )

    def place_order(self, spec: dict[str, Any]) -> dict[str, Any]:
        """A customer's checkout: paid (processing), and completed (shipped) unless told not."""
        with self.state.changing():
            order, events = self.state.order_create(
                {
                    "billing": {
                        "email": spec.get("email") or "cliente@example.com",
                        "first_name": spec.get("first_name") or "Lucía",
                        "last_name": spec.get("last_name") or "García",
                        "address_1": spec.get("address_1") or "Calle Mayor 1",
                        "city": spec.get("city") or "Madrid",
                        "postcode": spec.get("postcode") or "28013",
                        "country": spec.get("country") or "ES",
                    },
                    "line_items": [
                        {"sku": li["sku"], "quantity": int(li.get("quantity", 1))}
                        for li in spec.get("lines") or []
                    ],
                    "shipping_lines": [
                        {"method_title": "Envío estándar", "total": spec.get("shipping", "4.95")}
                    ],
                    "payment_method": spec.get("payment_method") or "stripe",
                    "set_paid": True,
                    "created_via": "checkout",
                }
            )
            if spec.get("complete", True):
                events += self.state.order_update(order, {"status": "completed"})
        self.sender.enqueue(events)
        return order


def _page_args(query: dict[str, str]) -> tuple[int, int]:
    params: dict[str, str] = {}
    try:
        per_page = int(query.get("per_page", "10"))
    except ValueError:
        per_page = 0
    if not 1 <= per_page <= 100:
        params["per_page"] = "per_page must be between 1 (inclusive) and 100 (inclusive)"
    try:
        page_number = int(query.get("page", "1"))
    except ValueError:
        page_number = 0
    if page_number < 1:
        params["page"] = "page must be greater than or equal to 1"
    if params:
        raise WooError(
            400, "rest_invalid_param", f"Invalid parameter(s): {', '.join(params)}", params=params
        )
    return page_number, per_page


def _date_arg(query: dict[str, str], name: str) -> str | None:
    value = query.get(name)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise WooError(
            400,
            "rest_invalid_param",
            f"Invalid parameter(s): {name}",
            params={name: "Invalid date."},
        ) from None
    # The site is on UTC: a date with a zone is read in UTC, one without as the site's time.
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S")


class _Handler(SimHandler):
    server: ThreadingHTTPServer

    @property
    def sim(self) -> WooSimulator:
        return self.server.sim  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    # -- dispatch -------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            if parts.path == "/" and method == "GET":
                self._send(200, page.render(self.sim).encode(), "text/html; charset=utf-8")
            elif parts.path == "/_state" and method == "GET":
                with self.sim.state.lock:
                    self._json(200, self.sim.state.data)
            elif parts.path == "/_control" and method == "POST":
                self._control()
            elif parts.path == "/orders" and method == "POST":
                form = {k: v[-1] for k, v in parse_qs(self._body().decode()).items()}
                self.sim.place_order(
                    {
                        **form,
                        "lines": [{"sku": form.get("sku"), "quantity": form.get("quantity") or 1}],
                        "complete": form.get("complete") == "on",
                    }
                )
                self._send(303, b"", headers={"Location": "/"})
            elif parts.path.startswith(PREFIX + "/"):
                self._api(method, parts.path[len(PREFIX) :], query)
            else:
                raise WooError(
                    404, "rest_no_route", "No route was found matching the URL and request method."
                )
        except WooError as error:
            self._json(error.status, error.body())
        except BodyTooLarge:
            self._json(
                413,
                {
                    "code": "rest_too_large",
                    "message": "Request body too large.",
                    "data": {"status": 413},
                },
            )
        except Exception:  # a simulator bug must not kill the thread silently
            logger.exception("woo-sim: %s %s failed", method, self.path)
            self._json(
                500,
                {
                    "code": "internal_server_error",
                    "message": "There has been a critical error on this website.",
                    "data": {"status": 500},
                },
            )

    def _authenticated(self, query: dict[str, str]) -> None:
        key = secret = ""
        header = self.headers.get("Authorization") or ""
        if header.lower().startswith("basic "):
            try:
                key, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                key = secret = ""
        elif "consumer_key" in query:
            key, secret = query.get("consumer_key", ""), query.get("consumer_secret", "")
        if not key:
            raise WooError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        if key != self.sim.consumer_key:
            raise WooError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        if secret != self.sim.consumer_secret:
            raise WooError(
                401, "woocommerce_rest_authentication_error", "Consumer secret is invalid."
            )

    def _input(self) -> dict[str, Any]:
        raw = self._body()
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            raise WooError(
                400, "rest_invalid_json", "Invalid JSON body passed.", details={}
            ) from None
        if not isinstance(data, dict):
            raise WooError(400, "rest_invalid_json", "Invalid JSON body passed.", details={})
        return data

    def _list(self, items: list[dict[str, Any]], query: dict[str, str], path: str) -> None:
        page_number, per_page = _page_args(query)
        total = len(items)
        pages = math.ceil(total / per_page) if total else 0
        chunk = items[(page_number - 1) * per_page : page_number * per_page]
        links = []
        for rel, number in (("prev", page_number - 1), ("next", page_number + 1)):
            if 1 <= number <= pages:
                link = urlencode({**query, "page": number})
                links.append(f'<{self.sim.url}{PREFIX}{path}?{link}>; rel="{rel}"')
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        if links:
            headers["Link"] = ", ".join(links)
        self._json(200, chunk, headers)

    def _api(self, method: str, path: str, query: dict[str, str]) -> None:
        self._authenticated(query)
        fault = self.sim.take_fault()
        if fault is not None:
            status, retry_after = fault
            if status == 429:
                self._json(
                    429,
                    {
                        "code": "too_many_requests",
                        "message": "Too many requests.",
                        "data": {"status": 429},
                    },
                    {"Retry-After": str(retry_after)},
                )
            else:
                self._json(
                    status,
                    {
                        "code": "internal_server_error",
                        "message": "There has been a critical error on this website.",
                        "data": {"status": status},
                    },
                )
            return
        state, sender = self.sim.state, self.sim.sender
        events: list[Event] = []
        with state.changing():
            answer, status = self._route(method, path, query, events)
        sender.enqueue(events)
        if status == 0:
            return  # a list, already sent with its headers
        self._json(status, answer)

    def _route(
        self, method: str, path: str, query: dict[str, str], events: list[Event]
    ) -> tuple[Any, int]:
        state = self.sim.state
        if path == "/system_status" and method == "GET":
            return {
                "environment": {
                    "home_url": self.sim.url,
                    "site_url": self.sim.url,
                    "version": "9.4.2",
                    "wp_version": "6.7",
                },
                "settings": {"currency": state.data["store"]["currency"], "api_enabled": True},
                "store": {"name": state.data["store"]["name"]},
            }, 200
        if path == "/orders":
            if method == "GET":
                self._list(_orders(state, query), query, path)
                return None, 0
            if method == "POST":
                order, made = state.order_create(self._input())
                events += made
                return order, 201
        if m := re.fullmatch(r"/orders/(\d+)", path):
            order = state.order(m[1])
            if method == "GET":
                return order, 200
            if method == "PUT":
                events += state.order_update(order, self._input())
                return order, 200
        if m := re.fullmatch(r"/orders/(\d+)/refunds", path):
            order = state.order(m[1])
            if method == "GET":
                self._list(state.refunds_of(order), query, path)
                return None, 0
            if method == "POST":
                refund, made = state.refund_create(order, self._input())
                events += made
                return refund, 201
        if m := re.fullmatch(r"/orders/(\d+)/notes", path):
            order = state.order(m[1])
            if method == "GET":
                return state.notes_of(order), 200
            if method == "POST":
                return state.note_add(order, self._input()), 201
        if m := re.fullmatch(r"/orders/(\d+)/refunds/(\d+)", path):
            order = state.order(m[1])
            found = next((r for r in state.refunds_of(order) if r["id"] == int(m[2])), None)
            if found is None:
                raise WooError(404, "woocommerce_rest_invalid_id", "Invalid ID.")
            return found, 200
        if path == "/products" and method == "GET":
            skus = set((query.get("sku") or "").split(",")) - {""}
            items = [
                p
                for p in state.data["products"].values()
                if (p["sku"] in skus if skus else p["type"] != "variation")
            ]
            self._list(sorted(items, key=lambda p: -p["id"]), query, path)
            return None, 0
        if m := re.fullmatch(r"/products/(\d+)(?:/variations/(\d+))?", path):
            item = state.item(m[2] or m[1])
            if (
                item is None
                or (m[2] and item["parent_id"] != int(m[1]))
                or (not m[2] and item["type"] == "variation")
            ):
                raise WooError(
                    404,
                    "woocommerce_rest_product_invalid_id"
                    if not m[2]
                    else "woocommerce_rest_product_variation_invalid_id",
                    "Invalid ID.",
                )
            if method == "GET":
                return item, 200
            if method == "PUT":
                state.item_update(item, self._input())
                events.append(("product.updated", state.item(item["parent_id"]) or item))
                return item, 200
        if m := re.fullmatch(r"/products/(\d+)/variations", path):
            parent = state.item(m[1])
            if parent is None or parent["type"] != "variable":
                raise WooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
            skus = set((query.get("sku") or "").split(",")) - {""}
            items = [state.item(v) for v in parent["variations"]]
            self._list([v for v in items if v and (not skus or v["sku"] in skus)], query, path)
            return None, 0
        if path == "/webhooks":
            if method == "GET":
                self._list(
                    sorted(state.data["webhooks"].values(), key=lambda w: -w["id"]), query, path
                )
                return None, 0
            if method == "POST":
                spec = self._input()
                check = spec.get("delivery_url")
                try:
                    check_local_url(check)
                except ValueError:
                    raise WooError(
                        400,
                        "rest_invalid_param",
                        "Invalid parameter(s): delivery_url",
                        params={"delivery_url": "The simulator delivers only to this machine."},
                    ) from None
                webhook = state.webhook_add(spec)
                if webhook["status"] == "active":
                    self.sim.sender.ping(webhook["id"])
                return webhook, 201
        if m := re.fullmatch(r"/webhooks/(\d+)", path):
            webhook = state.data["webhooks"].get(m[1])
            if webhook is None:
                raise WooError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
            if method == "GET":
                return webhook, 200
            if method == "PUT":
                changes = self._input()
                if changes.get("status") in ("active", "paused", "disabled"):
                    webhook["status"] = changes["status"]
                    if changes["status"] == "active":
                        webhook["failure_count"] = 0
                for key in ("name", "secret", "delivery_url"):
                    if changes.get(key):
                        webhook[key] = str(changes[key])
                return webhook, 200
            if method == "DELETE":
                if query.get("force") not in ("true", "1"):
                    raise WooError(
                        501,
                        "woocommerce_rest_trash_not_supported",
                        "Webhooks do not support trashing.",
                    )
                del state.data["webhooks"][m[1]]
                return webhook, 200
        if re.fullmatch(r"/orders/.*", path):
            raise invalid_id()
        raise WooError(
            404, "rest_no_route", "No route was found matching the URL and request method."
        )

    def _control(self) -> None:
        try:
            data = json.loads(self._body() or b"{}")
        except ValueError:
            raise WooError(400, "rest_invalid_json", "Invalid JSON body passed.") from None
        result: dict[str, Any] = {"ok": True}
        if "fail_next" in data:
            with self.sim.faults_lock:
                self.sim.faults = [
                    (int(data.get("status", 500)), int(data.get("retry_after", 1)))
                ] * int(data["fail_next"])
        if "order" in data:
            result["order_id"] = self.sim.place_order(data["order"])["id"]
        if "complete" in data:
            with self.sim.state.changing():
                events = self.sim.state.order_update(
                    self.sim.state.order(data["complete"]), {"status": "completed"}
                )
            self.sim.sender.enqueue(events)
        if data.get("send_webhooks"):
            result["sent"] = self.sim.sender.send_all()
        result["api_calls"] = self.sim.api_calls
        self._json(200, result)


def _orders(state: WooState, query: dict[str, str]) -> list[dict[str, Any]]:
    """GET /orders: filtered and sorted as WooCommerce does (default: newest first by date)."""
    orders = list(state.data["orders"].values())
    for name, field, keep in (
        ("modified_after", "date_modified_gmt", lambda v, d: v > d),
        ("modified_before", "date_modified_gmt", lambda v, d: v < d),
        ("after", "date_created_gmt", lambda v, d: v > d),
        ("before", "date_created_gmt", lambda v, d: v < d),
    ):
        bound = _date_arg(query, name)
        if bound is not None:
            orders = [o for o in orders if keep(o[field], bound)]
    statuses = set((query.get("status") or "any").split(","))
    if "any" not in statuses:
        orders = [o for o in orders if o["status"] in statuses]
    search = (query.get("search") or "").strip().lower()
    if search:
        orders = [
            o
            for o in orders
            if search
            in " ".join(
                [
                    o["number"],
                    o["billing"]["email"],
                    o["billing"]["first_name"],
                    o["billing"]["last_name"],
                ]
                + [li["name"] for li in o["line_items"]]
            ).lower()
        ]
    orderby = query.get("orderby") or "date"
    key = {"id": "id", "modified": "date_modified_gmt"}.get(orderby, "date_created_gmt")
    orders.sort(key=lambda o: (o[key], o["id"]), reverse=(query.get("order") or "desc") == "desc")
    return orders
