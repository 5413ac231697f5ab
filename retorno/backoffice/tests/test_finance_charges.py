"""Finance pages for charges: the ledger next to refunds, retry, mark as paid, sending a held
exchange with a note; who may see or move money (warehouse and agents may not), and one store's
staff never see another's charges."""

from __future__ import annotations

import pytest
from django.urls import reverse

from retorno.money.models import Charge, ExchangeOrder, MoneySettings
from retorno.money.tests.conftest import (
    inspect,
    open_return,
    order_with,
    receive,
    resolve,
    variant_pair,
)

ROLES = ("admin", "agent", "warehouse", "finance", "analyst")
VIEWERS = {"admin", "finance", "analyst"}
MOVERS = {"admin", "finance"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(store):
    """A dearer exchange resolved with the manual adapter: its charge pending, the exchange held."""
    MoneySettings.objects.update_or_create(store=store, defaults={"payment_adapter": "manual"})
    old, new = variant_pair(store, stock=5, new_price="25.00")
    order = order_with(store, quantity=1, unit_price="20.00", variant=old)
    ret = open_return(store, order, quantity=1, resolution="exchange", exchange_variant_id=new.id)
    receive(store, ret, 1)
    inspect(store, ret, "new")
    resolve(store, ret)
    ExchangeOrder.objects.update(state="awaiting_payment")
    return Charge.objects.get()


def ledger():
    return list(Charge.objects.order_by("id").values_list("id", "state", "idempotency_key"))


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_charges(signed_in, held, role):
    client = signed_in(role)
    for url in (
        reverse("backoffice:charges"),
        reverse("backoffice:charge", args=[held.id]),
        reverse("backoffice:return_refund", args=[held.rma]),
    ):
        response = client.get(url)
        assert response.status_code == (200 if role in VIEWERS else 403), (url, role)
        if role in VIEWERS:
            assert held.exchange.number in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_move_charges(signed_in, held, role):
    client = signed_in(role)
    Charge.objects.filter(id=held.id).update(state="failed")
    before = ledger()
    response = client.post(reverse("backoffice:charge_retry", args=[held.id]))
    if role in MOVERS:
        assert response.status_code == 302
        assert Charge.objects.get().idempotency_key.endswith("-a2")
        return
    assert response.status_code == 403
    for name, data in (
        ("charge_mark_paid", {"reference": "X"}),
        ("charge_release_exchange", {"note": "goodwill"}),
    ):
        assert client.post(reverse(f"backoffice:{name}", args=[held.id]), data).status_code == 403
    assert ledger() == before
    assert ExchangeOrder.objects.get().state == "awaiting_payment"


def test_finance_marks_paid_and_the_exchange_ships(signed_in, held):
    client = signed_in("finance")
    response = client.post(
        reverse("backoffice:charge_mark_paid", args=[held.id]), {"reference": ""}
    )
    assert response.status_code == 422
    assert Charge.objects.get().state == "pending"
    response = client.post(
        reverse("backoffice:charge_mark_paid", args=[held.id]), {"reference": "POS-7"}
    )
    assert response.status_code == 302
    assert Charge.objects.get().state == "succeeded"
    assert ExchangeOrder.objects.get().state == "released"


def test_finance_sends_a_held_exchange_with_a_note(signed_in, held):
    client = signed_in("finance")
    url = reverse("backoffice:charge_release_exchange", args=[held.id])
    assert client.post(url, {"note": ""}).status_code == 422
    assert ExchangeOrder.objects.get().state == "awaiting_payment"
    assert client.post(url, {"note": "Goodwill"}).status_code == 302
    exchange = ExchangeOrder.objects.get()
    assert (exchange.state, exchange.release_note) == ("released", "Goodwill")


def test_another_stores_staff_see_no_charge(signed_in, held):
    client = signed_in("other_agent")
    assert client.get(reverse("backoffice:charge", args=[held.id])).status_code in (403, 404)
    before = ledger()
    assert client.post(reverse("backoffice:charge_retry", args=[held.id])).status_code in (403, 404)
    assert ledger() == before


def test_a_finance_user_of_another_store_sees_none_of_these_charges(signed_in, held, other_store):
    from retorno.accounts.services import membership_grant

    user = membership_grant(
        store=other_store,
        username="finance.other",
        email="f@other.test",
        role="finance",
        password="correct-horse-battery",
    ).user
    client = signed_in("finance")
    client.force_login(user)
    listed = client.get(reverse("backoffice:charges"))
    assert listed.status_code == 200
    assert held.exchange.number not in listed.content.decode()
    assert client.get(reverse("backoffice:charge", args=[held.id])).status_code == 404
    assert client.post(reverse("backoffice:charge_retry", args=[held.id])).status_code == 404
