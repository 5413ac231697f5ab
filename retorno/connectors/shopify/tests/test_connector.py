"""The connector against the shop simulator over HTTP on loopback: connecting, webhooks in
(verified, deduplicated, mapped, failures kept), a return asked for in Shopify, the return's
steps out to Shopify, restocks, and the backfill through 429 and throttling."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import replace
from decimal import Decimal

import pytest

from retorno.connectors.records import ReceiptStatus
from retorno.connectors.shopify import backfill, services, sync
from retorno.connectors.shopify.models import (
    ShopifyCall,
    ShopifyReturnLink,
    ShopifyWebhookReceipt,
)
from retorno.connectors.shopify.sim import payloads
from retorno.connectors.shopify.sim.server import ShopSimulator
from retorno.core.actors import SYSTEM
from retorno.integrations.payments import registry
from retorno.integrations.payments.base import OutcomeStatus, PaymentUnavailable, RefundRequest
from retorno.orders.models import Order
from retorno.returns.models import Return
from retorno.returns.services import return_approve, return_close

TOKEN = "shpat_connector_test"
SECRET = "shopify-app-secret-123"
DOMAIN = "tienda-demo.myshopify.com"
HOOK = "/connectors/shopify/webhooks"


@pytest.fixture
def sim(tmp_path):
    s = ShopSimulator(port=0, state_dir=str(tmp_path), access_token=TOKEN, webhook_secret=SECRET)
    s.start_in_thread()
    yield s
    s.shutdown()


@pytest.fixture
def connected(api, sim):
    answer = api.send(
        "put",
        "/connectors/shopify",
        {
            "shop_domain": DOMAIN,
            "access_token": TOKEN,
            "webhook_secret": SECRET,
            "api_base_url": sim.url,
        },
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


def signed(body: bytes, secret: str = SECRET, **extra: str) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {
        "X-Shopify-Hmac-Sha256": digest,
        "X-Shopify-Shop-Domain": DOMAIN,
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Webhook-Id": "wh-1",
        **extra,
    }


def deliver(api, body: bytes, headers: dict[str, str], capture) -> object:
    with capture(execute=True):
        return api.send("post", HOOK, body, headers=headers)


def test_connect_answers_the_webhook_url_and_hides_the_token(api, connected):
    assert connected["webhook_url"].endswith("/api/v1/connectors/shopify/webhooks")
    assert connected["api_version"] == "2026-04"
    assert "orders/create" in connected["topics"]
    assert TOKEN not in json.dumps(connected)
    assert api.get("/connectors/shopify").json()["token_hint"] == TOKEN[:6]


def test_connect_refuses_a_domain_that_is_not_a_shop(api):
    answer = api.send(
        "put",
        "/connectors/shopify",
        {"shop_domain": "evil.example.com", "access_token": TOKEN, "webhook_secret": SECRET},
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "validation_error"


def test_check_reads_the_shop(api, connected):
    result = api.send("post", "/connectors/shopify/check", {}).json()
    assert result["ok"] is True
    assert result["shop_name"] == "Tienda de prueba"
    assert len(result["locations"]) == 2


def test_check_reports_a_wrong_token(api, sim):
    api.send(
        "put",
        "/connectors/shopify",
        {
            "shop_domain": DOMAIN,
            "access_token": "shpat_wrong",
            "webhook_secret": SECRET,
            "api_base_url": sim.url,
        },
    )
    result = api.send("post", "/connectors/shopify/check", {}).json()
    assert result["ok"] is False
    assert result["code"] == "shopify_unauthorized"


def _order_body(sim, **spec) -> bytes:
    order = sim.place_order({"lines": [{"sku": "SIM-TSH-M", "quantity": 2}], **spec})
    return json.dumps(payloads.order_payload(sim.state, order)).encode(), order


def test_order_webhook_becomes_an_order_once(
    api, connected, sim, django_capture_on_commit_callbacks, store
):
    body, order = _order_body(sim)
    first = deliver(api, body, signed(body), django_capture_on_commit_callbacks)
    again = deliver(api, body, signed(body), django_capture_on_commit_callbacks)
    assert first.status_code == 200
    assert first.json() == {"received": True, "duplicate": False}
    assert again.json() == {"received": True, "duplicate": True}
    stored = Order.objects.get(store=store, external_id=str(order["id"]))
    line = stored.lines.get()
    assert (line.sku, line.quantity, line.vendor) == ("SIM-TSH-M", 2, "Algodón Norte")
    assert line.product_id == str(order["line_items"][0]["product_id"])
    assert stored.number == "#1001"
    assert ShopifyWebhookReceipt.objects.get(store=store).status == ReceiptStatus.PROCESSED


def test_bad_signature_is_401_and_stores_nothing(
    api, connected, sim, django_capture_on_commit_callbacks, store
):
    body, _ = _order_body(sim)
    answer = deliver(
        api, body, signed(body, secret="not-the-secret"), django_capture_on_commit_callbacks
    )
    assert answer.status_code == 401
    assert answer.json()["code"] == "invalid_signature"
    assert not ShopifyWebhookReceipt.objects.filter(store=store).exists()


def test_unknown_shop_is_404(api, connected, sim, django_capture_on_commit_callbacks):
    body, _ = _order_body(sim)
    headers = signed(body, **{"X-Shopify-Shop-Domain": "other.myshopify.com"})
    answer = deliver(api, body, headers, django_capture_on_commit_callbacks)
    assert answer.status_code == 404
    assert answer.json()["code"] == "unknown_shop"


def test_malformed_payload_is_kept_as_failed_with_its_reason(
    api, connected, django_capture_on_commit_callbacks, store
):
    body = b'{"id": 5, "line_items": []}'
    answer = deliver(
        api,
        body,
        signed(body, **{"X-Shopify-Webhook-Id": "wh-bad"}),
        django_capture_on_commit_callbacks,
    )
    assert answer.status_code == 200
    receipt = ShopifyWebhookReceipt.objects.get(store=store, webhook_id="wh-bad")
    assert receipt.status == ReceiptStatus.FAILED
    assert "email" in receipt.error or "line_items" in receipt.error
    assert receipt.body == body.decode()


def test_delivery_date_comes_from_the_fulfillment_event(
    api, connected, sim, django_capture_on_commit_callbacks, store
):
    body, order = _order_body(sim, fulfil=False)
    deliver(api, body, signed(body), django_capture_on_commit_callbacks)
    sim.deliver(order["id"])
    fulfilled = sim.state.order(order["id"])["fulfillments"][0]
    event = fulfilled["events"][-1]
    event_body = json.dumps(
        payloads.fulfillment_event_payload(
            sim.state, sim.state.order(order["id"]), fulfilled, event
        )
    ).encode()
    headers = signed(
        event_body,
        **{"X-Shopify-Topic": "fulfillment_events/create", "X-Shopify-Webhook-Id": "wh-2"},
    )
    deliver(api, event_body, headers, django_capture_on_commit_callbacks)
    stored = Order.objects.get(store=store, external_id=str(order["id"]))
    assert stored.delivered_at is not None
    assert stored.delivered_at.isoformat().startswith(event["happened_at"][:19])


def test_return_requested_in_shopify_becomes_a_return_and_its_approval_goes_back(
    api, connected, sim, django_capture_on_commit_callbacks, store
):
    body, order = _order_body(sim)
    deliver(api, body, signed(body), django_capture_on_commit_callbacks)
    asked = sim.request_return(
        {
            "order_id": order["id"],
            "line_item_id": order["line_items"][0]["id"],
            "quantity": 1,
            "reason": "SIZE_TOO_SMALL",
            "note": "Me queda pequeña",
        }
    )
    return_body = json.dumps(payloads.return_payload(sim.state, asked)).encode()
    headers = signed(
        return_body, **{"X-Shopify-Topic": "returns/request", "X-Shopify-Webhook-Id": "wh-r"}
    )
    deliver(api, return_body, headers, django_capture_on_commit_callbacks)
    link = ShopifyReturnLink.objects.get(store=store)
    created = Return.objects.get(store=store, rma=link.rma)
    assert created.source == "shopify"
    item = created.items.get()
    assert (item.reason, item.quantity_requested) == ("too_small", 1)
    assert "pequeña" in item.comment
    if created.status == "requested" or created.status == "pending_review":
        with django_capture_on_commit_callbacks(execute=True):
            return_approve(store=store, rma=created.rma, actor=SYSTEM)
    assert sim.state.return_(asked["id"])["status"] == "OPEN"
    link.refresh_from_db()
    assert link.shopify_status == "open"


def test_backfill_imports_through_429_and_throttling(api, connected, sim, store):
    for _ in range(23):
        sim.place_order({"lines": [{"sku": "SIM-TSH-L", "quantity": 1}]})
    sim.faults = [(429, 1)]
    sim.bucket.drain(0)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) > 1:  # after the 429, the empty bucket: let it refill
            sim.bucket.give_back(10_000)

    run = services.backfill_start(store=store, days=7)
    done = backfill.backfill_run(run.id, sleep=sleep)
    assert done.status == "done", done.error
    assert (done.total, done.imported, done.pages) == (23, 23, 5)
    assert waits[0] == 1.0  # the 429's Retry-After
    assert len(waits) >= 2  # then the empty bucket's wait
    assert Order.objects.filter(store=store).count() == 23


def test_backfill_of_a_shop_that_fails_keeps_its_place(api, connected, sim, store):
    from retorno.core.outbox import RetryAt

    for _ in range(12):
        sim.place_order({"lines": [{"sku": "SIM-TSH-L", "quantity": 1}]})
    run = services.backfill_start(store=store, days=7)
    sim.faults = [(200, 0)] * 0
    calls = {"n": 0}
    original = sim.take_fault

    def fail_third():
        calls["n"] += 1
        return (500, 0) if calls["n"] == 3 else original()

    sim.take_fault = fail_third
    with pytest.raises(RetryAt):
        backfill.backfill_run(run.id, sleep=lambda s: None)
    run.refresh_from_db()
    assert (run.pages, run.imported) == (1, 5)
    assert "HTTP 500" in run.error
    done = backfill.backfill_run(run.id, sleep=lambda s: None)
    assert (done.status, done.imported) == ("done", 12)


def _mapped_return(api, sim, capture, store):
    """An order and a return asked for in Shopify, both in Retorno, approved."""
    body, order = _order_body(sim)
    deliver(api, body, signed(body), capture)
    asked = sim.request_return(
        {"order_id": order["id"], "line_item_id": order["line_items"][0]["id"], "quantity": 2}
    )
    return_body = json.dumps(payloads.return_payload(sim.state, asked)).encode()
    headers = signed(
        return_body, **{"X-Shopify-Topic": "returns/request", "X-Shopify-Webhook-Id": "wh-r2"}
    )
    deliver(api, return_body, headers, capture)
    link = ShopifyReturnLink.objects.get(store=store)
    sync.sync_step(store, {"step": "approve", "rma": link.rma, "order": str(order["id"])}, "k-a")
    return order, asked, link


def test_label_close_and_restock_reach_shopify_once(
    api, connected, sim, django_capture_on_commit_callbacks, store
):
    order, asked, link = _mapped_return(api, sim, django_capture_on_commit_callbacks, store)
    label = {
        "step": "label",
        "rma": link.rma,
        "order": str(order["id"]),
        "tracking_number": "RT123ES",
        "label_url": "https://retorno.example/labels/x.pdf",
    }
    sync.sync_step(store, label, "k-l")
    link.refresh_from_db()
    link.reverse_delivery_id = ""  # as if the answer had been lost
    link.save()
    sync.sync_step(store, label, "k-l2")
    rfo = sim.state.return_(asked["id"])["reverse_fulfillment_orders"][0]
    assert len(rfo["reverse_deliveries"]) == 1
    assert rfo["reverse_deliveries"][0]["tracking"]["number"] == "RT123ES"

    variant = sim.state.variant_by_sku("SIM-TSH-M")
    shipped_from = sim.state.data["locations"][0]["id"]
    before = sim.state.available(variant["inventory_item_id"], shipped_from)
    restock = {
        "step": "restock",
        "rma": link.rma,
        "order": str(order["id"]),
        "line": str(order["line_items"][0]["id"]),
        "sku": "SIM-TSH-M",
        "quantity": 2,
    }
    sync.sync_step(store, restock, "restock-event-1")
    sync.sync_step(store, restock, "restock-event-1")  # a re-delivered message
    ShopifyCall.objects.filter(store=store).delete()  # even with our record lost
    sync.sync_step(store, restock, "restock-event-1")
    assert sim.state.available(variant["inventory_item_id"], shipped_from) == before + 2
    assert [a["reason"] for a in sim.state.data["adjustments"]] == ["restock"]

    sync.sync_step(store, {"step": "close", "rma": link.rma, "order": str(order["id"])}, "k-c")
    assert sim.state.return_(asked["id"])["status"] == "CLOSED"


def test_refund_through_shopify_is_made_once_per_key(api, connected, sim, store):
    order = sim.place_order({"lines": [{"sku": "SIM-TSH-M", "quantity": 1}]})
    request = RefundRequest(
        idempotency_key="refund-key-1",
        amount=Decimal("19.95"),
        currency="EUR",
        store_id=store.id,
        order_reference=str(order["id"]),
        reference="RMA-1",
    )
    gateway = registry.gateway("shopify")
    first = gateway.refund(request)
    again = gateway.refund(request)
    assert first.status == OutcomeStatus.SUCCEEDED
    assert again.provider_reference == first.provider_reference
    refunds = sim.state.order(order["id"])["refunds"]
    assert len(refunds) == 1
    assert refunds[0]["transactions"][0]["amount"] == "19.95"
    too_much = gateway.refund(replace(request, idempotency_key="k2", amount=Decimal("99")))
    assert too_much.status == OutcomeStatus.FAILED
    assert "exceeds" in too_much.message


def test_refund_when_shopify_is_down_is_unknown_not_failed(api, connected, sim, store):
    order = sim.place_order({"lines": [{"sku": "SIM-TSH-M", "quantity": 1}]})
    sim.faults = [(503, 1)]
    with pytest.raises(PaymentUnavailable):
        registry.gateway("shopify").refund(
            RefundRequest(
                idempotency_key="k-down",
                amount=Decimal("5"),
                currency="EUR",
                store_id=store.id,
                order_reference=str(order["id"]),
                reference="RMA-2",
            )
        )
    assert sim.state.order(order["id"])["refunds"] == []


def test_exchange_becomes_one_shopify_order(api, connected, sim, store):
    facts = {
        "step": "exchange",
        "exchange": "EX-1001",
        "rma": "R-1",
        "currency": "EUR",
        "email": "ana@example.com",
        "lines": [{"sku": "SIM-TSH-L", "units": 1, "unit_price": "19.95"}],
    }
    sync.sync_step(store, facts, "exchange:1")
    ShopifyCall.objects.filter(store=store).delete()  # the answer lost: found by its source
    sync.sync_step(store, facts, "exchange:1")
    made = [o for o in sim.state.data["orders"].values() if "retorno-exchange" in o["tags"]]
    assert len(made) == 1
    assert made[0]["source_identifier"] == "retorno-EX-1001"
    assert [li["sku"] for li in made[0]["line_items"]] == ["SIM-TSH-L"]


def test_connecting_routes_refunds_through_shopify_and_disconnecting_back(api, connected, store):
    from retorno.money.selectors import settings_for

    assert settings_for(store).payment_adapter == "shopify"
    assert api.send("delete", "/connectors/shopify").status_code == 204
    assert settings_for(store).payment_adapter == ""
    assert api.get("/connectors/shopify").status_code == 404


def test_the_cli_backfill_prints_its_progress(api, connected, sim, store):
    from io import StringIO

    from django.core.management import call_command

    for _ in range(7):
        sim.place_order({"lines": [{"sku": "SIM-TSH-L", "quantity": 1}]})
    out = StringIO()
    call_command("shopify_backfill", store=store.slug, days=3, stdout=out)
    text = out.getvalue()
    assert "page 1: 5 of 7 orders imported" in text
    assert "Imported 7 orders in 2 pages." in text


def test_a_return_refunded_in_full_is_closed_in_shopify_once(
    api, connected, sim, django_capture_on_commit_callbacks, store
):
    """Refunded through Shopify at inspection, with nothing left to do: Retorno resolves the
    return and Shopify's return is closed, once, however often the step is sent (and a later
    close in Retorno sends nothing more)."""
    from retorno.core.models import OutboxMessage
    from retorno.money.tests.conftest import WAREHOUSE, set_policy_base
    from retorno.returns.workflows import inspection, receiving

    capture = django_capture_on_commit_callbacks
    set_policy_base(store, refund_timing="on_inspection")
    order, asked, link = _mapped_return(api, sim, capture, store)
    ret = Return.objects.get(store=store, rma=link.rma)
    if ret.status in ("requested", "pending_review"):
        with capture(execute=True):
            return_approve(store=store, rma=ret.rma, actor=SYSTEM)
    line = str(order["line_items"][0]["id"])
    with capture(execute=True):
        receiving.return_receive(store=store, rma=ret.rma, quantities={line: 2}, actor=WAREHOUSE)
    with capture(execute=True):
        inspection.return_inspect(store=store, rma=ret.rma, grades={line: "new"}, actor=WAREHOUSE)
    ret.refresh_from_db()
    assert ret.status == "resolved"
    assert len(sim.state.order(order["id"])["refunds"]) == 1
    assert sim.state.return_(asked["id"])["status"] == "CLOSED"
    (message,) = OutboxMessage.objects.filter(
        store_id=store.id, kind=sync.SYNC_KIND, payload__step="close"
    )
    assert message.status == "delivered"
    assert sync.sync_deliver(message) == {"done": "close: closed"}  # sent again: nothing more
    with capture(execute=True):
        return_close(store=store, rma=ret.rma, actor=SYSTEM)
    assert OutboxMessage.objects.filter(kind=sync.SYNC_KIND, payload__step="close").count() == 2
    link.refresh_from_db()
    assert (link.shopify_status, link.last_error) == ("closed", "")
    assert sim.state.return_(asked["id"])["status"] == "CLOSED"
