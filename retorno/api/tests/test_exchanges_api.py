"""Exchanges through the API: a return chooses the new variant by SKU; its exchange order is
listed and read under /exchanges (another store's is not found); a released exchange order is the
exchange.created webhook, once."""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook

from retorno.api.tests.client import ApiClient, problem
from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.outbox import outbox_deliver_one
from retorno.money.models import ExchangeOrder
from retorno.money.services.fulfilment import EXCHANGE_CREATED_KIND
from retorno.money.tests.conftest import order_with, receive, resolve, variant_pair
from retorno.returns.models import Return
from retorno.webhooks import services as webhooks
from retorno.webhooks.models import WebhookDelivery
from retorno.webhooks.tests.receiver import running_receiver

pytestmark = pytest.mark.django_db


def _exchange_return(api: ApiClient, order, sku: str, quantity: int = 1):
    return api.post(
        "/returns",
        {
            "order": order.external_id,
            "items": [
                {
                    "line": order.lines.get().external_id,
                    "quantity": quantity,
                    "reason": "too_small",
                    "exchange_sku": sku,
                }
            ],
            "resolution": "exchange",
            "method": "drop_off",
        },
    )


def test_a_return_chooses_its_exchange_by_sku_and_the_exchange_is_listed(
    api: ApiClient, store, other_key
):
    old, new = variant_pair(store, stock=5)
    order = order_with(store, quantity=1, variant=old)
    created = _exchange_return(api, order, new.sku)
    assert created.status_code == 201, created.content
    body = json.loads(created.content)
    assert body["items"][0]["exchange_sku"] == "TEE-L"

    (listed,) = json.loads(api.get("/exchanges").content)["results"]
    assert listed["rma"] == body["rma"]
    assert listed["lines"] == [
        {
            "line": order.lines.get().external_id,
            "sku": "TEE-L",
            "units": 1,
            "unit_price": "20.00",
            "returned_unit_paid": listed["lines"][0]["returned_unit_paid"],
        }
    ]
    assert listed["difference_direction"] == "even"
    one = json.loads(api.get(f"/exchanges/{listed['number']}").content)
    assert one == listed
    assert json.loads(api.get("/exchanges", {"rma": body["rma"]}).content)["results"] == [listed]
    assert json.loads(api.get("/exchanges", {"state": "cancelled"}).content)["results"] == []
    problem(ApiClient(other_key).get(f"/exchanges/{listed['number']}"), 404, "exchange_not_found")
    assert json.loads(ApiClient(other_key).get("/exchanges").content)["results"] == []


def test_an_unknown_or_unfit_sku_is_refused_and_nothing_is_written(api: ApiClient, store):
    old, new = variant_pair(store, stock=0)
    order = order_with(store, quantity=1, variant=old)
    problem(_exchange_return(api, order, "NO-SUCH-SKU"), 422, "invalid_exchange")
    problem(_exchange_return(api, order, old.sku), 422, "invalid_exchange")
    problem(_exchange_return(api, order, new.sku), 422, "exchange_out_of_stock")
    assert Return.objects.count() == 0
    assert ExchangeOrder.objects.count() == 0


def test_a_released_exchange_order_is_one_exchange_created_webhook(api: ApiClient, store):
    old, new = variant_pair(store, stock=5)
    order = order_with(store, quantity=1, variant=old)
    with running_receiver(200) as receiver:
        issued = webhooks.endpoint_create(
            store=store, url=receiver.url, event_types=["exchange.created"]
        )
        rma = json.loads(_exchange_return(api, order, new.sku).content)["rma"]
        return_request = Return.objects.get(rma=rma)
        resolve(store, receive(store, return_request, 1))
        (released,) = OutboxMessage.objects.filter(kind=EXCHANGE_CREATED_KIND)
        assert outbox_deliver_one(released.id) == OutboxStatus.DELIVERED
        # The release handled again (a crash after the send) publishes nothing more.
        OutboxMessage.objects.filter(id=released.id).update(status=OutboxStatus.PENDING)
        assert outbox_deliver_one(released.id) == OutboxStatus.DELIVERED
        (delivery,) = WebhookDelivery.objects.all()
        message = OutboxMessage.objects.get(dedupe_key=f"webhook:{delivery.id}")
        assert outbox_deliver_one(message.id) == OutboxStatus.DELIVERED

    (arrival,) = receiver.arrivals
    payload = Webhook(issued.secret).verify(arrival.body, arrival.headers)
    assert payload["type"] == "exchange.created"
    assert payload["data"] == json.loads(api.get(f"/exchanges/{payload['data']['number']}").content)
