"""What the tracking page suggests to a shopper: products they can wear or use, in stock, with
a picture and a link to the shop, or nothing at all.

The size comes from the return itself (retorno.domain.returns.reasons.fitting_size): the size
exchanged to, the next size for an item that was too small or too large, or the size of an item
that fitted. A sized product is only suggested in that size; a return that tells no size only
gets products that have no size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from retorno.core.weblinks import is_web_link
from retorno.domain.returns.reasons import fitting_size, size_direction
from retorno.orders.models import Product, Variant
from retorno.returns.models import Return, ReturnItem

SIZE = "size"


@dataclass(frozen=True)
class Recommendation:
    variant: Variant
    product: Product
    image_url: str
    url: str
    right_size: bool  # the returned product itself, in the size that fits


def _size(options: Any) -> str:
    return str((options or {}).get(SIZE) or "")


def _showable(variant: Variant) -> tuple[str, str] | None:
    """The picture and the link of a variant, or None when it lacks either."""
    image = variant.image_url or variant.product.image_url
    url = variant.product.url
    if not image or not is_web_link(url):
        return None
    return image, url


def _fit(
    item: ReturnItem,
    variant: Variant,
    product_sizes: dict[int, list[str]],
    kept_sizes: Mapping[int, str],
) -> str:
    if item.exchange_variant_id is None and kept_sizes.get(item.order_line_id):
        return kept_sizes[item.order_line_id]  # what shoppers of that size kept (sizing)
    return fitting_size(
        returned_size=_size(item.order_line.options) or _size(variant.options),
        reason=item.reason,
        exchanged_to_size=_size(item.exchange_variant.options if item.exchange_variant else None),
        sizes=product_sizes.get(variant.product_id, []),
    )


def return_recommendations(
    *, return_request: Return, limit: int = 4, kept_sizes: Mapping[int, str] | None = None
) -> list[Recommendation]:
    """In-stock variants in the shopper's size, each with a picture and a link: for an item that
    did not fit (and is not exchanged) the same product in the size that fits first, then other
    products of the returned items' categories. Never a returned or exchanged-to variant, nor
    another size of a returned product. At most three queries whatever the return.

    `kept_sizes` (order line id -> size) is the size shoppers who ordered that line's size kept
    (retorno.analytics.sizing, for a product that runs small or large): for an item that did not
    fit and is not exchanged it wins over the next size."""
    kept_sizes = kept_sizes or {}
    returned = [
        (item, item.order_line.variant)
        for item in return_request.items.all()
        if item.order_line.variant is not None
    ]
    if not returned:
        return []
    returned_products = {variant.product_id for _item, variant in returned}
    excluded_variants: set[int] = {variant.id for _item, variant in returned} | {
        item.exchange_variant_id for item, _variant in returned if item.exchange_variant_id
    }
    product_sizes: dict[int, list[str]] = {}
    for product_id, options in Variant.objects.filter(product_id__in=returned_products).values_list(
        "product_id", "options"
    ):
        if _size(options):
            product_sizes.setdefault(product_id, []).append(_size(options))

    fits = Q(pk__in=[])  # the same product, in the size that fits, for an ill-fitting item
    related = Q(pk__in=[])  # other products of the returned items' categories, in that size
    next_size: set[tuple[int, str]] = set()
    for item, variant in returned:
        product_id = variant.product_id
        size = _fit(item, variant, product_sizes, kept_sizes)
        if product_sizes.get(product_id) and not size:
            continue  # a sized item whose fitting size we cannot tell: suggest nothing for it
        if size and size_direction(item.reason) and item.exchange_variant_id is None:
            next_size.add((product_id, size))
            fits |= Q(product_id=product_id, options__size=size)
        if item.order_line.category:
            in_size = Q(options__size=size) if size else ~Q(options__has_key=SIZE)
            related |= Q(product__category=item.order_line.category) & in_size
    candidates = [
        *_in_stock(return_request.store_id, fits, excluded_variants, limit),
        *_in_stock(return_request.store_id, related, excluded_variants, limit * 8),
    ]
    picks: list[Recommendation] = []
    seen: set[int] = set()
    for variant in candidates:
        right_size = (variant.product_id, _size(variant.options)) in next_size
        if variant.product_id in seen or (
            variant.product_id in returned_products and not right_size
        ):
            continue
        showable = _showable(variant)
        if showable is None:
            continue
        seen.add(variant.product_id)
        picks.append(Recommendation(variant, variant.product, *showable, right_size=right_size))
        if len(picks) >= limit:
            break
    return picks


def _in_stock(store_id: int, condition: Q, excluded: set[int], limit: int) -> list[Variant]:
    """In-stock variants matching `condition` that can be shown (a picture and a link)."""
    return list(
        Variant.objects.filter(condition, store_id=store_id, stock__gt=0)
        .exclude(id__in=excluded)
        .exclude(product__url="")
        .exclude(image_url="", product__image_url="")
        .select_related("product")
        .order_by("-stock", "id")[:limit]
    )
