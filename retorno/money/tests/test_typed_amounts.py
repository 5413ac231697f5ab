"""Every amount a person or a program types after the order (an agent's refund, a claim's refund,
store credit spent, a carrier's prices) is refused when its currency cannot express it: 422
`invalid_amount` naming the field, nothing written. The order's own amounts are checked at intake
(retorno/api/tests/test_order_intake_limits.py, retorno/orders/tests/test_admin_limits.py)."""

from __future__ import annotations

import itertools

import pytest

from retorno.api.tests.client import problem
from retorno.logistics.models import CarrierAccount
from retorno.money.models import Claim, CreditEntry, Refund
from retorno.money.tests.conftest import open_return, receive
from retorno.orders.tests.factories import line_payload, make_order

pytestmark = pytest.mark.django_db

TOO_FINE = [("EUR", "10.003"), ("JPY", "10.5"), ("KWD", "1.2345")]
PRICES = {"EUR": "20.00", "JPY": "100", "KWD": "20.000"}
_numbers = itertools.count(8001)


def _order(store, currency: str):
    number = str(next(_numbers))
    return make_order(
        store,
        external_id=number,
        email=f"{number}@example.com",
        currency=currency,
        lines=[line_payload(f"{number}-1", quantity=3, unit_price=PRICES[currency], tax="0")],
    )


def _ledger() -> list:
    return [
        list(Refund.objects.values_list("id", "amount", "state")),
        list(CreditEntry.objects.values_list("id", "amount")),
        list(Claim.objects.values_list("id", "state")),
    ]


def _refused(response, field: str = "amount") -> None:
    body = problem(response, 422, "invalid_amount")
    assert [(e["field"], e["type"]) for e in body["errors"]] == [(field, "invalid_amount")]


@pytest.mark.parametrize(("currency", "amount"), TOO_FINE, ids=[c for c, _ in TOO_FINE])
def test_an_agents_refund_amount_finer_than_the_currency_is_refused(
    store, api, provider, currency, amount
):
    returned = open_return(store, _order(store, currency), quantity=3)
    receive(store, returned, 2)
    before = _ledger()

    _refused(api.post(f"/returns/{returned.rma}/refunds", {"amount": amount}))

    assert _ledger() == before


@pytest.mark.parametrize(("currency", "amount"), TOO_FINE, ids=[c for c, _ in TOO_FINE])
def test_a_claims_refund_amount_finer_than_the_currency_is_refused(
    store, api, provider, currency, amount
):
    order = _order(store, currency)
    line = order.lines.get().external_id
    opened = api.post(
        "/claims", {"order": order.external_id, "reason": "missing_item", "lines": {line: 1}}
    )
    assert opened.status_code == 201, opened.content
    before = _ledger()

    number = opened.json()["number"]
    _refused(api.post(f"/claims/{number}/resolve", {"resolution": "refund", "amount": amount}))

    assert _ledger() == before


@pytest.mark.parametrize(("currency", "amount"), TOO_FINE, ids=[c for c, _ in TOO_FINE])
def test_store_credit_spent_finer_than_the_currency_is_refused(
    store, api, provider, currency, amount
):
    order = _order(store, currency)
    returned = open_return(store, order, quantity=1, resolution="store_credit")
    receive(store, returned, 1)
    assert CreditEntry.objects.exists()
    before = _ledger()

    customer = order.customer.external_id
    _refused(
        api.post(f"/customers/{customer}/store-credit/spend", {"amount": amount, "entry_id": "s-1"})
    )

    assert _ledger() == before


CARRIER = {
    "name": "Nuevo",
    "kind": "simulator",
    "capabilities": ["pickup"],
    "service_areas": [{"country": "ES"}],
    "max_dimensions_cm": [100, 60, 60],
}


@pytest.mark.parametrize("name", ["base_amount", "per_kg_amount"])
@pytest.mark.parametrize(("currency", "amount"), TOO_FINE, ids=[c for c, _ in TOO_FINE])
def test_a_carrier_price_finer_than_its_currency_is_refused(api, currency, amount, name):
    rate = {"base_amount": "5", "per_kg_amount": "1", name: amount}
    body = {**CARRIER, "rates": {currency: rate}}

    _refused(api.put("/carriers/nuevo", body), field=f"rates.{currency}.{name}")

    assert not CarrierAccount.objects.filter(code="nuevo").exists()


def test_a_carrier_price_exact_in_its_currency_is_saved(api):
    rates = {"JPY": {"base_amount": "500", "per_kg_amount": "100.0"}, "KWD": {"base_amount": "1.5"}}
    response = api.put("/carriers/nuevo", {**CARRIER, "rates": rates})
    assert response.status_code == 201, response.content
