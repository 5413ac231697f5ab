"""`inventory.expected`: when a return is approved, the store's endpoint (here the webhook sink
on 127.0.0.1) gets the units on their way, with the same notice as an X12 180 interchange."""

from __future__ import annotations

import pytest

from retorno.domain.tests.test_advance_notice import parse_interchange, read_returns
from retorno.stores.models import Store
from retorno.warehouse.tests.factories import approved_return
from retorno.webhooks import services
from retorno.webhooks.models import WebhookEvent
from retorno.webhooks.tests.sinks import deliver_all, endpoint_at, received

pytestmark = pytest.mark.django_db


def test_an_approved_return_sends_its_advance_notice_once(store: Store, webhook_sink) -> None:
    log = endpoint_at(store, webhook_sink)
    ret = approved_return(store, sku="TEE-M", quantity=2, price="20.00")
    deliver_all()
    deliver_all()

    notices = received(log, "inventory.expected")
    assert len(notices) == 1
    data = notices[0]
    assert (data["rma"], data["units"]) == (ret.rma, 2)
    assert [(x["sku"], x["quantity"], x["unit_value"]) for x in data["lines"]] == [
        ("TEE-M", 2, "20.00")
    ]
    [announced] = read_returns(parse_interchange(data["x12"]))
    assert (announced["rma"], [(x["sku"], x["quantity"]) for x in announced["lines"]]) == (
        ret.rma,
        [("TEE-M", 2)],
    )


def test_an_endpoint_can_take_only_the_warehouse_events(store: Store) -> None:
    services.endpoint_create(
        store=store,
        url="http://127.0.0.1:8599/wms",
        event_types=["inventory.expected", "inventory.restocked"],
    )
    approved_return(store)
    assert list(WebhookEvent.objects.values_list("type", flat=True)) == ["inventory.expected"]
