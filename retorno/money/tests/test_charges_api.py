"""The charges API: list, read, retry, mark paid; who may see and do what."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from retorno.api.tests.client import ApiClient, problem
from retorno.money.models import Charge, MoneySettings
from retorno.money.tests.conftest import (
    inspect,
    open_return,
    order_with,
    receive,
    resolve,
    variant_pair,
)

pytestmark = pytest.mark.django_db


def body(response):
    return json.loads(response.content)


@pytest.fixture
def charged(store, provider):
    """A dearer exchange resolved: its 10.00 difference charge is written (sent after commit,
    which these non-transactional tests never reach, so it stays pending)."""
    old, new = variant_pair(store, stock=5, new_price="25.00")
    order = order_with(store, quantity=2, unit_price="20.00", variant=old)
    ret = open_return(store, order, quantity=2, resolution="exchange", exchange_variant_id=new.id)
    receive(store, ret, 2)
    inspect(store, ret, "new")
    resolve(store, ret)
    return Charge.objects.get()


def ledger():
    return list(Charge.objects.order_by("id").values_list("id", "state", "amount", "attempt"))


def test_list_filter_and_read(store, api, charged):
    listed = body(api.get("/charges"))["results"]
    assert len(listed) == 1
    charge = listed[0]
    assert (charge["rma"], charge["kind"], charge["amount"], charge["state"]) == (
        charged.rma,
        "exchange_difference",
        "10.00",
        "pending",
    )
    assert charge["exchange_state"] == "awaiting_payment"
    assert body(api.get("/charges", {"state": "failed"}))["results"] == []
    assert body(api.get("/charges", {"kind": "unreturned_item"}))["results"] == []
    assert len(body(api.get("/charges", {"rma": charged.rma.lower()}))["results"]) == 1
    problem(api.get("/charges", {"kind": "tip"}), 422, "validation_error")
    read = body(api.get(f"/charges/{charged.id}"))
    assert read["idempotency_key"] == charged.idempotency_key
    problem(api.get("/charges/999999"), 404, "charge_not_found")


def test_retry_of_a_failed_charge_takes_a_new_key(store, api, charged):
    Charge.objects.filter(id=charged.id).update(state="failed")
    response = api.post(f"/charges/{charged.id}/retry")
    assert response.status_code == 200, response.content
    assert body(response)["idempotency_key"].endswith("-difference-a2")
    assert body(response)["state"] == "pending"


def test_retry_of_a_taken_charge_is_a_conflict(store, api, charged):
    Charge.objects.filter(id=charged.id).update(state="succeeded")
    before = ledger()
    problem(api.post(f"/charges/{charged.id}/retry"), 409, "already_charged")
    assert ledger() == before


def test_mark_paid_releases_the_exchange(store, api, charged):
    MoneySettings.objects.filter(store=store).update(payment_adapter="manual")
    problem(
        api.post(f"/charges/{charged.id}/mark-paid", {"reference": ""}), 422, "validation_error"
    )
    response = api.post(f"/charges/{charged.id}/mark-paid", {"reference": "POS-1"})
    assert body(response)["state"] == "succeeded"
    assert body(response)["exchange_state"] == "released"


def test_anonymous_gets_401(charged):
    problem(ApiClient().get("/charges"), 401, "unauthorized")
    problem(ApiClient().post(f"/charges/{charged.id}/retry"), 401, "unauthorized")


def test_another_store_sees_and_touches_nothing(store, other_key, charged):
    other = ApiClient(other_key)
    Charge.objects.filter(id=charged.id).update(state="failed")
    before = ledger()
    assert body(other.get("/charges"))["results"] == []
    problem(other.get(f"/charges/{charged.id}"), 404, "charge_not_found")
    problem(other.post(f"/charges/{charged.id}/retry"), 404, "charge_not_found")
    problem(
        other.post(f"/charges/{charged.id}/mark-paid", {"reference": "x"}), 404, "charge_not_found"
    )
    assert ledger() == before


def test_a_read_only_key_cannot_move_money(store, read_key, charged):
    reader = ApiClient(read_key)
    Charge.objects.filter(id=charged.id).update(state="failed")
    before = ledger()
    assert reader.get("/charges").status_code == 200
    problem(reader.post(f"/charges/{charged.id}/retry"), 403, "insufficient_scope")
    problem(
        reader.post(f"/charges/{charged.id}/mark-paid", {"reference": "x"}),
        403,
        "insufficient_scope",
    )
    assert ledger() == before
    assert Charge.objects.get().amount == Decimal("10.00")
