"""`make run`'s WooCommerce and Stripe stores (`retorno demo --woo-sim-url … --stripe-sim-url …`):
the demo connects demo-woo and demo-stripe (each its own payment adapter, the demo's logins and carriers,
demo-woo the simulator's catalog), writes what the simulators read, follows the ports on a
second run and keeps the stock restocks moved; the summary names both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from retorno.accounts.models import Membership
from retorno.connectors.stripe.models import StripeAccount
from retorno.connectors.woocommerce.models import WooConnection
from retorno.demo.connectors import (
    STRIPE_SLUG,
    WOO_SLUG,
    demo_stripe_connect,
    demo_woo_connect,
)
from retorno.demo.summary import demo_summary, summary_lines
from retorno.logistics.models import CarrierAccount
from retorno.money.selectors import settings_for
from retorno.orders.models import Variant
from retorno.stores.models import Store
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def run(tmp_path: Path, woo_port: int, stripe_port: int) -> None:
    for connect, port, folder in (
        (demo_woo_connect, woo_port, "woo"),
        (demo_stripe_connect, stripe_port, "stripe"),
    ):
        connect(
            sim_url=f"http://127.0.0.1:{port}",
            state_dir=tmp_path / folder,
            simulator_url="http://127.0.0.1:8602",
        )


@override_settings(RETORNO_PUBLIC_URL="http://127.0.0.1:8601")
def test_the_demo_connects_a_woocommerce_store_and_a_stripe_account_of_their_own(tmp_path):
    run(tmp_path, 8605, 8606)
    woo_store = Store.objects.get(slug=WOO_SLUG)
    stripe_store = Store.objects.get(slug=STRIPE_SLUG)
    assert settings_for(woo_store).payment_adapter == "woocommerce"
    assert settings_for(stripe_store).payment_adapter == "stripe"
    for store in (woo_store, stripe_store):
        assert Membership.objects.filter(store=store, user__username="lucia.admin").exists()
        assert CarrierAccount.objects.filter(store=store).count() == 3

    woo = tmp_path / "woo"
    assert (woo / "consumer_key").read_text().startswith("ck_")
    seed = json.loads((woo / "seed.json").read_text())
    skus = {v["sku"] for p in seed["products"] for v in p.get("variations") or [p]}
    assert set(Variant.objects.filter(store=woo_store).values_list("sku", flat=True)) == skus
    account = StripeAccount.objects.get(store=stripe_store)
    assert (tmp_path / "stripe" / "webhook_url").read_text().strip() == (
        f"http://127.0.0.1:8601/api/v1/connectors/stripe/webhooks/{account.webhook_token}"
    )

    # Another run on other ports: the connections follow, the catalog's stock stays.
    Variant.objects.filter(store=woo_store, sku="WOO-CAP").update(stock=31)
    run(tmp_path, 8705, 8706)
    assert WooConnection.objects.get(store=woo_store).api_base_url.startswith(
        "http://127.0.0.1:8705"
    )
    assert StripeAccount.objects.get(store=stripe_store).api_base_url == "http://127.0.0.1:8706"
    assert StripeAccount.objects.get(store=stripe_store).webhook_token == account.webhook_token
    assert Variant.objects.get(store=woo_store, sku="WOO-CAP").stock == 31

    text = "\n".join(summary_lines(demo_summary(StoreFactory(), now=timezone.now())))
    assert "WooCommerce   http://127.0.0.1:8705/" in text
    assert "Stripe        http://127.0.0.1:8706" in text
