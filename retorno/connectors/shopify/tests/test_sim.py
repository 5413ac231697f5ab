"""The shop simulator over real HTTP on loopback: the Admin API's auth, cost and throttle, the
mutations' user errors and idempotency, and signed webhooks with retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from retorno.connectors.shopify.sim.server import ShopSimulator

TOKEN = "shpat_test"
SECRET = "whsec-shopify-test"


class Receiver:
    """A webhook receiver on loopback that fails its first `fail` requests."""

    def __init__(self, fail: int = 0):
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.fail = fail
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers.items()), body))
                status = 500 if receiver.fail > 0 else 200
                receiver.fail -= 1
                self.send_response(status)
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
def sim(tmp_path, receiver):
    s = ShopSimulator(
        port=0,
        state_dir=str(tmp_path),
        access_token=TOKEN,
        webhook_url=receiver.url,
        webhook_secret=SECRET,
        retry_delays=(0.05, 0.05, 0.05),
    )
    s.start_in_thread()
    yield s
    s.shutdown()


def call(sim: ShopSimulator, query: str, variables: dict | None = None, token: str = TOKEN):
    request = urllib.request.Request(
        f"{sim.url}/admin/api/2026-04/graphql.json",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"X-Shopify-Access-Token": token, "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, dict(answer.headers.items()), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), json.loads(error.read() or b"null")


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


ORDERS = """query($after: String) { orders(first: 2, after: $after) {
  nodes { id name lineItems(first: 5) { nodes { id sku } } }
  pageInfo { hasNextPage endCursor } } }"""


def test_wrong_token_is_401(sim):
    status, _, body = call(sim, "{ shop { name } }", token="nope")
    assert status == 401
    assert "Invalid API key or access token" in body["errors"]


def test_orders_page_through_with_cost(sim):
    for _ in range(3):
        sim.place_order({"lines": [{"sku": "SIM-TSH-M", "quantity": 1}]})
    status, headers, body = call(sim, ORDERS)
    assert status == 200
    assert headers["X-Shopify-API-Version"] == "2026-04"
    first = body["data"]["orders"]
    assert [o["name"] for o in first["nodes"]] == ["#1001", "#1002"]
    assert first["pageInfo"]["hasNextPage"] is True
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 2 * (1 + 2 + 5 * 1)
    assert cost["actualQueryCost"] < cost["requestedQueryCost"]
    assert cost["throttleStatus"]["maximumAvailable"] == 2000.0
    _, _, body = call(sim, ORDERS, {"after": first["pageInfo"]["endCursor"]})
    assert [o["name"] for o in body["data"]["orders"]["nodes"]] == ["#1003"]
    assert body["data"]["orders"]["pageInfo"]["hasNextPage"] is False


def test_throttled_when_the_bucket_is_empty(sim):
    sim.bucket.drain()
    status, _, body = call(sim, ORDERS)
    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < 20


def test_injected_429_carries_retry_after_then_recovers(sim):
    sim.faults = [(429, 3)]
    status, headers, _ = call(sim, "{ shop { name } }")
    assert status == 429
    assert headers["Retry-After"] == "3"
    status, _, body = call(sim, "{ shop { name } }")
    assert status == 200
    assert body["data"]["shop"]["name"]


RETURN_CREATE = """mutation($input: ReturnInput!) { returnCreate(returnInput: $input) {
  return { id status reverseFulfillmentOrders(first: 1) { nodes { id } } }
  userErrors { field message code } } }"""


def _fli(sim, order_id):
    order = sim.state.order(order_id)
    return f"gid://shopify/FulfillmentLineItem/{order['fulfillments'][0]['line_items'][0]['id']}"


def test_return_create_refuses_more_than_fulfilled(sim):
    order = sim.place_order({"lines": [{"sku": "SIM-TSH-M", "quantity": 1}]})
    variables = {
        "input": {
            "orderId": f"gid://shopify/Order/{order['id']}",
            "returnLineItems": [{"fulfillmentLineItemId": _fli(sim, order["id"]), "quantity": 2}],
        }
    }
    _, _, body = call(sim, RETURN_CREATE, variables)
    assert body["data"]["returnCreate"]["return"] is None
    assert body["data"]["returnCreate"]["userErrors"][0]["code"] == "INVALID_QUANTITY"
    variables["input"]["returnLineItems"][0]["quantity"] = 1
    _, _, body = call(sim, RETURN_CREATE, variables)
    assert body["data"]["returnCreate"]["return"]["status"] == "OPEN"


ADJUST = """mutation($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { delta quantityAfterChange } }
    userErrors { field message code } } }"""


def test_inventory_adjustment_is_once_per_idempotency_key(sim):
    variant = sim.state.variant_by_sku("SIM-TSH-L")
    location = sim.state.data["locations"][1]["id"]
    variables = {
        "key": "restock-1",
        "input": {
            "reason": "restock",
            "name": "available",
            "changes": [
                {
                    "delta": 2,
                    "inventoryItemId": f"gid://shopify/InventoryItem/{variant['inventory_item_id']}",
                    "locationId": f"gid://shopify/Location/{location}",
                }
            ],
        },
    }
    first = call(sim, ADJUST, variables)[2]["data"]["inventoryAdjustQuantities"]
    assert first["userErrors"] == [], first
    again = call(sim, ADJUST, variables)[2]["data"]["inventoryAdjustQuantities"]
    assert first == again
    assert sim.state.available(variant["inventory_item_id"], location) == 2
    variables["input"]["changes"][0]["delta"] = 3
    _, _, body = call(sim, ADJUST, variables)
    assert body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    no_key = ADJUST.replace(" @idempotent(key: $key)", "").replace(", $key: String!", "")
    del variables["key"]
    _, _, body = call(sim, no_key, variables)
    assert body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REQUIRED"


def test_webhooks_are_signed_and_retried(tmp_path):
    receiver = Receiver(fail=1)
    sim = ShopSimulator(
        port=0,
        state_dir=str(tmp_path),
        access_token=TOKEN,
        webhook_url=receiver.url,
        webhook_secret=SECRET,
        retry_delays=(0.05,),
    )
    sim.start_in_thread()
    try:
        order = sim.place_order({"lines": [{"sku": "SIM-TSH-M", "quantity": 1}], "fulfil": False})
        wait_for(lambda: len(receiver.received) >= 2)
        (h1, b1), (h2, b2) = receiver.received[:2]
        assert h1["X-Shopify-Webhook-Id"] == h2["X-Shopify-Webhook-Id"]  # the retry
        assert b1 == b2
        expected = base64.b64encode(hmac.new(SECRET.encode(), b2, hashlib.sha256).digest())
        assert h2["X-Shopify-Hmac-Sha256"] == expected.decode()
        assert h2["X-Shopify-Topic"] == "orders/create"
        assert h2["X-Shopify-Shop-Domain"] == "tienda-demo.myshopify.com"
        assert json.loads(b2)["id"] == order["id"]
        log = sim.state.data["webhook_log"]
        assert [e["status"] for e in log[:2]] == [500, 200]
    finally:
        sim.shutdown()
        receiver.close()


def test_state_survives_a_restart(tmp_path):
    first = ShopSimulator(port=0, state_dir=str(tmp_path))
    order = first.place_order({"lines": [{"sku": "SIM-TSH-M", "quantity": 1}]})
    first.httpd.server_close()
    second = ShopSimulator(port=0, state_dir=str(tmp_path))
    assert second.state.order(order["id"])["name"] == "#1001"
    second.httpd.server_close()


def test_non_local_webhook_url_is_refused():
    with pytest.raises(ValueError, match="this machine"):
        ShopSimulator(port=0, webhook_url="https://example.com/hooks")
