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
from retorno.orders.models import Customer, Order, OrderLine, Product, Variant
from retorno.policies.models import PolicyVersion
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.stores.models import Store

SMALL = {"customers": 60, "orders": 120}
TODAY = date(2026, 3, 15)


def counts() -> dict[str, int]:
    models = (
        Store, Product, Variant, Customer, Order, OrderLine, Return, ReturnItem, ReturnEvent,
        PolicyVersion, ApiKey, Membership, get_user_model(),
    )  # fmt: skip
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
    assert customers.filter(language="en").exists() and customers.filter(language="es").exists()
    assert all(c.email.endswith("@example.com") for c in customers)
    assert Order.objects.filter(delivered_at__isnull=True).exists()
    assert OrderLine.objects.filter(final_sale=True).exists()
    assert OrderLine.objects.exclude(discount_amount=0).exists()
    assert set(Product.objects.values_list("category", flat=True)) == {
        "apparel", "shoes", "electronics", "home", "gift-cards",
    }  # fmt: skip
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

    assert first.generated and not again.generated
    assert counts() == before
    assert again.counts == first.counts


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
    assert admin.is_superuser and admin.is_staff and admin.check_password(DEMO_PASSWORD)
    roles = set(Membership.objects.filter(store=store).values_list("role", flat=True))
    assert roles == set(Role.values)
    for membership in Membership.objects.filter(store=store).select_related("user"):
        assert membership.user.check_password(DEMO_PASSWORD)
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_printed_api_key_authenticates():
    out = StringIO()
    call_command("demo", customers=20, orders=40, stdout=out)
    text = out.getvalue()
    assert DEMO_API_KEY in text
    assert "admin / retorno-demo" in text
    assert "http://127.0.0.1:8000/admin/" in text and "/api/v1/docs" in text

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
    anchor = datetime(2026, 3, 15, tzinfo=UTC)

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
