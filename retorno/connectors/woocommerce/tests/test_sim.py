"""The WooCommerce simulator over real HTTP on loopback: REST API v3 authentication, pagination
headers, filters, refunds with api_refund / api_restock, stock, errors in WooCommerce's shape,
and webhooks signed with X-WC-Webhook-Signature that are never retried and disable themselves
after five failures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from retorno.connectors.woocommerce.sim.server import PREFIX, WooSimulator

KEY, SECRET = "ck_test_123", "cs_test_456"
HOOK_SECRET = "woo-hook-secret"


class Receiver:
    """A webhook receiver on loopback answering `status` to every delivery."""

    def __init__(self, status: int = 200):
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def sim(receiver, tmp_path):
    s = WooSimulator(
        port=0,
        state_dir=str(tmp_path),
        consumer_key=KEY,
        consumer_secret=SECRET,
        webhook_url=receiver.url,
        webhook_secret=HOOK_SECRET,
    )
    s.httpd.timeout = 1
    threading.Thread(target=s.httpd.serve_forever, daemon=True).start()
    yield s
    s.shutdown()


def call(
    sim: WooSimulator,
    method: str,
    path: str,
    body: Any = None,
    *,
    auth: tuple[str, str] | None = (KEY, SECRET),
) -> tuple[int, dict[str, str], Any]:
    headers = {"Content-Type": "application/json"}
    if auth is not None:
        headers["Authorization"] = (
            "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        )
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{sim.url}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, dict(answer.headers.items()), json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), json.loads(error.read() or b"null")


def control(sim: WooSimulator, body: dict[str, Any]) -> dict[str, Any]:
    status, _, answer = call(sim, "POST", "/_control", body, auth=None)
    assert status == 200, answer
    return answer


def place(sim: WooSimulator, **spec: Any) -> int:
    spec.setdefault("lines", [{"sku": "WOO-HOOD-M", "quantity": 2}, {"sku": "WOO-CAP"}])
    return control(sim, {"order": spec})["order_id"]


def test_authentication_as_woocommerce_answers(sim):
    status, _, body = call(sim, "GET", f"{PREFIX}/orders", auth=None)
    assert (status, body["code"]) == (401, "woocommerce_rest_cannot_view")
    assert body["data"] == {"status": 401}
    status, _, body = call(sim, "GET", f"{PREFIX}/orders", auth=("ck_wrong", SECRET))
    assert (status, body["message"]) == (401, "Consumer key is invalid.")
    status, _, body = call(sim, "GET", f"{PREFIX}/orders", auth=(KEY, "cs_wrong"))
    assert (status, body["message"]) == (401, "Consumer secret is invalid.")
    query = f"{PREFIX}/orders?consumer_key={KEY}&consumer_secret={SECRET}"
    assert call(sim, "GET", query, auth=None)[0] == 200


def test_an_order_as_the_rest_api_shows_it(sim):
    order_id = place(sim, email="ana@example.com")
    status, _, order = call(sim, "GET", f"{PREFIX}/orders/{order_id}")
    assert status == 200
    assert order["status"] == "completed"
    assert order["date_completed_gmt"]
    assert order["billing"]["email"] == "ana@example.com"
    hoodie, cap = order["line_items"]
    assert (hoodie["sku"], hoodie["quantity"], hoodie["subtotal"]) == ("WOO-HOOD-M", 2, "79.90")
    assert hoodie["variation_id"]
    assert hoodie["product_id"] != hoodie["variation_id"]
    assert hoodie["meta_data"][0]["display_value"] == "M"
    assert hoodie["taxes"][0]["id"] == 1
    assert hoodie["total_tax"] == "16.78"
    assert cap["variation_id"] == 0
    # 79.90 + 14.95 + 4.95 shipping, and 21 % on each.
    assert order["total"] == "120.76"
    missing = call(sim, "GET", f"{PREFIX}/orders/999999")
    assert missing[0] == 404
    assert missing[2] == {
        "code": "woocommerce_rest_shop_order_invalid_id",
        "message": "Invalid ID.",
        "data": {"status": 404},
    }


def test_lists_are_paged_with_wp_headers_and_filtered(sim):
    ids = [place(sim, email=f"c{i}@example.com") for i in range(5)]
    status, headers, first = call(sim, "GET", f"{PREFIX}/orders?per_page=2&orderby=id&order=asc")
    assert status == 200
    assert (headers["X-WP-Total"], headers["X-WP-TotalPages"]) == ("5", "3")
    assert [o["id"] for o in first] == ids[:2]
    assert 'rel="next"' in headers["Link"]
    assert 'rel="prev"' not in headers["Link"]
    _, headers, last = call(sim, "GET", f"{PREFIX}/orders?per_page=2&page=3&orderby=id&order=asc")
    assert [o["id"] for o in last] == ids[4:]
    assert 'rel="prev"' in headers["Link"]
    status, _, body = call(sim, "GET", f"{PREFIX}/orders?per_page=101")
    assert (status, body["code"]) == (400, "rest_invalid_param")
    assert "per_page" in body["data"]["params"]
    status, _, body = call(sim, "GET", f"{PREFIX}/orders?modified_after=yesterday")
    assert (status, body["data"]["params"]) == (400, {"modified_after": "Invalid date."})
    later = call(sim, "GET", f"{PREFIX}/orders?modified_after=2999-01-01T00:00:00")
    assert later[2] == []
    assert later[1]["X-WP-Total"] == "0"
    found = call(sim, "GET", f"{PREFIX}/orders?search=c3@example.com")[2]
    assert [o["id"] for o in found] == [ids[3]]


def test_a_refund_through_the_gateway_with_restock(sim):
    order_id = place(sim)
    variation = call(sim, "GET", f"{PREFIX}/products?sku=WOO-HOOD-M")[2][0]
    assert variation["type"] == "variation"
    assert variation["stock_quantity"] == 13
    order = call(sim, "GET", f"{PREFIX}/orders/{order_id}")[2]
    line = order["line_items"][0]
    status, _, refund = call(
        sim,
        "POST",
        f"{PREFIX}/orders/{order_id}/refunds",
        {
            "amount": "48.34",
            "reason": "Retorno R-1",
            "line_items": [
                {
                    "id": line["id"],
                    "quantity": 1,
                    "refund_total": "39.95",
                    "refund_tax": [{"id": 1, "refund_total": "8.39"}],
                }
            ],
            "meta_data": [{"key": "retorno_idempotency_key", "value": "k-1"}],
            "api_refund": True,
            "api_restock": True,
        },
    )
    assert status == 201, refund
    assert (refund["amount"], refund["refunded_payment"]) == ("48.34", True)
    assert refund["line_items"][0]["quantity"] == -1
    assert refund["meta_data"][0]["value"] == "k-1"
    path = f"{PREFIX}/products/{variation['parent_id']}/variations/{variation['id']}"
    assert call(sim, "GET", path)[2]["stock_quantity"] == 14
    state = call(sim, "GET", "/_state", auth=None)[2]
    assert [g["amount"] for g in state["gateway_refunds"]] == ["48.34"]
    listed = call(sim, "GET", f"{PREFIX}/orders/{order_id}/refunds")[2]
    assert [r["id"] for r in listed] == [refund["id"]]
    order = call(sim, "GET", f"{PREFIX}/orders/{order_id}")[2]
    assert order["refunds"] == [{"id": refund["id"], "reason": "Retorno R-1", "total": "-48.34"}]
    assert order["status"] == "completed"


def test_refunds_woocommerce_refuses(sim):
    order_id = place(sim)
    path = f"{PREFIX}/orders/{order_id}/refunds"
    status, _, body = call(sim, "POST", path, {"amount": "0"})
    assert (status, body["code"]) == (400, "woocommerce_rest_invalid_order_refund")
    status, _, body = call(sim, "POST", path, {"amount": "1000.00"})
    assert (status, body["message"]) == (500, "Invalid refund amount.")
    cash = place(sim, payment_method="cod")
    status, _, body = call(sim, "POST", f"{PREFIX}/orders/{cash}/refunds", {"amount": "5.00"})
    assert (status, body["code"]) == (500, "woocommerce_rest_cannot_create_order_refund")
    assert "does not support automatic refunds" in body["message"]
    manual = call(
        sim, "POST", f"{PREFIX}/orders/{cash}/refunds", {"amount": "5.00", "api_refund": False}
    )
    assert manual[0] == 201
    assert manual[2]["refunded_payment"] is False
    whole = call(sim, "POST", path, {"amount": "120.76", "api_restock": False})
    assert whole[0] == 201
    assert call(sim, "GET", f"{PREFIX}/orders/{order_id}")[2]["status"] == "refunded"


def test_stock_and_meta_data_are_written_with_put(sim):
    cap = call(sim, "GET", f"{PREFIX}/products?sku=WOO-CAP")[2][0]
    status, _, updated = call(
        sim,
        "PUT",
        f"{PREFIX}/products/{cap['id']}",
        {"stock_quantity": 33, "meta_data": [{"key": "retorno_restock:x", "value": "3"}]},
    )
    assert status == 200
    assert updated["stock_quantity"] == 33
    assert updated["meta_data"][0]["key"] == "retorno_restock:x"
    status, _, body = call(sim, "PUT", f"{PREFIX}/products/{cap['id']}", {"stock_quantity": "x"})
    assert (status, body["code"]) == (400, "rest_invalid_param")


def test_faults_are_injected_for_the_next_calls(sim):
    control(sim, {"fail_next": 1, "status": 429, "retry_after": 7})
    status, headers, _body = call(sim, "GET", f"{PREFIX}/orders")
    assert (status, headers["Retry-After"]) == (429, "7")
    control(sim, {"fail_next": 1, "status": 503})
    assert call(sim, "GET", f"{PREFIX}/orders")[0] == 503
    assert call(sim, "GET", f"{PREFIX}/orders")[0] == 200


def test_webhooks_are_signed_once_per_delivery(sim, receiver):
    order_id = place(sim, complete=False)
    control(sim, {"send_webhooks": True})
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    expected = base64.b64encode(
        hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).digest()
    ).decode()
    assert headers["x-wc-webhook-signature"] == expected
    assert headers["x-wc-webhook-topic"] == "order.created"
    assert (headers["x-wc-webhook-resource"], headers["x-wc-webhook-event"]) == ("order", "created")
    assert headers["x-wc-webhook-source"] == sim.url + "/"
    assert len(headers["x-wc-webhook-delivery-id"]) == 32
    assert json.loads(body)["id"] == order_id
    control(sim, {"complete": order_id})
    control(sim, {"send_webhooks": True})
    headers, body = receiver.received[1]
    assert headers["x-wc-webhook-topic"] == "order.updated"
    assert json.loads(body)["status"] == "completed"


def test_failed_deliveries_are_not_retried_and_disable_the_webhook(sim, receiver):
    receiver.status = 500
    for _ in range(6):
        place(sim, complete=False)
        control(sim, {"send_webhooks": True})
    assert len(receiver.received) == 6  # one attempt each, no retries
    hooks = call(sim, "GET", f"{PREFIX}/webhooks")[2]
    created = next(w for w in hooks if w["topic"] == "order.created")
    assert (created["status"], created["failure_count"]) == ("disabled", 6)
    receiver.status = 200
    place(sim, complete=False)
    control(sim, {"send_webhooks": True})
    assert len(receiver.received) == 6  # a disabled webhook sends nothing
    call(sim, "PUT", f"{PREFIX}/webhooks/{created['id']}", {"status": "active"})
    place(sim, complete=False)
    control(sim, {"send_webhooks": True})
    assert len(receiver.received) == 7


def test_a_new_webhook_is_pinged_without_a_signature(sim, receiver):
    status, _, hook = call(
        sim,
        "POST",
        f"{PREFIX}/webhooks",
        {"topic": "product.updated", "delivery_url": receiver.url, "secret": "s"},
    )
    assert status == 201
    control(sim, {"send_webhooks": True})
    headers, body = receiver.received[-1]
    assert body == f"webhook_id={hook['id']}".encode()
    assert "x-wc-webhook-signature" not in headers
    status, _, body = call(
        sim,
        "POST",
        f"{PREFIX}/webhooks",
        {"topic": "order.created", "delivery_url": "http://example.com/x"},
    )
    assert status == 400


def test_state_survives_a_restart(sim, tmp_path):
    order_id = place(sim)
    again = WooSimulator(port=0, state_dir=str(tmp_path), consumer_key=KEY, consumer_secret=SECRET)
    try:
        assert again.state.order(order_id)["id"] == order_id
    finally:
        again.httpd.server_close()
