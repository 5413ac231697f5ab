"""Catalog writes: products and their variants, as the store's platform (or the demo) sends them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from retorno.core.errors import Conflict, Unprocessable
from retorno.core.weblinks import is_web_link
from retorno.domain.money import MoneyError, parse_amount
from retorno.orders.models import Product, Variant
from retorno.stores.models import Store

PRODUCT_FIELDS = ("title", "category", "vendor", "image_url", "url", "tags")
VARIANT_FIELDS = ("options", "price", "stock", "image_url", "weight_grams")
MAX_VARIANTS = 500


def product_upsert(
    *,
    store: Store,
    external_id: str,
    title: str,
    category: str = "",
    vendor: str = "",
    image_url: str = "",
    url: str = "",
    tags: Iterable[str] = (),
    variants: Iterable[Mapping[str, Any]] = (),
) -> tuple[Product, bool]:
    """Create or update the product `external_id` of `store` and its variants. Returns
    (product, created).

    Each variant is a mapping with `sku` (required, unique within the store), `options` (e.g.
    {"size": "M", "colour": "navy"}), `price` (Decimal, the shelf price), `stock`,
    `weight_grams` and optionally `image_url`. Variants are matched by SKU: listed ones are
    created or updated, unlisted ones are left as they are (order lines may point at them).
    `category` is stored lower-case, like order lines, so policies match both alike. `url` is
    the product's page in the shop (the shopper's recommendations link to it): an http(s)
    address, or empty.

    Runs in one transaction and writes nothing when the input is invalid: an empty title,
    a duplicate SKU in `variants`, a negative price, stock or weight, a price finer than the
    store's currency, a `url` that is not a web address (code `invalid_product`, 422), or a
    SKU that already belongs to another product of the store (code `sku_taken`, 409).
    Unchanged rows are not written again, so a repeated call is cheap and changes nothing.
    """
    if not external_id or not title.strip():
        raise Unprocessable("A product needs an external id and a title.", code="invalid_product")
    if url and not is_web_link(url):
        raise Unprocessable(
            "A product's url must be an http(s) address of its page.", code="invalid_product"
        )
    values = {
        "title": title.strip(),
        "category": category.strip().lower(),
        "vendor": vendor.strip(),
        "image_url": image_url,
        "url": url,
        "tags": list(dict.fromkeys(tags)),
    }
    wanted = [_variant_values(v, store.currency) for v in variants]
    if len(wanted) > MAX_VARIANTS:
        raise Unprocessable(f"At most {MAX_VARIANTS} variants per product.", code="invalid_product")
    skus = [v["sku"] for v in wanted]
    if len(set(skus)) != len(skus):
        raise Unprocessable("Each SKU may appear once per product.", code="invalid_product")

    with transaction.atomic():
        product = (
            Product.objects.select_for_update().filter(store=store, external_id=external_id).first()
        )
        created = product is None
        if product is None:
            product = Product.objects.create(store=store, external_id=external_id, **values)
        else:
            changed = [name for name, value in values.items() if getattr(product, name) != value]
            if changed:
                for name in changed:
                    setattr(product, name, values[name])
                product.save(update_fields=[*changed, "updated_at"])
        _variants_sync(store, product, wanted)
    return product, created


def _variant_values(data: Mapping[str, Any], currency: str) -> dict[str, Any]:
    sku = str(data.get("sku") or "").strip()
    if not sku:
        raise Unprocessable("Every variant needs a SKU.", code="invalid_product")
    try:
        price = Decimal(str(data.get("price", "0")))
    except InvalidOperation as exc:
        raise Unprocessable(
            f"Variant {sku}: price is not a number.", code="invalid_product"
        ) from exc
    stock = int(data.get("stock") or 0)
    weight = int(data.get("weight_grams") or 0)
    if not price.is_finite() or price < 0 or stock < 0 or weight < 0:
        raise Unprocessable(
            f"Variant {sku}: price, stock and weight must not be negative.",
            code="invalid_product",
        )
    try:
        parse_amount(price, currency)
    except MoneyError as exc:
        raise Unprocessable(f"Variant {sku}: {exc.message}", code="invalid_product") from exc
    return {
        "sku": sku,
        "options": {str(k): str(v) for k, v in (data.get("options") or {}).items()},
        "price": price,
        "stock": stock,
        "image_url": data.get("image_url") or "",
        "weight_grams": weight,
    }


def _variants_sync(store: Store, product: Product, wanted: list[dict[str, Any]]) -> None:
    if not wanted:
        return
    existing = {
        v.sku: v
        for v in Variant.objects.select_for_update().filter(
            store=store, sku__in=[w["sku"] for w in wanted]
        )
    }
    taken = sorted(sku for sku, v in existing.items() if v.product_id != product.id)
    if taken:
        raise Conflict(
            f"SKU already used by another product: {', '.join(taken)}.", code="sku_taken"
        )
    to_create, to_update, fields = [], [], set()
    for values in wanted:
        variant = existing.get(values["sku"])
        if variant is None:
            to_create.append(Variant(store=store, product=product, **values))
            continue
        changed = [name for name in VARIANT_FIELDS if getattr(variant, name) != values[name]]
        if changed:
            for name in changed:
                setattr(variant, name, values[name])
            to_update.append(variant)
            fields.update(changed)
    if to_create:
        Variant.objects.bulk_create(to_create)
    if to_update:
        # bulk_update bypasses auto_now, so the timestamp is set here.
        now = timezone.now()
        for variant in to_update:
            variant.updated_at = now
        Variant.objects.bulk_update(to_update, [*sorted(fields), "updated_at"])
