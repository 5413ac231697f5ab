"""The store's catalogue as a shopper browses it: products with their variants, found by words
of their title, category or vendor, a page at a time (the portal's shop-now browser)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from retorno.orders.models import Product, Variant
from retorno.stores.models import Store

PER_PAGE = 12


@dataclass(frozen=True)
class CataloguePage:
    products: list[Product]  # each with `variants` prefetched, by id
    page: int
    has_next: bool


def catalogue_page(
    *,
    store: Store,
    query: str = "",
    page: int = 1,
    excluded_categories: frozenset[str] = frozenset(),
) -> CataloguePage:
    """A page of the store's products that have a variant with a price, matching every word of
    `query` in the title, category or vendor, alphabetically; two queries whatever the page."""
    page = max(1, page)
    products = Product.objects.filter(store=store, variants__price__gt=0).distinct()
    if excluded_categories:
        products = products.exclude(category__in=excluded_categories)
    for word in query.split()[:5]:
        products = products.filter(
            Q(title__icontains=word) | Q(category__icontains=word) | Q(vendor__icontains=word)
        )
    rows = list(
        products.order_by("title", "id").prefetch_related(
            Prefetch("variants", queryset=Variant.objects.filter(price__gt=0).order_by("id"))
        )[(page - 1) * PER_PAGE : page * PER_PAGE + 1]
    )
    return CataloguePage(products=rows[:PER_PAGE], page=page, has_next=len(rows) > PER_PAGE)


def variants_of_product(product_id: int) -> list[Variant]:
    """A product's variants, by id (the sizes it comes in)."""
    return list(Variant.objects.filter(product_id=product_id).order_by("id"))
