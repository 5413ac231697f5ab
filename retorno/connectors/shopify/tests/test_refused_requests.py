"""A return asked for in Shopify that the store's policy refuses is declined in Shopify, with
the policy's reason, once."""

from __future__ import annotations

import json

import pytest

from retorno.connectors.shopify import sync
from retorno.connectors.shopify.mapping import decline_reason
from retorno.connectors.shopify.models import ShopifyCall, ShopifyReturnLink, ShopifyWebhookReceipt
from retorno.connectors.shopify.sim import payloads
from retorno.connectors.shopify.sim.server import ShopSimulator
from retorno.connectors.shopify.tests.test_connector import DOMAIN, SECRET, TOKEN, deliver, signed
from retorno.orders.models import OrderLine
from retorno.returns.models import Return


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


def order_body(sim, **spec) -> tuple[bytes, dict]:
    order = sim.place_order({"lines": [{"sku": "SIM-TSH-M", "quantity": 2}], **spec})
    return json.dumps(payloads.order_payload(sim.state, order)).encode(), order


def test_a_final_sale_request_is_declined_in_shopify_once(
    api, connected, sim, django_capture_on_commit_callbacks, store
):
    body, order = order_body(sim)
    deliver(api, body, signed(body), django_capture_on_commit_callbacks)
    OrderLine.objects.filter(order__store=store).update(final_sale=True)
    asked = sim.request_return(
        {"order_id": order["id"], "line_item_id": order["line_items"][0]["id"], "quantity": 1}
    )
    return_body = json.dumps(payloads.return_payload(sim.state, asked)).encode()
    headers = signed(
        return_body, **{"X-Shopify-Topic": "returns/request", "X-Shopify-Webhook-Id": "wh-fs"}
    )
    deliver(api, return_body, headers, django_capture_on_commit_callbacks)

    receipt = ShopifyWebhookReceipt.objects.get(store=store, webhook_id="wh-fs")
    assert receipt.status == "processed"
    assert "final_sale" in receipt.error
    assert "declined in Shopify" in receipt.error
    assert not Return.objects.filter(store=store).exists()
    assert not ShopifyReturnLink.objects.filter(store=store).exists()
    declined = sim.state.return_(asked["id"])
    assert declined["status"] == "DECLINED"
    assert declined["decline"]["reason"] == "FINAL_SALE"
    assert "final sale" in declined["decline"]["note"]
    call = ShopifyCall.objects.get(store=store, kind="decline_request")
    assert call.detail["status"] == "declined"

    # The same step again (a re-driven message) does not call Shopify twice.
    calls = sim.api_calls
    facts = {"step": "decline_request", "return_id": str(asked["id"]), "reason": "FINAL_SALE"}
    assert sync.sync_step(store, facts, "again") == "declined (already)"
    assert sim.api_calls == calls


def test_a_request_already_declined_by_the_merchant_is_taken_as_done(
    api, connected, sim, django_capture_on_commit_callbacks, store
):
    body, order = order_body(sim)
    deliver(api, body, signed(body), django_capture_on_commit_callbacks)
    asked = sim.request_return(
        {"order_id": order["id"], "line_item_id": order["line_items"][0]["id"], "quantity": 1}
    )
    facts = {"step": "decline_request", "return_id": str(asked["id"]), "reason": "OTHER"}
    assert sync.sync_step(store, facts, "k1") == "decline: declined"
    ShopifyCall.objects.filter(store=store).delete()  # as if the first answer was lost
    assert sync.sync_step(store, facts, "k2") == "decline: not requested any more"


def test_decline_reasons_follow_the_policy():
    assert decline_reason(["window_expired", "final_sale"]) == "RETURN_PERIOD_ENDED"
    assert decline_reason(["final_sale"]) == "FINAL_SALE"
    assert decline_reason(["excluded_category"]) == "OTHER"
