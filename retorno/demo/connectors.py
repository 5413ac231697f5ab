"""The demo's WooCommerce store and Stripe account: `make run` starts `retorno woo-sim` and
`retorno stripe-sim` beside the Shopify shop, and this connects a store of its own to each
(a store has one payment adapter, and the demo store's is Shopify's): `demo-woo` and
`demo-stripe`, with the default policy, the demo's carriers, the demo's logins and an API key.
Secrets are made once per install and handed to the simulators through files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from retorno.connectors.woocommerce import selectors as woo_selectors
from retorno.demo.generator import demo_staff_ensure
from retorno.demo.shop import secret_file
from retorno.demo.stores import store_create
from retorno.logistics.demo import demo_carriers_ensure
from retorno.orders.catalog import product_upsert
from retorno.orders.selectors import variant_ids_by_sku
from retorno.returns.workflows.stripe_payments import stripe_connect
from retorno.returns.workflows.woocommerce import woocommerce_connect
from retorno.stores.models import Store

WOO_SLUG = "demo-woo"
WOO_API_KEY = "rtn_demo_woo_key_do_not_use_in_production"
STRIPE_SLUG = "demo-stripe"
STRIPE_API_KEY = "rtn_demo_stripe_key_do_not_use_in_production"
# The local Stripe's own demo account (retorno stripe-sim's defaults).
STRIPE_SECRET_KEY = "sk_test_retorno_demo"
STRIPE_WEBHOOK_SECRET = "whsec_retorno_demo"
STRIPE_WEBHOOK_PATH = "/api/v1/connectors/stripe/webhooks/"


# What the local WooCommerce store sells (`retorno woo-sim --seed`), and demo-woo's catalog:
# the same SKUs, so a restock in Retorno has a variant to add to and a product to tell.
WOO_SEED: dict[str, Any] = {
    "store": {"name": "Tienda Woo de prueba", "currency": "EUR"},
    "products": [
        {
            "name": "Sudadera con capucha",
            "attribute": "Talla",
            "variations": [
                {"sku": "WOO-HOOD-M", "price": "39.95", "option": "M", "stock": 15},
                {"sku": "WOO-HOOD-L", "price": "39.95", "option": "L", "stock": 15},
            ],
        },
        {"name": "Gorra", "sku": "WOO-CAP", "price": "14.95", "stock": 30},
    ],
}


@dataclass(frozen=True)
class Connected:
    store: Store
    api_key: str
    sim_url: str


def _side_store(slug: str, name: str, api_key: str, simulator_url: str | None) -> Store:
    store, _, _ = store_create(slug=slug, name=name, currency="EUR", language="es", api_key=api_key)
    demo_staff_ensure(store)
    demo_carriers_ensure(store, base_url=simulator_url)
    return store


def demo_woo_connect(*, sim_url: str, state_dir: Path, simulator_url: str | None) -> Connected:
    """The store `demo-woo` connected to `retorno woo-sim` at `sim_url`; the REST API key and
    the webhook secret are written under `state_dir` for the simulator to read."""
    store = _side_store(WOO_SLUG, "Tienda Woo (demo)", WOO_API_KEY, simulator_url)
    seed = state_dir / "seed.json"
    if not seed.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        seed.write_text(json.dumps(WOO_SEED, indent=1, ensure_ascii=False))
    skus = {v["sku"] for spec in WOO_SEED["products"] for v in spec.get("variations") or [spec]}
    if not variant_ids_by_sku(store=store, skus=skus):  # once: later runs keep restocked stock
        for spec in WOO_SEED["products"]:
            variants = spec.get("variations") or [spec]
            product_upsert(
                store=store,
                external_id=f"woo-{variants[0]['sku'].lower()}",
                title=spec["name"],
                variants=[
                    {
                        "sku": v["sku"],
                        "price": Decimal(v["price"]),
                        "stock": v["stock"],
                        "options": {"size": v["option"]} if "option" in v else {},
                    }
                    for v in variants
                ],
            )
    key = secret_file(state_dir / "consumer_key", "ck_")
    secret = secret_file(state_dir / "consumer_secret", "cs_")
    hook_secret = secret_file(state_dir / "webhook_secret", "")
    connection = woo_selectors.connection_for_store(store=store)
    url = sim_url.rstrip("/")
    woocommerce_connect(
        store=store,
        store_url=url,
        consumer_key=key,
        consumer_secret=secret,
        webhook_secret=hook_secret,
        refunds_in_woocommerce=True,
        api_refund=connection.api_refund if connection else True,
        restock_with_refund=connection.restock_with_refund if connection else False,
    )
    return Connected(store, WOO_API_KEY, url)


def demo_stripe_connect(*, sim_url: str, state_dir: Path, simulator_url: str | None) -> Connected:
    """The store `demo-stripe` connected to `retorno stripe-sim` at `sim_url`; the webhook URL
    Stripe must call (it names the store by a token) is written to `state_dir/webhook_url`."""
    store = _side_store(STRIPE_SLUG, "Tienda Stripe (demo)", STRIPE_API_KEY, simulator_url)
    account = stripe_connect(
        store=store,
        secret_key=STRIPE_SECRET_KEY,
        webhook_secret=STRIPE_WEBHOOK_SECRET,
        api_base_url=sim_url,
    )
    state_dir.mkdir(parents=True, exist_ok=True)
    public = settings.RETORNO_PUBLIC_URL.rstrip("/")
    (state_dir / "webhook_url").write_text(
        f"{public}{STRIPE_WEBHOOK_PATH}{account.webhook_token}\n"
    )
    return Connected(store, STRIPE_API_KEY, sim_url.rstrip("/"))
