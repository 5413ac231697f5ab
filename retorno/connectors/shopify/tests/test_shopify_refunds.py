"""Refunds Shopify tells of (refunds/create): Retorno's own change nothing; one the merchant
made in Shopify's admin is recorded against the return and never paid again."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from retorno.connectors.shopify.models import ShopifyReturnLink, ShopifyWebhookReceipt
from retorno.connectors.shopify.sim import operations, payloads
from retorno.connectors.shopify.sim.server import ShopSimulator
from retorno.connectors.shopify.tests.test_connector import DOMAIN, SECRET, TOKEN, deliver, signed
from retorno.core.actors import SYSTEM
from retorno.money.models import Refund
from retorno.money.tests.conftest import receive
from retorno.returns.models import Return
from retorno.returns.services import return_approve


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


def returned_in_shopify(api, sim, capture, store, quantity: int = 1):
    """An order from the shop and a return of one unit asked for in Shopify, approved."""
    order = sim.place_order({"lines": [{"sku": "SIM-TSH-M", "quantity": 2}]})
    body = json.dumps(payloads.order_payload(sim.state, order)).encode()
    deliver(api, body, signed(body), capture)
    asked = sim.request_return(
        {
            "order_id": order["id"],
            "line_item_id": order["line_items"][0]["id"],
            "quantity": quantity,
        }
    )
    return_body = json.dumps(payloads.return_payload(sim.state, asked)).encode()
    headers = signed(
        return_body, **{"X-Shopify-Topic": "returns/request", "X-Shopify-Webhook-Id": "wh-ret"}
    )
    deliver(api, return_body, headers, capture)
    link = ShopifyReturnLink.objects.get(store=store)
    ret = Return.objects.get(store=store, rma=link.rma)
    if ret.status in ("requested", "pending_review"):
        with capture(execute=True):
            return_approve(store=store, rma=ret.rma, actor=SYSTEM)
        ret.refresh_from_db()
    return order, ret


def refund_hook(api, sim, capture, refund_body, webhook_id):
    body = json.dumps(refund_body).encode()
    headers = signed(
        body, **{"X-Shopify-Topic": "refunds/create", "X-Shopify-Webhook-Id": webhook_id}
    )
    deliver(api, body, headers, capture)
    return ShopifyWebhookReceipt.objects.get(webhook_id=webhook_id)


def test_a_refund_made_in_shopifys_admin_is_recorded_and_not_paid_again(
    api, connected, sim, django_capture_on_commit_callbacks, store
):
    order, ret = returned_in_shopify(api, sim, django_capture_on_commit_callbacks, store)
    line = order["line_items"][0]
    sale = next(t for t in order["transactions"] if t["kind"] == "sale")
    with sim.state.changing():
        shop_order = sim.state.order(order["id"])
        made, hooks = operations.refund_create(
            sim.state,
            shop_order,
            {
                "note": "Refunded at the counter",
                "transactions": [
                    {"kind": "REFUND", "parent_id": sale["id"], "amount": line["price"]}
                ],
                "refund_line_items": [{"line_item_id": line["id"], "quantity": 1}],
            },
        )
    topic, refund_body = hooks[0]
    assert topic == "refunds/create"
    receipt = refund_hook(api, sim, django_capture_on_commit_callbacks, refund_body, "wh-rf1")
    assert receipt.status == "processed", receipt.error
    assert f"of {ret.rma}" in receipt.error

    recorded = Refund.objects.get(store=store)
    assert recorded.state == "succeeded"
    assert recorded.return_id == ret.id
    assert recorded.amount == Decimal(line["price"])
    assert recorded.provider_reference == f"gid://shopify/Refund/{made['id']}"
    assert recorded.lines.get().units == 1
    assert ret.events.filter(kind="refunded").count() == 1

    # The same webhook under another id (Shopify re-sent it): recorded once.
    again = refund_hook(api, sim, django_capture_on_commit_callbacks, refund_body, "wh-rf2")
    assert again.status == "processed"
    assert Refund.objects.filter(store=store).count() == 1

    # The unit comes back: Retorno has nothing left to pay for it; Shopify keeps one refund.
    with django_capture_on_commit_callbacks(execute=True):
        receive(store, ret, 1)
    paid = [r for r in Refund.objects.filter(store=store) if r.amount > 0]
    assert [r.id for r in paid] == [recorded.id]
    assert len(sim.state.order(order["id"])["refunds"]) == 1


def test_retornos_own_refund_coming_back_changes_nothing(
    api, connected, sim, django_capture_on_commit_callbacks, store
):
    order, ret = returned_in_shopify(api, sim, django_capture_on_commit_callbacks, store)
    with django_capture_on_commit_callbacks(execute=True):
        receive(store, ret, 1)
    ours = Refund.objects.get(store=store)
    assert ours.state == "succeeded", ours.last_error
    shop_refunds = sim.state.order(order["id"])["refunds"]
    assert len(shop_refunds) == 1
    refund_body = payloads.refund_payload(sim.state, sim.state.order(order["id"]), shop_refunds[0])
    receipt = refund_hook(api, sim, django_capture_on_commit_callbacks, refund_body, "wh-own")
    assert receipt.status == "processed"
    assert f"Retorno's refund {ours.id}" in receipt.error
    assert Refund.objects.filter(store=store).count() == 1
    assert ret.events.filter(kind="refunded").count() == 1
