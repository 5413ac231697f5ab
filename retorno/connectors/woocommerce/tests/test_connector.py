"""The WooCommerce connector against `woo-sim` over HTTP on loopback: connecting, the webhooks the
simulator really sends (verified, deduplicated, mapped, failures kept, pings answered), refunds
to the original payment once per key with their lines, restocks and exchange orders once, the
backfill through 429 and 503 resuming from its page, and the polling of modified orders."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from decimal import Decimal

import pytest

from retorno.connectors.records import ReceiptStatus
from retorno.connectors.woocommerce import backfill, services, sync
from retorno.connectors.woocommerce.mapping import order_from_woo
from retorno.connectors.woocommerce.models import WooBackfill, WooCall, WooWebhookReceipt
from retorno.connectors.woocommerce.sim.server import WooSimulator
from retorno.connectors.woocommerce.tests.test_sim import Receiver
from retorno.core.outbox import RetryAt
from retorno.integrations.payments import registry
from retorno.integrations.payments.base import OutcomeStatus, PaymentUnavailable, RefundRequest
from retorno.money.selectors import settings_for
from retorno.orders.models import Order

KEY, SECRET = "ck_connector_test", "cs_connector_test"
HOOK_SECRET = "woo-webhook-secret-1"
HOOK = "/connectors/woocommerce/webhooks"


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
    # The API only: webhooks are sent when a test asks (sender.send_all), not from a thread.
    threading.Thread(target=s.httpd.serve_forever, daemon=True).start()
    yield s
    s.shutdown()


@pytest.fixture
def connected(api, sim):
    answer = api.send(
        "put",
        "/connectors/woocommerce",
        {
            "store_url": sim.url,
            "consumer_key": KEY,
            "consumer_secret": SECRET,
            "webhook_secret": HOOK_SECRET,
        },
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


def sent(sim, receiver) -> list[tuple[dict[str, str], bytes]]:
    """What the simulator delivers now, as its webhook receiver got it."""
    before = len(receiver.received)
    sim.sender.send_all()
    return receiver.received[before:]


def deliver(api, capture, delivery: tuple[dict[str, str], bytes], **headers: str):
    sent_headers, body = delivery
    # The headers WooCommerce signs and names the delivery with (not the transport's).
    kept = {k: v for k, v in sent_headers.items() if k.startswith("x-wc-") or k == "content-type"}
    with capture(execute=True):
        return api.send("post", HOOK, body, headers={**kept, **headers})


def place(sim, **spec) -> dict:
    spec.setdefault("lines", [{"sku": "WOO-HOOD-M", "quantity": 2}, {"sku": "WOO-CAP"}])
    return sim.place_order(spec)


def test_connect_answers_the_webhook_url_and_hides_the_key(api, connected, store):
    assert connected["webhook_url"].endswith("/api/v1/connectors/woocommerce/webhooks")
    assert connected["topics"] == ["order.created", "order.updated"]
    assert connected["api_base_url"].endswith("/wp-json/wc/v3")
    text = json.dumps(connected)
    assert SECRET not in text
    assert HOOK_SECRET not in text
    assert KEY not in text
    assert connected["key_hint"] == KEY[:7]
    assert settings_for(store).payment_adapter == "woocommerce"
    assert api.send("delete", "/connectors/woocommerce").status_code == 204
    assert settings_for(store).payment_adapter == ""
    assert api.get("/connectors/woocommerce").status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("consumer_key", "key_without_prefix", "validation_error"),
        ("consumer_secret", "secret_without_prefix", "validation_error"),
        ("store_url", "not a url", "validation_error"),
        ("api_base_url", "ftp://example.com/wp-json", "invalid_outbound_url"),
    ],
)
def test_connect_refuses_bad_input(api, sim, field, value, code):
    body = {
        "store_url": sim.url,
        "consumer_key": KEY,
        "consumer_secret": SECRET,
        "webhook_secret": HOOK_SECRET,
        field: value,
    }
    answer = api.send("put", "/connectors/woocommerce", body)
    assert answer.status_code == 422
    assert answer.json()["code"] == code


def test_check_reads_the_store_or_explains_the_refusal(api, connected, sim):
    result = api.send("post", "/connectors/woocommerce/check", {}).json()
    assert result["ok"] is True
    assert (result["store_name"], result["currency"]) == ("Tienda Woo de prueba", "EUR")
    api.send(
        "put",
        "/connectors/woocommerce",
        {
            "store_url": sim.url,
            "consumer_key": KEY,
            "consumer_secret": "cs_wrong_one",
            "webhook_secret": HOOK_SECRET,
        },
    )
    result = api.send("post", "/connectors/woocommerce/check", {}).json()
    assert result["ok"] is False
    assert result["code"] == "woocommerce_rest_authentication_error"
    assert "Consumer secret is invalid." in result["message"]


def test_an_order_webhook_from_the_store_becomes_an_order_once(
    api, connected, sim, receiver, django_capture_on_commit_callbacks, store
):
    order = place(sim, email="ana@example.com")
    created, completed = sent(sim, receiver)
    first = deliver(api, django_capture_on_commit_callbacks, created)
    again = deliver(api, django_capture_on_commit_callbacks, created)
    assert first.status_code == 200, first.content
    assert first.json() == {"received": True, "duplicate": False, "ping": False}
    assert again.json()["duplicate"] is True
    assert deliver(api, django_capture_on_commit_callbacks, completed).status_code == 200
    stored = Order.objects.get(store=store, external_id=str(order["id"]))
    hoodie = stored.lines.get(sku="WOO-HOOD-M")
    assert (hoodie.quantity, hoodie.unit_price, hoodie.tax_amount) == (
        2,
        Decimal("39.95"),
        Decimal("16.78"),
    )
    assert hoodie.options == {"Talla": "M"}
    assert stored.delivered_at is not None  # completed
    receipts = WooWebhookReceipt.objects.filter(store=store)
    assert receipts.count() == 2
    assert {r.status for r in receipts} == {ReceiptStatus.PROCESSED}


def test_bad_signature_unknown_site_and_pings(
    api, connected, sim, receiver, django_capture_on_commit_callbacks, store
):
    place(sim, complete=False)
    (delivery,) = sent(sim, receiver)
    answer = deliver(
        api, django_capture_on_commit_callbacks, delivery, **{"X-WC-Webhook-Signature": "bad="}
    )
    assert (answer.status_code, answer.json()["code"]) == (401, "invalid_signature")
    answer = deliver(
        api,
        django_capture_on_commit_callbacks,
        delivery,
        **{"X-WC-Webhook-Source": "https://other-store.example/"},
    )
    assert (answer.status_code, answer.json()["code"]) == (404, "unknown_store")
    assert not WooWebhookReceipt.objects.filter(store=store).exists()
    # WooCommerce pings a new webhook with an unsigned form body: answered, nothing kept.
    sim.sender.ping(int(next(iter(sim.state.data["webhooks"]))))
    (ping,) = sent(sim, receiver)
    answer = deliver(api, django_capture_on_commit_callbacks, ping)
    assert answer.json() == {"received": True, "duplicate": False, "ping": True}
    assert not WooWebhookReceipt.objects.filter(store=store).exists()


def test_a_malformed_or_unpaid_order_is_kept_with_its_reason(
    api, connected, sim, receiver, django_capture_on_commit_callbacks, store
):
    place(sim, complete=False)
    (headers, _), body = sent(sim, receiver)[0], b'{"id": 7, "line_items": []}'
    from retorno.connectors.simkit import sign

    headers = {**headers, "x-wc-webhook-signature": sign(HOOK_SECRET, body)}
    headers["x-wc-webhook-delivery-id"] = "d-bad"
    assert deliver(api, django_capture_on_commit_callbacks, (headers, body)).status_code == 200
    receipt = WooWebhookReceipt.objects.get(store=store, delivery_id="d-bad")
    assert receipt.status == ReceiptStatus.FAILED
    assert "billing.email" in receipt.error
    listed = api.get("/connectors/woocommerce/receipts").json()
    assert [(r["delivery_id"], r["status"]) for r in listed] == [("d-bad", "failed")]
    with django_capture_on_commit_callbacks(execute=True):
        again = api.send("post", f"/connectors/woocommerce/receipts/{receipt.id}/retry", {})
    assert again.status_code == 202
    receipt.refresh_from_db()
    assert (receipt.status, receipt.attempts) == (ReceiptStatus.FAILED, 2)  # still no e-mail
    assert api.send("post", "/connectors/woocommerce/receipts/999999/retry", {}).status_code == 404
    unpaid = json.dumps({**sim.state.order(order_id := place(sim, complete=False)["id"])})
    unpaid_body = unpaid.replace('"processing"', '"pending"').encode()
    headers = {
        **headers,
        "x-wc-webhook-signature": sign(HOOK_SECRET, unpaid_body),
        "x-wc-webhook-delivery-id": "d-unpaid",
    }
    deliver(api, django_capture_on_commit_callbacks, (headers, unpaid_body))
    receipt = WooWebhookReceipt.objects.get(store=store, delivery_id="d-unpaid")
    assert receipt.status == ReceiptStatus.PROCESSED
    assert "not paid" in receipt.error
    assert not Order.objects.filter(store=store, external_id=str(order_id)).exists()


def test_mapping_reads_discounts_tax_and_the_completion_date():
    body = {
        "id": 12,
        "number": "12",
        "status": "completed",
        "currency": "eur",
        "date_created_gmt": "2026-11-02T10:00:00",
        "date_paid_gmt": "2026-11-02T10:01:00",
        "date_completed_gmt": "2026-11-04T09:00:00",
        "billing": {"email": "b@example.com", "first_name": "Bea", "country": "ES"},
        "shipping": {"first_name": "Bea", "address_1": "Gran Vía 1", "city": "Madrid"},
        "shipping_total": "4.95",
        "line_items": [
            {
                "id": 3,
                "product_id": 9,
                "variation_id": 10,
                "quantity": 2,
                "subtotal": "40.00",
                "total": "36.00",
                "total_tax": "7.56",
                "sku": "",
                "name": "Sudadera - L",
                "parent_name": "Sudadera",
                "meta_data": [
                    {"key": "pa_talla", "value": "l", "display_key": "Talla", "display_value": "L"},
                    {"key": "_reduced_stock", "value": "2"},
                ],
            }
        ],
    }
    data = order_from_woo(body)
    line = data["lines"][0]
    assert (line["sku"], line["unit_price"], line["discount"], line["tax"]) == (
        "woo-product-10",
        Decimal("20.00"),
        Decimal("4.00"),
        Decimal("7.56"),
    )
    assert line["options"] == {"Talla": "L"}
    assert line["title"] == "Sudadera"
    assert data["currency"] == "EUR"
    assert data["delivered_at"].isoformat() == "2026-11-04T09:00:00+00:00"
    assert data["placed_at"].isoformat() == "2026-11-02T10:01:00+00:00"
    assert data["shipping_address"]["line1"] == "Gran Vía 1"


def _request(store, order, **values) -> RefundRequest:
    line = order["line_items"][0]
    lines = [{"line": str(line["id"]), "units": 1, "gross": "48.34", "tax": "8.39", "net": "48.34"}]
    return RefundRequest(
        idempotency_key=values.pop("key", "refund-key-1"),
        amount=Decimal(values.pop("amount", "48.34")),
        currency="EUR",
        store_id=store.id,
        order_reference=str(order["id"]),
        reference="RMA-1",
        metadata={"lines": json.dumps(lines)},
    )


def test_a_refund_is_made_once_per_key_with_its_lines(api, connected, sim, store):
    order = place(sim)
    gateway = registry.gateway("woocommerce")
    first = gateway.refund(_request(store, order))
    again = gateway.refund(_request(store, order))
    assert first.status == OutcomeStatus.SUCCEEDED, first.message
    assert again.provider_reference == first.provider_reference
    (refund,) = sim.state.refunds_of(sim.state.order(order["id"]))
    assert refund["amount"] == "48.34"
    assert refund["refunded_payment"] is True
    assert refund["reason"] == "Retorno RMA-1"
    line = refund["line_items"][0]
    assert (line["quantity"], line["total"], line["total_tax"]) == (-1, "-39.95", "-8.39")
    assert [g["amount"] for g in sim.state.data["gateway_refunds"]] == ["48.34"]
    # api_restock follows the connection: no restock with the refund by default.
    assert sim.state.by_sku("WOO-HOOD-M")["stock_quantity"] == 13
    too_much = gateway.refund(replace(_request(store, order, key="k2"), amount=Decimal("999")))
    assert too_much.status == OutcomeStatus.FAILED
    assert too_much.message == "WooCommerce: Invalid refund amount."


def test_a_gateway_that_cannot_refund_fails_and_a_down_store_is_unknown(api, connected, sim, store):
    cash = place(sim, payment_method="cod")
    refused = registry.gateway("woocommerce").refund(_request(store, cash))
    assert refused.status == OutcomeStatus.FAILED
    assert "does not support automatic refunds" in refused.message
    order = place(sim)
    sim.faults = [(503, 1)]
    with pytest.raises(PaymentUnavailable):
        registry.gateway("woocommerce").refund(_request(store, order, key="k-down"))
    assert sim.state.refunds_of(sim.state.order(order["id"])) == []


def test_restock_adds_to_the_variation_once(api, connected, sim, store):
    facts = {"step": "restock", "rma": "R-1", "order": "1", "sku": "WOO-HOOD-L", "quantity": 2}
    before = sim.state.by_sku("WOO-HOOD-L")["stock_quantity"]
    assert sync.sync_step(store, facts, "woo:return-event:1") == "restocked 2 × WOO-HOOD-L"
    WooCall.objects.filter(store=store).delete()  # the answer lost: the store's meta says done
    sync.sync_step(store, facts, "woo:return-event:1")
    assert sim.state.by_sku("WOO-HOOD-L")["stock_quantity"] == before + 2
    sync.sync_step(store, {**facts, "sku": "WOO-CAP"}, "woo:return-event:2")
    assert sim.state.by_sku("WOO-CAP")["stock_quantity"] == 32
    with pytest.raises(Exception, match="no product with SKU"):
        sync.sync_step(store, {**facts, "sku": "NOPE"}, "woo:return-event:3")


def test_a_store_restocking_with_the_refund_gets_no_restock_step(api, sim, store):
    api.send(
        "put",
        "/connectors/woocommerce",
        {
            "store_url": sim.url,
            "consumer_key": KEY,
            "consumer_secret": SECRET,
            "webhook_secret": HOOK_SECRET,
            "restock_with_refund": True,
        },
    )
    facts = {"step": "restock", "rma": "R-1", "order": "1", "sku": "WOO-CAP", "quantity": 1}
    assert sync.sync_step(store, facts, "k") == "restocked with the refund"
    order = place(sim)
    registry.gateway("woocommerce").refund(_request(store, order))
    assert sim.state.by_sku("WOO-HOOD-M")["stock_quantity"] == 14  # 15 − 2 sold + 1 refunded


def test_an_exchange_becomes_one_paid_order(api, connected, sim, store):
    facts = {
        "step": "exchange",
        "exchange": "EX-1001",
        "rma": "R-1",
        "currency": "EUR",
        "email": "ana@example.com",
        "lines": [{"sku": "WOO-HOOD-L", "units": 1, "unit_price": "39.95"}],
    }
    sync.sync_step(store, facts, "woo:exchange:1")
    WooCall.objects.filter(store=store).delete()  # the answer lost: found by its meta data
    sync.sync_step(store, facts, "woo:exchange:1")
    made = [
        o
        for o in sim.state.data["orders"].values()
        if any(m["key"] == "retorno_exchange" for m in o["meta_data"])
    ]
    assert len(made) == 1
    assert made[0]["status"] == "processing"
    assert made[0]["date_paid"]
    assert [li["sku"] for li in made[0]["line_items"]] == ["WOO-HOOD-L"]


def test_the_backfill_pages_through_429_and_resumes_after_503(
    api, connected, sim, store, monkeypatch
):
    for i in range(7):
        place(sim, email=f"c{i}@example.com", lines=[{"sku": "WOO-CAP"}])
    with sim.state.changing():  # an order not paid yet (pending): not imported
        sim.state.order_create(
            {"billing": {"email": "p@example.com"}, "line_items": [{"sku": "WOO-CAP"}]}
        )
    monkeypatch.setattr(backfill, "PER_PAGE", 3)
    answer = api.send("post", "/connectors/woocommerce/backfills", {"days": 3})
    assert answer.status_code == 202
    run_id = answer.json()["id"]
    waits: list[float] = []
    sim.faults = [(429, 2)]
    # Page 1 after a 429, then the store is down on page 2.
    original = sim.take_fault

    def fault_on_third_call():
        result = original()
        if sim.api_calls == 3:
            return (503, 0)
        return result

    monkeypatch.setattr(sim, "take_fault", fault_on_third_call)
    with pytest.raises(RetryAt):
        backfill.backfill_run(run_id, sleep=waits.append)
    stopped = WooBackfill.objects.get(id=run_id)
    assert (stopped.page, stopped.imported, waits) == (1, 3, [2.0])
    assert "Retrying from page 2" in stopped.error
    done = backfill.backfill_run(run_id, sleep=waits.append)
    assert (done.status, done.page, done.total, done.total_pages) == ("done", 3, 8, 3)
    assert (done.imported, done.skipped) == (7, 1)
    assert Order.objects.filter(store=store).count() == 7
    progress = api.get(f"/connectors/woocommerce/backfills/{run_id}").json()
    assert progress["status"] == "done"
    assert progress["imported"] == 7


def test_polling_reads_orders_modified_since_the_last_poll(api, connected, sim, store):
    place(sim, lines=[{"sku": "WOO-CAP"}])
    assert backfill.poll_run(store)["pages"] == 0  # the first poll only starts the clock
    connection = services.connection_get(store=store)
    connection.polled_through = "2000-01-01T00:00:00"
    connection.save()
    counts = backfill.poll_run(store)
    assert (counts["imported"], counts["pages"]) == (1, 1)
    assert Order.objects.filter(store=store).count() == 1
    connection.refresh_from_db()
    assert connection.polled_through > "2000-01-01T00:00:00"


def test_a_return_of_a_woocommerce_order_is_refunded_and_restocked_there(
    api, connected, sim, receiver, django_capture_on_commit_callbacks, store
):
    """The whole loop: an order placed in the store arrives by webhook; its return, received
    and inspected in Retorno, is refunded in the store to the original payment, line by line,
    and its unit goes back to the store's stock, each once."""
    from retorno.money.tests.conftest import AGENT, WAREHOUSE, set_policy_base
    from retorno.orders.models import Product, Variant
    from retorno.returns import services as returns
    from retorno.returns.workflows import inspection, receiving

    set_policy_base(
        store, refund_timing="on_inspection", restocking_fee_percent="0", return_shipping_fee="0"
    )
    # The store's catalogue knows the SKU (imported from a CSV), so a unit can be restocked.
    product = Product.objects.create(store=store, external_id="hood", title="Sudadera")
    Variant.objects.create(
        store=store,
        product=product,
        sku="WOO-HOOD-M",
        options={"Talla": "M"},
        stock=0,
        price=Decimal("39.95"),
    )
    order = place(sim, email="eva@example.com")
    for delivery in sent(sim, receiver):
        deliver(api, django_capture_on_commit_callbacks, delivery)
    hoodie = order["line_items"][0]
    with django_capture_on_commit_callbacks(execute=True):
        asked = returns.return_create(
            store=store,
            order_external_id=str(order["id"]),
            items=[returns.ItemRequest(line=str(hoodie["id"]), quantity=1, reason="too_small")],
            resolution="refund",
            method="drop_off",
            actor=AGENT,
        )
    stock_before = sim.state.by_sku("WOO-HOOD-M")["stock_quantity"]
    with django_capture_on_commit_callbacks(execute=True):
        receiving.return_receive(
            store=store, rma=asked.rma, quantities={str(hoodie["id"]): 1}, actor=WAREHOUSE
        )
    with django_capture_on_commit_callbacks(execute=True):
        inspection.return_inspect(
            store=store, rma=asked.rma, grades={str(hoodie["id"]): "new"}, actor=WAREHOUSE
        )
    (refund,) = sim.state.refunds_of(sim.state.order(order["id"]))
    # One hoodie: 39.95 + 21 % tax, paid back through the order's gateway.
    assert refund["amount"] == "48.34"
    assert refund["refunded_payment"] is True
    assert refund["reason"] == f"Retorno {asked.rma}"
    line = refund["line_items"][0]
    assert (line["quantity"], line["total"], line["total_tax"]) == (-1, "-39.95", "-8.39")
    assert sim.state.data["gateway_refunds"][0]["amount"] == "48.34"
    with django_capture_on_commit_callbacks(execute=True):
        outcome = inspection.return_item_disposition_set(
            store=store, rma=asked.rma, line=str(hoodie["id"]), actor=WAREHOUSE
        )
    assert outcome.stock_added == 1
    assert sim.state.by_sku("WOO-HOOD-M")["stock_quantity"] == stock_before + 1
    (call,) = WooCall.objects.filter(store=store, kind="restock")
    assert call.detail["sku"] == "WOO-HOOD-M"
    # Refunded in full and inspected: Retorno resolves the return and writes it on the order.
    from retorno.core.models import OutboxMessage
    from retorno.returns.models import Return

    assert Return.objects.get(id=asked.id).status == "resolved"
    (message,) = OutboxMessage.objects.filter(
        store_id=store.id, kind=sync.SYNC_KIND, payload__step="close"
    )
    assert message.status == "delivered"
    sync.sync_deliver(message)  # delivered again (a worker lost its answer): nothing more
    notes = sim.state.notes_of(sim.state.order(order["id"]))
    assert [n["note"].endswith(sync.close_marker(asked.rma)) for n in notes] == [True]
    assert notes[0]["customer_note"] is False


def test_a_closed_return_is_noted_on_its_order_once(api, connected, sim, store):
    order = place(sim)
    facts = {"step": "close", "rma": "R-CLOSE1", "order": str(order["id"]), "note": "Done."}
    first = sync.sync_step(store, facts, "return-event:9")
    sync.sync_step(store, facts, "return-event:9")  # a re-delivered message
    WooCall.objects.filter(store=store).delete()  # even with our record lost
    sync.sync_step(store, facts, "return-event:9")
    notes = sim.state.notes_of(sim.state.order(order["id"]))
    assert len(notes) == 1
    assert notes[0]["note"] == "Return R-CLOSE1 closed in Retorno. Done. [retorno:R-CLOSE1:closed]"
    assert first == f"closed (note {notes[0]['id']})"
    outside = {**facts, "order": "shop-123"}  # an order that did not come from the store
    assert sync.sync_step(store, outside, "return-event:10") == "not a WooCommerce order"
