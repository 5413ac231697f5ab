"""Abuse signals with their evidence on a return's page and on the customer's page; the
parcel check at receiving."""

from __future__ import annotations

import pytest
from django.urls import reverse

from retorno.core.actors import SYSTEM
from retorno.orders.tests.factories import line_payload, make_order
from retorno.returns.models import ReturnEvent
from retorno.returns.services import ItemRequest, return_create

ROLES = ("admin", "agent", "warehouse", "finance", "analyst")


def serial_returner(store, email="eva@example.com"):
    last = None
    for n in range(5):
        make_order(
            store, external_id=f"90{n}", email=email, lines=[line_payload(f"90{n}-1", quantity=1)]
        )
        last = return_create(
            store=store,
            order_external_id=f"90{n}",
            items=[ItemRequest(line=f"90{n}-1", quantity=1, reason="too_small")],
            resolution="refund",
            method="pickup",
            actor=SYSTEM,
        )
    return last


@pytest.mark.django_db
def test_a_returns_page_shows_the_customers_signals_with_evidence(signed_in, store):
    ret = serial_returner(store)
    html = signed_in("agent").get(reverse("backoffice:return", args=[ret.rma])).content.decode()
    assert 'id="signals"' in html
    assert 'data-signal="serial_returner"' in html
    assert "5 of 5 units bought in the last 365 days came back (100%), in 5 returns." in html
    assert reverse("backoffice:customer", args=[ret.customer_id]) in html


@pytest.mark.django_db
def test_a_clean_customer_shows_no_signal_card(signed_in, approved):
    html = (
        signed_in("agent").get(reverse("backoffice:return", args=[approved.rma])).content.decode()
    )
    assert 'id="signals"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_customers_page_in_its_language(client, staff, store, role):
    ret = serial_returner(store)
    client.force_login(staff[role])
    client.cookies["django_language"] = "es"
    page = client.get(reverse("backoffice:customer", args=[ret.customer_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Devoluciones en serie" in html
    assert ret.rma in html


@pytest.mark.django_db
def test_another_stores_customer_is_not_found(signed_in, store, other_store):
    theirs = serial_returner(other_store)
    response = signed_in("agent").get(reverse("backoffice:customer", args=[theirs.customer_id]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_warehouse_records_a_parcel_check(signed_in, approved):
    url = reverse("backoffice:receiving_parcel_check", args=[approved.rma])
    refused = signed_in("agent").post(url, {"weight_grams": "120"})
    assert refused.status_code == 403
    bad = signed_in("warehouse").post(url, {"weight_grams": "-3"})
    assert bad.status_code == 422
    assert "whole grams" in bad.content.decode()
    nothing = signed_in("warehouse").post(url, {"serial": ""})
    assert nothing.status_code == 422
    assert not ReturnEvent.objects.filter(kind="parcel_checked").exists()
    done = signed_in("warehouse").post(url, {"weight_grams": "120", "serial": "no"})
    assert done.status_code == 302
    event = ReturnEvent.objects.get(kind="parcel_checked")
    assert event.data["weight_grams"] == 120
    assert event.data["serial_matches"] is False
    page = signed_in("warehouse").get(reverse("backoffice:receiving_return", args=[approved.rma]))
    assert 'id="parcel-form"' in page.content.decode()
