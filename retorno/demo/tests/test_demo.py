from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from retorno.accounts.models import ApiKey, Membership, Role
from retorno.api.v1.schemas import OrderIn
from retorno.demo import generator
from retorno.demo.generator import (
    DEMO_API_KEY,
    DEMO_PASSWORD,
    REACHABLE_STATES,
    demo_create,
)
from retorno.money.models import Charge, Claim, ExchangeOrder, Refund
from retorno.orders.models import Customer, Order, OrderLine, Product, Variant
from retorno.policies.models import PolicyVersion
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.stores.models import Store

SMALL = {"customers": 60, "orders": 120}
# Big enough for every money story (exchanges in each state, instant ones, charges, kept
# returns, claims of each outcome) without the full demo's cost.
MEDIUM = {"customers": 300, "orders": 600}
TODAY = date(2026, 3, 15)


def counts() -> dict[str, int]:
    models = (
        Store,
        Product,
        Variant,
        Customer,
        Order,
        OrderLine,
        Return,
        ReturnItem,
        ReturnEvent,
        PolicyVersion,
        ApiKey,
        Membership,
        get_user_model(),
        ExchangeOrder,
        Charge,
        Claim,
        Refund,
    )
    return {model.__name__: model.objects.count() for model in models}


def digest(store: Store) -> str:
    """Everything that must follow from the seed: orders, lines, amounts, customers, returns
    (all but RMAs and tracking tokens, which are random by design)."""
    rows = []
    for order in Order.objects.filter(store=store).select_related("customer").order_by("number"):
        rows.append(
            (
                order.number,
                order.placed_at.isoformat(),
                order.delivered_at.isoformat() if order.delivered_at else "",
                order.customer.email,
                order.customer.tier,
                order.customer.name,
                str(order.shipping_amount),
            )
        )
    for line in OrderLine.objects.filter(order__store=store).order_by("order__number", "position"):
        rows.append(
            (
                line.order.number,
                line.sku,
                line.quantity,
                str(line.unit_price),
                str(line.discount_amount),
                str(line.tax_amount),
                line.final_sale,
            )
        )
    for ret in Return.objects.filter(store=store).select_related("order").order_by("order__number"):
        items = sorted(
            (i.order_line.sku, i.reason, i.quantity_requested, str(i.amount))
            for i in ret.items.select_related("order_line")
        )
        events = list(ret.events.order_by("created_at", "id").values_list("kind", "created_at"))
        rows.append(
            (
                ret.order.number,
                ret.status,
                ret.resolution,
                ret.method,
                str(ret.items_amount),
                str(ret.refund_estimate_amount),
                tuple(items),
                tuple(events),
            )
        )
    # The money side (exchange and claim numbers are random by design, like RMAs).
    for exchange in ExchangeOrder.objects.filter(store=store).select_related("order", "claim"):
        rows.append(
            (
                exchange.order.number,
                exchange.claim.reason if exchange.claim else "",
                exchange.state,
                exchange.instant,
                exchange.return_due_by.isoformat() if exchange.return_due_by else "",
                str(exchange.difference_amount),
                exchange.difference_direction,
                tuple(sorted(exchange.lines.values_list("variant__sku", "units"))),
            )
        )
    for charge in Charge.objects.filter(store=store).select_related("order"):
        rows.append(
            (
                charge.order.number,
                charge.kind,
                charge.state,
                str(charge.amount),
                charge.created_at.isoformat(),
                str(charge.succeeded_at),
            )
        )
    for claim in Claim.objects.filter(store=store).select_related("order"):
        rows.append(
            (
                claim.order.number,
                claim.reason,
                claim.state,
                claim.resolution,
                claim.created_at.isoformat(),
                str(claim.resolved_at),
                tuple(claim.lines.values_list("order_line__sku", "units")),
            )
        )
    for refund in Refund.objects.filter(store=store).select_related("order"):
        rows.append(
            (
                refund.order.number,
                refund.kind,
                refund.destination,
                refund.state,
                str(refund.amount),
                refund.created_at.isoformat(),
                str(refund.succeeded_at),
            )
        )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [42, 1, 2025])
def test_small_demo_has_returns_in_every_reachable_state(seed):
    result = demo_create(seed=seed, **SMALL)

    assert result.generated
    statuses = set(Return.objects.filter(store=result.store).values_list("status", flat=True))
    assert set(REACHABLE_STATES) <= statuses, set(REACHABLE_STATES) - statuses
    assert result.counts["orders"] == 120
    assert 0 < result.counts["customers"] <= 60
    # Nothing is dated in the future, and every trail runs forward in time.
    now = timezone.now()
    assert not Order.objects.filter(placed_at__gt=now).exists()
    assert not Order.objects.filter(delivered_at__gt=now).exists()
    assert not ReturnEvent.objects.filter(created_at__gt=now).exists()
    for ret in Return.objects.prefetch_related("events"):
        times = [e.created_at for e in ret.events.all()]
        assert times == sorted(times)
        assert ret.order.delivered_at is not None
        assert ret.created_at >= ret.order.delivered_at


@pytest.mark.django_db
def test_default_sized_mix_is_believable():
    # A mid-sized run, to check the proportions the demo promises without the full cost.
    demo_create(customers=400, orders=800)
    returns = Return.objects.count()
    assert 0.08 * 800 <= returns <= 0.18 * 800
    customers = Customer.objects.all()
    tiers = {tier: customers.filter(tier=tier).count() for tier in ("", "silver", "gold")}
    assert tiers[""] > tiers["silver"] > tiers["gold"] > 0
    assert customers.filter(language="en").exists()
    assert customers.filter(language="es").exists()
    assert all(c.email.endswith("@example.com") for c in customers)
    assert Order.objects.filter(delivered_at__isnull=True).exists()
    assert OrderLine.objects.filter(final_sale=True).exists()
    assert OrderLine.objects.exclude(discount_amount=0).exists()
    assert set(Product.objects.values_list("category", flat=True)) == {
        "apparel",
        "shoes",
        "electronics",
        "home",
        "accessories",
        "gift-cards",
    }
    sizing = ReturnItem.objects.filter(
        order_line__category__in=["apparel", "shoes"], reason__in=["too_small", "too_large"]
    ).count()
    assert (
        sizing
        > ReturnItem.objects.filter(order_line__category__in=["apparel", "shoes"]).count() / 2
    )
    assert Return.objects.filter(requires_review=True).exists()
    assert not ReturnItem.objects.filter(order_line__category="gift-cards").exists()
    assert not ReturnItem.objects.filter(order_line__final_sale=True).exists()


@pytest.mark.django_db
def test_running_twice_changes_nothing():
    first = demo_create(**SMALL)
    before = counts()

    again = demo_create(**SMALL)

    assert first.generated
    assert not again.generated
    assert counts() == before
    assert again.counts == first.counts
    assert again.money == first.money


@pytest.mark.django_db(transaction=True)
def test_same_seed_gives_the_same_data_in_fresh_databases():
    first = digest(demo_create(seed=7, today=TODAY, **SMALL).store)
    call_command("flush", interactive=False, verbosity=0)
    assert counts()["Order"] == 0
    second = digest(demo_create(seed=7, today=TODAY, **SMALL).store)
    call_command("flush", interactive=False, verbosity=0)
    other = digest(demo_create(seed=8, today=TODAY, **SMALL).store)

    assert first == second
    assert other != first


@pytest.mark.django_db(transaction=True)
def test_same_seed_gives_the_same_money_side():
    # Committed for real, so the outbox delivers the refunds and charges after commit, as in
    # `retorno demo`: they must find them paid already and change nothing.
    first_result = demo_create(seed=7, today=TODAY, **MEDIUM)
    first = digest(first_result.store)
    call_command("flush", interactive=False, verbosity=0)
    second_result = demo_create(seed=7, today=TODAY, **MEDIUM)

    assert digest(second_result.store) == first
    assert second_result.money == first_result.money
    assert first_result.money["exchanges"]
    assert first_result.money["charges_by_kind"]
    assert Claim.objects.exists()


@pytest.mark.django_db
def test_the_money_side_shows_in_every_state():
    result = demo_create(today=TODAY, **MEDIUM)
    store = result.store
    exchanges = ExchangeOrder.objects.filter(store=store, return_id__isnull=False)
    by_return = {r.id: r for r in Return.objects.filter(store=store)}

    # Exchanges (size or colour swaps of apparel and shoes) in every state of their path.
    statuses = {by_return[e.return_id].status for e in exchanges.filter(instant=False)}
    assert {"approved", "in_transit", "received", "inspected", "resolved", "closed"} <= statuses
    for exchange in exchanges.select_related("order").prefetch_related("lines__order_line"):
        ret = by_return[exchange.return_id]
        assert ret.resolution == "exchange"
        for line in exchange.lines.all():
            assert line.order_line.category in ("apparel", "shoes")
            assert line.variant.product_id == line.order_line.variant.product_id
            assert line.variant_id != line.order_line.variant_id
        if exchange.instant:
            assert ret.customer.tier == "gold"
            assert exchange.state == "released"  # at approval, before the original is back
        elif ret.status in ("resolved", "closed"):
            assert exchange.state == "released"
        elif ret.status != "cancelled":
            assert exchange.state == "reserved"
    assert (
        ReturnItem.objects.filter(
            return_request__resolution="exchange", reason__in=["too_small", "too_large"]
        ).count()
        > ReturnItem.objects.filter(return_request__resolution="exchange").count() / 2
    )
    assert exchanges.filter(instant=True).exists()

    # An instant exchange whose original never came back: reminded, then charged back.
    charge_backs = Charge.objects.filter(store=store, kind="unreturned_item")
    assert charge_backs.exists()
    for charge_back in charge_backs.select_related("exchange"):
        assert charge_back.state == "succeeded"
        assert charge_back.succeeded_at < datetime(2026, 3, 15, tzinfo=UTC)
        assert charge_back.created_at > charge_back.exchange.return_due_by
        overdue = by_return[charge_back.return_id]
        assert overdue.status in ("approved", "cancelled")
        kinds = list(overdue.events.order_by("created_at", "id").values_list("kind", flat=True))
        assert kinds[-2:] == ["charge_back_issued", "charged"]
        assert overdue.status == "cancelled" or "return_due_soon" in kinds

    # Dearer exchanges: the difference charged, then the exchange released.
    difference = Charge.objects.filter(store=store, kind="exchange_difference")
    assert difference.exists()
    assert set(difference.values_list("state", flat=True)) == {"succeeded"}
    assert set(difference.values_list("exchange__state", flat=True)) == {"released"}

    # Cheap accessories are kept: resolved at approval with method keep, and refunded.
    kept = Return.objects.filter(store=store, method="keep")
    assert kept.exists()
    for ret in kept:
        assert ret.status in ("resolved", "closed")
        assert not ret.events.filter(kind__in=["in_transit", "received"]).exists()
        assert Refund.objects.filter(return_id=ret.id, kind="keep_item").exists()
    assert set(kept.values_list("items__order_line__category", flat=True)) == {"accessories"}

    # Claims in every state and outcome.
    claims = Claim.objects.filter(store=store)
    assert 5 <= claims.count() <= 20
    outcomes = set(claims.values_list("state", "resolution"))
    assert {
        ("open", ""),
        ("rejected", ""),
        ("resolved", "refund"),
        ("resolved", "replacement"),
        ("resolved", "both"),
    } <= outcomes
    assert ExchangeOrder.objects.filter(store=store, claim__isnull=False, state="released").exists()

    # Every payment of the demo's past went through: paid at its own time, on the trail.
    assert set(Refund.objects.filter(store=store).values_list("state", flat=True)) == {"succeeded"}
    assert set(Charge.objects.filter(store=store).values_list("state", flat=True)) == {"succeeded"}
    assert not Refund.objects.filter(
        store=store, succeeded_at__gte=datetime(2026, 3, 15, tzinfo=UTC)
    ).exists()
    on_returns = Refund.objects.filter(store=store, return_id__isnull=False).count()
    assert ReturnEvent.objects.filter(store=store, kind="refunded").count() == on_returns
    for ret in Return.objects.filter(store=store).prefetch_related("events"):
        times = [e.created_at for e in ret.events.all()]
        assert times == sorted(times)


@pytest.mark.django_db
def test_orders_are_sent_in_the_api_shape(monkeypatch):
    seen = []
    real = generator.order_upsert

    def checked(*, store, data):
        seen.append(data)
        assert OrderIn.model_validate(data).model_dump().keys() == data.keys()
        return real(store=store, data=data)

    monkeypatch.setattr(generator, "order_upsert", checked)
    demo_create(customers=10, orders=15)
    assert len(seen) == 15


@pytest.mark.django_db
def test_staff_and_admin_can_sign_in():
    store = demo_create(customers=5, orders=5).store
    users = get_user_model().objects
    admin = users.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password(DEMO_PASSWORD)
    roles = set(Membership.objects.filter(store=store).values_list("role", flat=True))
    assert roles == set(Role.values)
    for membership in Membership.objects.filter(store=store).select_related("user"):
        assert membership.user.check_password(DEMO_PASSWORD)
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_printed_api_key_authenticates(settings):
    # `make run PORT=…` sets the public URL; the printed links follow it.
    settings.RETORNO_PUBLIC_URL = "http://127.0.0.1:8244"
    out = StringIO()
    call_command("demo", customers=20, orders=40, stdout=out)
    text = out.getvalue()
    assert DEMO_API_KEY in text
    assert "admin / retorno-demo" in text
    for summary in ("exchanges:", "kept returns", "charges:", "claims:", "refunds:"):
        assert summary in text
    assert "http://127.0.0.1:8244/admin/" in text
    assert "http://127.0.0.1:8244/api/v1/docs" in text
    assert "8000" not in text

    response = Client().get("/api/v1/returns", HTTP_AUTHORIZATION=f"Bearer {DEMO_API_KEY}")
    assert response.status_code == 200
    assert response.json()["results"]
    assert Client().get("/api/v1/returns").status_code == 401

    out = StringIO()
    call_command("demo", customers=20, orders=40, stdout=out)
    assert "already has orders" in out.getvalue()
    assert DEMO_API_KEY in out.getvalue()


@pytest.mark.django_db
def test_chosen_api_key_is_used():
    key = "rtn_my_own_demo_key_1234567890"
    out = StringIO()
    call_command("demo", "--api-key", key, "--customers", "5", "--orders", "5", stdout=out)
    assert key in out.getvalue()
    response = Client().get("/api/v1/returns", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert (
        Client().get("/api/v1/returns", HTTP_AUTHORIZATION=f"Bearer {DEMO_API_KEY}").status_code
        == 401
    )


@pytest.mark.django_db
def test_dates_are_anchored_to_today():
    demo_create(customers=30, orders=60, today=TODAY)
    # The store's today, from its local midnight (Madrid is UTC+1 in March before the switch).
    anchor = datetime(2026, 3, 14, 23, tzinfo=UTC)

    placed = Order.objects.values_list("placed_at", flat=True)
    assert max(placed) < anchor
    assert min(placed) >= anchor - timedelta(days=120)
    assert ReturnEvent.objects.order_by("-created_at").first().created_at < anchor


@pytest.mark.django_db
def test_createstore_is_idempotent():
    out = StringIO()
    call_command("createstore", "acme", "--api-key", "rtn_acme_key_0123456789abcdef", stdout=out)
    assert "Created acme" in out.getvalue()
    assert "rtn_acme_key_0123456789abcdef" in out.getvalue()
    before = counts()

    out = StringIO()
    call_command("createstore", "acme", "--api-key", "rtn_acme_key_0123456789abcdef", stdout=out)

    assert "already exists" in out.getvalue()
    assert counts() == before
    store = Store.objects.get(slug="acme")
    assert store.name == "Acme"
    assert PolicyVersion.objects.filter(store=store).count() == 1
    response = Client().get(
        "/api/v1/returns", HTTP_AUTHORIZATION="Bearer rtn_acme_key_0123456789abcdef"
    )
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.django_db
def test_demo_products_have_a_picture_and_a_link():
    from retorno.core.weblinks import is_web_link
    from retorno.orders.models import Product

    result = demo_create(seed=7, **SMALL)
    products = Product.objects.filter(store=result.store)
    assert products.exists()
    for product in products:
        assert product.image_url.startswith("/static/demo/products/"), product.title
        assert is_web_link(product.url), product.title


@pytest.mark.django_db
def test_the_demo_takes_returns_in_its_shop_besides_the_carriers():
    from retorno.portal.methods import locations_for

    store = demo_create(seed=7, today=TODAY, **SMALL).store
    store.refresh_from_db()
    assert store.return_methods[-1] == "in_store"
    assert {"pickup", "drop_off"} <= set(store.return_methods)
    (shop,) = locations_for(store)
    assert shop.name == "Tienda Demo Malasaña"
    # The history before it was sent by carrier: nothing in it was brought to the shop.
    assert not Return.objects.filter(store=store, method="in_store").exists()
