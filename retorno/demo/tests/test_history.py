"""The generated history (`retorno demo --returns N`): whole, consistent, deterministic, and
what the staff pages and the API show."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Max
from django.test import Client

from retorno.backoffice.access import SESSION_KEY
from retorno.demo.generator import demo_history_create
from retorno.demo.history import HISTORY_DAYS
from retorno.logistics.models import Shipment, TrackingEvent
from retorno.money.models import CreditEntry, Refund, RefundLine, StoreCreditWallet
from retorno.notifications.models import Message
from retorno.orders.models import Customer, Order
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.warehouse.models import Inspection

NOW = datetime(2026, 3, 15, 11, 30, tzinfo=UTC)
pytestmark = pytest.mark.django_db(transaction=True)


def load(slug: str, returns: int = 400, seed: int = 5) -> object:
    return demo_history_create(slug=slug, returns=returns, seed=seed, now=NOW)


def story(slug: str) -> list[tuple[object, ...]]:
    """What follows from the seed (not the store: RMAs, tokens and ids are the store's own)."""
    rows = []
    for ret in Return.objects.filter(store__slug=slug).order_by("id"):
        events = [e.kind for e in ReturnEvent.objects.filter(return_request=ret).order_by("id")]
        rows.append(
            (
                ret.status,
                ret.resolution,
                ret.method,
                ret.items_amount,
                ret.created_at,
                ret.updated_at,
                ret.customer.email,
                ret.order.placed_at,
                tuple(events),
            )
        )
    return rows


def test_a_history_is_whole_and_consistent():
    result = load("big")
    store = result.store
    # The load says where its time went, step by step.
    assert {"rows", "wallets", "analytics rollups", "counted"} <= result.phases.keys()
    returns = list(Return.objects.filter(store=store))
    assert len(returns) == 400
    statuses = Counter(r.status for r in returns)
    assert statuses["closed"] > 200  # most of 18 months of returns are over
    assert len(statuses) >= 6  # and recent ones are anywhere on the way
    assert Counter(r.resolution for r in returns).keys() == {"refund", "store_credit", "exchange"}
    assert {"pickup", "drop_off", "self_ship", "keep"} <= {r.method for r in returns}
    oldest = min(r.created_at for r in returns)
    assert NOW - timedelta(days=HISTORY_DAYS + 1) < oldest < NOW - timedelta(days=400)
    assert max(r.updated_at for r in returns) <= NOW
    for ret in returns:
        events = list(ReturnEvent.objects.filter(return_request=ret).order_by("id"))
        assert events[0].kind == "created"
        assert events[-1].to_status == ret.status, ret.rma
        assert ret.updated_at == max(e.created_at for e in events)
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        items = list(ReturnItem.objects.filter(return_request=ret))
        assert sum(i.amount for i in items) == ret.items_amount
        assert all(i.order_line.order_id == ret.order_id for i in items)
        refunded = Refund.objects.filter(return_id=ret.pk, state="succeeded").exists()
        if refunded:
            assert ret.status in ("received", "inspected", "resolved", "closed")
        if ret.status in ("inspected", "resolved") and ret.method != "keep":
            assert Inspection.objects.filter(return_id=ret.pk).count() == len(items)
    # Every message names an event of its return; every scan a shipment of the store.
    events = dict(ReturnEvent.objects.filter(store=store).values_list("id", "return_request_id"))
    for event_id, return_id in Message.objects.filter(store=store).values_list(
        "event_id", "return_id"
    ):
        assert events[event_id] == return_id
    shipments = set(Shipment.objects.filter(store=store).values_list("id", flat=True))
    scans = TrackingEvent.objects.filter(carrier_account__store=store)
    assert scans.exists()
    assert set(scans.values_list("shipment_id", flat=True)) <= shipments
    assert (
        RefundLine.objects.filter(refund__store=store).count()
        >= Refund.objects.filter(store=store).count()
    )
    # Store credit: a wallet holds what its entries add up to.
    for wallet in StoreCreditWallet.objects.filter(store=store):
        entries = CreditEntry.objects.filter(wallet=wallet)
        assert wallet.balance_amount == sum(e.amount for e in entries)
    # Ids continue after the load: the next row the services write does not collide.
    top = Customer.objects.aggregate(top=Max("id"))["top"]
    assert Customer.objects.create(store=store, email="new@example.com").pk > top
    assert Order.objects.filter(store=store).count() >= 400


def test_the_same_seed_gives_the_same_history_and_another_seed_another():
    load("one", returns=150, seed=9)
    load("two", returns=150, seed=9)
    load("three", returns=150, seed=10)
    assert story("one") == story("two")
    assert story("one") != story("three")
    rmas = set(Return.objects.filter(store__slug="one").values_list("rma", flat=True))
    assert len(rmas) == 150


def test_a_store_with_orders_gets_no_second_history():
    load("once", returns=50)
    again = load("once", returns=50)
    assert again.returns == 0
    assert Return.objects.filter(store__slug="once").count() == 50


def test_the_staff_pages_and_the_api_show_the_history():
    result = load("shown", returns=200)
    store = result.store
    user = get_user_model().objects.get(username="admin")
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = store.pk
    session.save()
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/returns").status_code == 200
    for status in ("pending_review", "approved", "in_transit", "closed", "resolved"):
        ret = Return.objects.filter(store=store, status=status).first()
        if ret is None:
            continue
        page = client.get(f"/staff/returns/{ret.rma}")
        assert page.status_code == 200
        assert ret.rma in page.content.decode()
        assert client.get(f"/r/{ret.tracking_token}").status_code == 200
    api = Client(HTTP_AUTHORIZATION=f"Bearer {result.api_key}")
    listing = api.get("/api/v1/returns?limit=50")
    assert listing.status_code == 200, listing.content
    assert len(listing.json()["results"]) == 50


def test_the_command_loads_a_history():
    out = StringIO()
    call_command("demo", "--returns", "60", "--store", "cli", "--seed", "3", stdout=out)
    assert "Loaded 60 returns into 'cli'" in out.getvalue()
    assert Return.objects.filter(store__slug="cli").count() == 60
