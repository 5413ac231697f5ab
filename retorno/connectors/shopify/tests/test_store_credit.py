"""Store credit of a store whose refunds are made in Shopify is issued there once and leaves
Retorno's wallet: the shopper can spend it in one place only (docs/adr/0017)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from retorno.connectors.shopify.models import ShopifyCall, ShopifyWebhookReceipt
from retorno.connectors.shopify.sim import payloads
from retorno.connectors.shopify.sim.server import ShopSimulator
from retorno.connectors.shopify.tests.test_connector import DOMAIN, SECRET, TOKEN, deliver, signed
from retorno.core.models import OutboxMessage
from retorno.core.outbox import outbox_deliver_one
from retorno.money.models import CreditEntry, Refund, StoreCreditWallet
from retorno.money.tests.conftest import open_return, receive
from retorno.orders.models import Order
from retorno.returns.workflows import store_credit_shopify


@pytest.fixture
def sim(tmp_path):
    s = ShopSimulator(port=0, state_dir=str(tmp_path), access_token=TOKEN, webhook_secret=SECRET)
    s.start_in_thread()
    yield s
    s.shutdown()


def connect(api, sim, *, refunds_in_shopify: bool = True):
    answer = api.send(
        "put",
        "/connectors/shopify",
        {
            "shop_domain": DOMAIN,
            "access_token": TOKEN,
            "webhook_secret": SECRET,
            "api_base_url": sim.url,
            "refunds_in_shopify": refunds_in_shopify,
        },
    )
    assert answer.status_code == 200, answer.content


def credited_return(api, sim, capture, store):
    """An order from the shop, returned in Retorno for store credit and received."""
    placed = sim.place_order({"lines": [{"sku": "SIM-TSH-M", "quantity": 1}]})
    body = json.dumps(payloads.order_payload(sim.state, placed)).encode()
    deliver(api, body, signed(body), capture)
    order = Order.objects.get(store=store, external_id=str(placed["id"]))
    with capture(execute=True):
        ret = open_return(store, order, quantity=1, resolution="store_credit")
        receive(store, ret, 1)
    return placed, ret


def wallet_balance(store) -> Decimal:
    wallet = StoreCreditWallet.objects.filter(store=store).first()
    return Decimal(wallet.balance_amount) if wallet else Decimal(0)


def shop_credit(sim, order_id) -> Decimal:
    refunds = sim.state.order(order_id)["refunds"]
    return sum(
        (Decimal(c["amount"]) for r in refunds for c in r.get("store_credit") or []), Decimal(0)
    )


def test_credit_is_issued_in_shopify_once_and_leaves_the_wallet(
    api, sim, django_capture_on_commit_callbacks, store
):
    connect(api, sim)
    placed, _ret = credited_return(api, sim, django_capture_on_commit_callbacks, store)
    refund = Refund.objects.get(store=store)
    assert refund.destination == "store_credit"
    assert refund.state == "succeeded"
    credit = refund.amount + refund.bonus_amount
    assert credit > 0

    # In Shopify: the credit and its bonus, as store credit, no money transaction.
    assert shop_credit(sim, placed["id"]) == credit
    shop_refunds = sim.state.order(placed["id"])["refunds"]
    assert [r["transactions"] for r in shop_refunds] == [[]]
    # In Retorno: credited, then moved out; nothing left to spend here.
    assert wallet_balance(store) == 0
    assert CreditEntry.objects.filter(entry_id=f"shopify-credit-{refund.id}").count() == 1

    # The job again (a re-driven message): no second credit anywhere.
    message = OutboxMessage.objects.get(kind="shopify.store_credit")
    assert store_credit_shopify.store_credit_deliver(message) == {
        "issued": ShopifyCall.objects.get(kind="store_credit").shopify_id
    }
    assert shop_credit(sim, placed["id"]) == credit
    assert wallet_balance(store) == 0
    assert len(sim.state.order(placed["id"])["refunds"]) == 1

    # Shopify tells of the credit (refunds/create): known as Retorno's, nothing recorded again.
    shop_order = sim.state.order(placed["id"])
    hook = json.dumps(payloads.refund_payload(sim.state, shop_order, shop_refunds[0])).encode()
    headers = signed(
        hook, **{"X-Shopify-Topic": "refunds/create", "X-Shopify-Webhook-Id": "wh-credit"}
    )
    deliver(api, hook, headers, django_capture_on_commit_callbacks)
    receipt = ShopifyWebhookReceipt.objects.get(webhook_id="wh-credit")
    assert receipt.status == "processed"
    assert "Retorno's store credit" in receipt.error
    assert Refund.objects.filter(store=store).count() == 1


def test_an_outage_keeps_the_credit_out_of_the_wallet_until_shopify_has_it(
    api, sim, django_capture_on_commit_callbacks, store
):
    connect(api, sim)
    sim.faults = [(503, 0)] * 3
    placed, _ret = credited_return(api, sim, django_capture_on_commit_callbacks, store)
    refund = Refund.objects.get(store=store)
    credit = refund.amount + refund.bonus_amount
    assert shop_credit(sim, placed["id"]) == 0
    assert wallet_balance(store) == 0  # moved out already: never in both places
    message = OutboxMessage.objects.get(kind="shopify.store_credit")
    assert message.status == "pending"

    sim.faults = []
    later = message.next_attempt_at.replace(year=message.next_attempt_at.year + 1)
    assert outbox_deliver_one(message.id, now=later) == "delivered"
    assert shop_credit(sim, placed["id"]) == credit
    assert wallet_balance(store) == 0


def test_a_refusal_gives_the_credit_back_to_the_wallet(
    api, sim, django_capture_on_commit_callbacks, store
):
    connect(api, sim)
    placed = sim.place_order({"lines": [{"sku": "SIM-TSH-M", "quantity": 1}]})
    body = json.dumps(payloads.order_payload(sim.state, placed)).encode()
    deliver(api, body, signed(body), django_capture_on_commit_callbacks)
    with sim.state.changing():  # the order is gone from the shop
        sim.state.data["orders"].pop(str(placed["id"]))
    order = Order.objects.get(store=store, external_id=str(placed["id"]))
    with django_capture_on_commit_callbacks(execute=True):
        ret = open_return(store, order, quantity=1, resolution="store_credit")
        receive(store, ret, 1)
    refund = Refund.objects.get(store=store)
    assert wallet_balance(store) == refund.amount + refund.bonus_amount
    assert OutboxMessage.objects.get(kind="shopify.store_credit").status == "failed"


def test_a_store_refunding_outside_shopify_keeps_its_credit_in_retorno(
    api, sim, django_capture_on_commit_callbacks, store
):
    connect(api, sim, refunds_in_shopify=False)
    placed, _ret = credited_return(api, sim, django_capture_on_commit_callbacks, store)
    refund = Refund.objects.get(store=store)
    assert wallet_balance(store) == refund.amount + refund.bonus_amount
    assert shop_credit(sim, placed["id"]) == 0
    assert not OutboxMessage.objects.filter(kind="shopify.store_credit").exists()
