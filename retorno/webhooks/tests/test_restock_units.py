"""`inventory.restocked` is one webhook per unit put back on the shelf, not one per restock step:
exactly once per unit however often the step is handled again or tried at the same moment by
several staff members, and as the store's endpoint receives it (`retorno webhook-sink`)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from retorno.core.errors import Conflict
from retorno.orders.models import Variant
from retorno.returns.events import event_handle
from retorno.returns.models import Return, ReturnEvent
from retorno.returns.workflows import inspection, receiving
from retorno.stores.models import Store
from retorno.warehouse import services as warehouse
from retorno.warehouse.tests.factories import STAFF, approved_return, line_of
from retorno.webhooks.models import WebhookEvent
from retorno.webhooks.tests.sinks import deliver_all, endpoint_at, received


def _inspected(store: Store, *, quantity: int, sku: str, stock: int = 5) -> Return:
    ret = approved_return(store, sku=sku, quantity=quantity, stock=stock)
    receiving.return_receive_items(
        store=store, rma=ret.rma, quantities={line_of(ret): quantity}, actor=STAFF
    )
    inspection.return_inspect_items(
        store=store,
        rma=ret.rma,
        inspections=[warehouse.InspectionInput(line=line_of(ret), grade="new")],
        actor=STAFF,
    )
    return ret


@pytest.mark.django_db
def test_a_restock_of_three_units_sends_three_unit_webhooks_once(
    store: Store, webhook_sink
) -> None:
    log = endpoint_at(store, webhook_sink)
    ret = _inspected(store, quantity=3, sku="RUN-3", stock=5)
    inspection.return_item_disposition_set(store=store, rma=ret.rma, line=line_of(ret), actor=STAFF)
    # The step handled again (a retried handler, a replayed trail) adds nothing.
    for event in ReturnEvent.objects.filter(return_request=ret):
        event_handle(ret, event)
    # Staff trying the same restock again are refused; still nothing more.
    with pytest.raises(Conflict):
        inspection.return_item_disposition_set(
            store=store, rma=ret.rma, line=line_of(ret), actor=STAFF
        )
    assert WebhookEvent.objects.filter(type="inventory.restocked").count() == 3
    deliver_all()
    deliver_all()  # a sweeper passing again sends nothing twice

    units = received(log, "inventory.restocked")
    assert sorted((u["unit"], u["units"], u["quantity"]) for u in units) == [
        (1, 3, 1),
        (2, 3, 1),
        (3, 3, 1),
    ]
    assert sorted(u["stock_after"] for u in units) == [6, 7, 8]
    assert {(u["rma"], u["sku"]) for u in units} == {(ret.rma, "RUN-3")}


@pytest.mark.django_db
def test_units_not_restocked_send_nothing(store: Store, webhook_sink) -> None:
    log = endpoint_at(store, webhook_sink)
    ret = _inspected(store, quantity=2, sku="RUN-KEEP")
    inspection.return_item_disposition_set(
        store=store, rma=ret.rma, line=line_of(ret), restock=False, actor=STAFF
    )
    deliver_all()
    assert received(log, "inventory.restocked") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections")
@pytest.mark.django_db(transaction=True)
def test_concurrent_and_retried_restocks_send_each_unit_exactly_once(
    store: Store, webhook_sink
) -> None:
    log = endpoint_at(store, webhook_sink)
    quantities = [1, 2, 3, 2]
    # Four returns of the same SKU: their restocks race for the same stock row.
    returns = [_inspected(store, quantity=q, sku="RUN-SHARED", stock=10) for q in quantities]
    start = threading.Barrier(len(returns) * 3)
    errors: list[BaseException] = []
    refused: list[str] = []

    def restock(ret: Return) -> None:
        try:
            start.wait(30)
            inspection.return_item_disposition_set(
                store=store, rma=ret.rma, line=line_of(ret), actor=STAFF
            )
        except Conflict as conflict:
            refused.append(conflict.code)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    # Each restock is asked for three times at once (a double click, a retried API call).
    threads = [threading.Thread(target=restock, args=(r,)) for r in returns for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert refused == ["disposition_final"] * (len(returns) * 2)
    for ret in returns:  # and every step handled once more
        for event in ReturnEvent.objects.filter(return_request=ret):
            event_handle(ret, event)

    deliver_all()
    units = received(log, "inventory.restocked")
    total = sum(quantities)
    assert len(units) == total
    assert len({(u["inspection"], u["unit"]) for u in units}) == total
    # Unit by unit, the stock the store is told climbs through every value once.
    assert sorted(u["stock_after"] for u in units) == list(range(11, 11 + total))
    assert Variant.objects.get(store=store, sku="RUN-SHARED").stock == 10 + total
