"""The staff pages of customers and shipments: this store's rows only, newest first by keyset
pages (every row once, walking Next), filtered, searched, in Spanish and English, and a fixed
number of statements whatever the rows behind them or the cursor's depth."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from retorno.backoffice.tests.conftest import make_return
from retorno.logistics.models import Shipment
from retorno.orders.models import Customer
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def customers(store: Store, n: int, **fields: Any) -> list[Customer]:
    made = Customer.objects.bulk_create(
        Customer(store=store, email=f"c{next(_serial)}@example.com", **fields) for _ in range(n)
    )
    for k, customer in enumerate(made):  # created_at is set on insert
        customer.created_at = T0 + timedelta(minutes=k)
    Customer.objects.bulk_update(made, ["created_at"])
    return made


def shipments(store: Store, n: int, **fields: Any) -> list[Shipment]:
    ret = make_return(store)
    fields = {"method": "pickup", **fields}
    return Shipment.objects.bulk_create(
        Shipment(
            store=store,
            return_id=ret.pk,
            rma=ret.rma,
            attempt_number=next(_serial),
            reference=f"SH-{next(_serial)}",
            created_at=T0 + timedelta(minutes=k),
            updated_at=T0,
            **fields,
        )
        for k in range(n)
    )


def rows(html: str, kind: str) -> list[str]:
    return re.findall(rf'data-{kind}="([^"]+)"', html)


def walk(client: Any, url: str, kind: str, params: dict[str, str] | None = None) -> list[str]:
    """Every row from the first page to the last, following Next."""
    seen: list[str] = []
    query = dict(params or {})
    for _ in range(50):
        html = client.get(url, query).content.decode()
        seen += rows(html, kind)
        found = re.search(r'href="\?([^"]*)" rel="next"', html)
        if not found:
            return seen
        after = re.search(r"after=([^&]+)", found.group(1).replace("&amp;", "&"))
        assert after
        query = {**(params or {}), "after": after.group(1)}
    raise AssertionError("no last page")


def test_the_customer_list_pages_newest_first_through_every_customer(
    signed_in: Any, store: Store, other_store: Store
) -> None:
    made = customers(store, 60)
    customers(other_store, 3)
    seen = walk(signed_in("agent"), reverse("backoffice:customers"), "customer")
    assert seen == [str(c.pk) for c in reversed(made)]


def test_customers_are_searched_and_filtered_by_tier(signed_in: Any, store: Store) -> None:
    customers(store, 3)
    lola = Customer.objects.create(
        store=store, email="lola.garcia@example.com", name="Lola García", tier="gold"
    )
    pepe = Customer.objects.create(
        store=store, email="pepe@example.com", name="Pepe Ruiz", external_id="cust-77"
    )
    client = signed_in("agent")
    url = reverse("backoffice:customers")
    for typed, expected in {
        "lola.garcia": [lola],
        "LOLA GAR": [lola],  # inside the name, any case
        "pepe@example.com": [pepe],
        "cust-77": [pepe],
        "zz": [],
    }.items():
        html = client.get(url, {"q": typed}).content.decode()
        assert rows(html, "customer") == [str(c.pk) for c in expected], typed
    html = client.get(url, {"tier": "gold"}).content.decode()
    assert rows(html, "customer") == [str(lola.pk)]
    assert '<option value="gold" selected>' in html


def test_the_shipment_list_pages_and_filters(
    signed_in: Any, store: Store, other_store: Store
) -> None:
    made = shipments(store, 30)
    booked = shipments(store, 2, booking_state="booked", tracking_number="1Z999AA10123456784")
    shipments(other_store, 2)
    client = signed_in("warehouse")
    url = reverse("backoffice:shipments")
    seen = walk(client, url, "shipment")
    assert sorted(seen) == sorted(s.reference for s in made + booked)
    assert len(seen) == len(set(seen))
    booked_refs = sorted(s.reference for s in booked)
    html = client.get(url, {"booking_state": "booked"}).content.decode()
    assert sorted(rows(html, "shipment")) == booked_refs
    assert sorted(rows(client.get(url, {"q": "a10123"}).content.decode(), "shipment")) == (
        booked_refs
    )
    rma = made[0].rma
    assert len(walk(client, url, "shipment", {"q": rma.lower()})) == 30


def test_the_pages_speak_spanish(signed_in: Any, store: Store) -> None:
    customers(store, 1)
    shipments(store, 1)
    client = signed_in("agent")
    html = client.get(reverse("backoffice:customers"), HTTP_ACCEPT_LANGUAGE="es").content
    assert "<h1>Clientes</h1>" in html.decode()
    html = client.get(reverse("backoffice:shipments"), HTTP_ACCEPT_LANGUAGE="es").content
    assert "<h1>Envíos</h1>" in html.decode()
    assert "Número de seguimiento" in html.decode()


def test_another_stores_staff_sees_none_of_these_rows(signed_in: Any, store: Store) -> None:
    customers(store, 2)
    shipments(store, 2)
    client = signed_in("other_agent")
    assert rows(client.get(reverse("backoffice:customers")).content.decode(), "customer") == []
    assert rows(client.get(reverse("backoffice:shipments")).content.decode(), "shipment") == []


@pytest.mark.parametrize(("name", "kind"), [("customers", "customer"), ("shipments", "shipment")])
def test_statements_do_not_grow_with_rows_or_depth(
    signed_in: Any, store: Store, name: str, kind: str
) -> None:
    client = signed_in("agent")
    url = reverse(f"backoffice:{name}")
    make = customers if name == "customers" else shipments
    make(store, 3)
    client.get(url)  # warm the session

    def statements(params: dict[str, str] | None = None) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params or {}).status_code == 200
        return len(captured.captured_queries)

    small = statements()
    make(store, 80)
    large = statements()
    html = client.get(url).content.decode()
    found = re.search(r'after=([^&"]+)', html)
    assert found
    deep = statements({"after": found.group(1)})
    assert small == large == deep
