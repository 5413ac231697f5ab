"""The size suggested to shoppers of a product that runs small: the size shoppers who returned
the same size kept, only when the product is flagged, never from another store."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from retorno.analytics.sizing import suggested_size
from retorno.analytics.tests.factories import give_back, sale
from retorno.domain.analytics.fit import Fit
from retorno.orders.models import Product, Variant

pytestmark = pytest.mark.django_db


def _catalog(store):
    product = Product.objects.create(store=store, external_id="jeans", title="Jeans")
    return {
        size: Variant.objects.create(
            store=store,
            product=product,
            sku=f"JEAN-{size}",
            price=Decimal("10.00"),
            stock=50,
            options={"size": size},
        )
        for size in ("M", "L", "XL")
    }


def _jeans(store, size="M"):
    return sale(store, quantity=1, sku=f"JEAN-{size}", title="Jeans", product_id="jeans", size=size)


def test_a_product_that_runs_small_suggests_the_size_shoppers_kept(store, other_store):
    variants = _catalog(store)
    for _ in range(7):
        give_back(
            store,
            _jeans(store),
            reason="too_small",
            resolution="exchange",
            exchange_variant_id=variants["L"].id,
        )
    for _ in range(2):
        give_back(
            store,
            _jeans(store),
            reason="too_small",
            resolution="exchange",
            exchange_variant_id=variants["XL"].id,
        )
    give_back(store, _jeans(store), reason="too_small")
    now = timezone.now()
    found = suggested_size(store=store, product="jeans", ordered_size="M", now=now)
    assert found is not None
    assert (found.size, found.fit, found.shoppers) == ("L", Fit.RUNS_SMALL, 7)
    # Nobody who ordered XL exchanged it: nothing to suggest; another store knows nothing.
    assert suggested_size(store=store, product="jeans", ordered_size="XL", now=now) is None
    assert suggested_size(store=other_store, product="jeans", ordered_size="M", now=now) is None


def test_a_product_not_flagged_suggests_nothing(store):
    variants = _catalog(store)
    for _ in range(3):  # too few to flag
        give_back(
            store,
            _jeans(store),
            reason="too_small",
            resolution="exchange",
            exchange_variant_id=variants["L"].id,
        )
    assert (
        suggested_size(store=store, product="jeans", ordered_size="M", now=timezone.now()) is None
    )


def test_the_exchange_step_proposes_the_size_shoppers_kept(store):
    from retorno.analytics.sizing import options_with_kept_size
    from retorno.returns.selectors import ExchangeOptions

    variants = _catalog(store)
    for _ in range(10):  # enough to flag it
        give_back(
            store,
            _jeans(store),
            reason="too_small",
            resolution="exchange",
            exchange_variant_id=variants["XL"].id,
        )
    line = _jeans(store).lines.get()
    offered = ExchangeOptions(variants=[variants["L"], variants["XL"]], proposed=variants["L"])
    now = timezone.now()
    assert (
        options_with_kept_size(store=store, line=line, options=offered, now=now).proposed
        == (variants["XL"])
    )
    # Not in stock among the options: what was proposed stays.
    only_l = ExchangeOptions(variants=[variants["L"]], proposed=variants["L"])
    assert options_with_kept_size(store=store, line=line, options=only_l, now=now) is only_l
