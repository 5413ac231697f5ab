"""The demo store's Shopify shop: `make run` starts `retorno shop-sim` and this connects the demo
store to it. The shop sells part of the demo catalog (same SKUs, prices and options), its token
and webhook secret are made once per install and handed to the simulator through files."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from retorno.connectors.shopify import selectors as shopify_selectors
from retorno.demo import data
from retorno.returns.workflows.storefront import shopify_connect
from retorno.stores.models import Store

SHOP_DOMAIN = "tienda-demo.myshopify.com"
PRODUCTS_IN_SHOP = 8


def secret_file(path: Path, prefix: str) -> str:
    if path.exists():
        return path.read_text().strip()
    value = prefix + secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def shop_seed(store: Store) -> dict[str, Any]:
    """The simulated shop's catalog: the first products of the demo catalog that sell sizes or
    colours, with their variants' SKUs, options and prices, 20 of each in stock."""
    prices = {f"prod_{spec.code.lower()}": spec.price for spec in data.CATALOG}
    products = []
    for product, variants in shopify_selectors.catalog_products(
        store=store, limit=PRODUCTS_IN_SHOP
    ):
        price = prices.get(product.external_id)
        if price is None:
            continue
        products.append(
            {
                "title": product.title,
                "vendor": product.vendor,
                "product_type": product.category,
                "variants": [
                    {"sku": v.sku, "price": str(price), "options": v.options or {}, "stock": 20}
                    for v in variants
                ],
            }
        )
    return {
        "shop": {"name": store.name, "currency": store.currency, "email": "tienda@example.com"},
        "locations": [{"name": "Almacén Madrid"}, {"name": "Devoluciones Getafe"}],
        "products": products,
    }


def demo_shop_connect(*, store: Store, sim_url: str, state_dir: Path) -> str:
    """Write the shop's seed and credentials under `state_dir` and connect `store` to the
    simulator at `sim_url`. Returns the shop's domain."""
    token = secret_file(state_dir / "token", "shpat_")
    secret = secret_file(state_dir / "secret", "")
    seed = state_dir / "seed.json"
    if not seed.exists():
        seed.write_text(json.dumps(shop_seed(store), indent=1, ensure_ascii=False))
    connection = shopify_selectors.connection_for_store(store=store)
    if connection is None or connection.api_base_url != sim_url.rstrip("/"):
        shopify_connect(
            store=store,
            shop_domain=SHOP_DOMAIN,
            access_token=token,
            webhook_secret=secret,
            api_base_url=sim_url,
            refunds_in_shopify=True,
        )
    else:
        shopify_connect(
            store=store,
            shop_domain=SHOP_DOMAIN,
            access_token=token,
            webhook_secret=secret,
            api_base_url=sim_url,
            refunds_in_shopify=connection.refunds_in_shopify,
            restock_location_id=connection.restock_location_id,
        )
    return SHOP_DOMAIN
