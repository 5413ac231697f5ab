"""Shop now on the portal: the catalogue browser's cards and the basket bought with the return's
store credit (kept in the draft as variant id -> units until the return is confirmed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from retorno.analytics.sizing import suggested_size
from retorno.core.pictures import picture_url
from retorno.domain.returns.reasons import fitting_size, size_direction
from retorno.domain.returns.shop_now import ShopNowSplit, shop_now_split
from retorno.orders.models import Order, Product, Variant
from retorno.orders.selectors import variants_by_id
from retorno.orders.selectors.catalogue import variants_of_product
from retorno.portal import display
from retorno.stores.models import Store

MAX_UNITS = 20
MAX_LINES = 20


@dataclass(frozen=True)
class VariantChoice:
    value: str
    name: str
    stock_text: str
    available: bool
    in_basket: int
    your_size: bool = False
    checked: bool = False


@dataclass(frozen=True)
class ProductCard:
    product_id: int
    title: str
    picture: str
    price: str
    variants: list[VariantChoice]

    @property
    def available(self) -> bool:
        return any(v.available for v in self.variants)


@dataclass(frozen=True)
class BasketRow:
    variant: int
    title: str
    options: str
    picture: str
    units: int
    price_text: str
    amount_text: str


@dataclass(frozen=True)
class BasketView:
    rows: list[BasketRow]
    split: ShopNowSplit
    money: dict[str, str]  # the split's amounts as the shopper reads them

    @property
    def units(self) -> int:
        return sum(row.units for row in self.rows)


def basket_of(draft: dict[str, Any]) -> dict[int, int]:
    """The draft's basket: variant id -> units (whatever the session held, cleaned)."""
    basket: dict[int, int] = {}
    for key, units in (draft.get("shop") or {}).items():
        try:
            variant, count = int(key), int(units)
        except (TypeError, ValueError):
            continue
        if 1 <= count <= MAX_UNITS:
            basket[variant] = count
    return basket


def basket_for_draft(basket: dict[int, int]) -> dict[str, int]:
    return {str(variant): units for variant, units in basket.items()}


def stock_text(stock: int) -> str:
    if stock <= 0:
        return _("Out of stock")
    if stock <= 3:
        return ngettext("Only %(count)s left", "Only %(count)s left", stock) % {"count": stock}
    return _("In stock")


def product_cards(
    products: list[Product], basket: dict[int, int], currency: str, size: str = ""
) -> list[ProductCard]:
    """A card per product; with the shopper's `size`, variants in it are marked and the first
    one in stock is the one chosen (else the first in stock)."""
    cards = []
    for product in products:
        variants: list[Variant] = list(product.variants.all())
        if not variants:
            continue
        prices = sorted({Decimal(v.price) for v in variants})
        price = display.money(prices[0], currency)
        if len(prices) > 1:
            price = _("from %(amount)s") % {"amount": price}
        fits = {v.id for v in variants if size and _size_of(v) == size}
        in_stock = [v.id for v in variants if v.stock > 0]
        chosen = next((v for v in in_stock if basket.get(v)), None)
        chosen = chosen or next((v for v in in_stock if v in fits), None)
        chosen = chosen or next(iter(in_stock), None)
        cards.append(
            ProductCard(
                product_id=product.id,
                title=product.title,
                picture=picture_url(variants[0].image_url, product.image_url),
                price=price,
                variants=[
                    VariantChoice(
                        value=str(v.id),
                        name=display.options_text(v.options) or product.title,
                        stock_text=stock_text(v.stock),
                        available=v.stock > 0,
                        in_basket=basket.get(v.id, 0),
                        your_size=v.id in fits,
                        checked=v.id == chosen,
                    )
                    for v in variants
                ],
            )
        )
    return cards


def _size_of(variant: Variant) -> str:
    options = variant.options if isinstance(variant.options, dict) else {}
    return str(options.get("size") or "").strip()


def shopper_size(*, store: Store, order: Order, items: list[dict[str, Any]], now: datetime) -> str:
    """The size to show the shopper things in: for the first returned item with a size, the
    size shoppers who ordered it kept when its product runs small or large (analytics.sizing),
    else the size that fits as the return tells it (the next size for a bad fit, else its own);
    "" when no item has a size."""
    lines = {
        line.external_id: line
        for line in order.lines.select_related("variant").filter(
            external_id__in=[i["line"] for i in items]
        )
    }
    for item in items:
        line = lines.get(item["line"])
        ordered = str((line.options or {}).get("size") or "").strip() if line else ""
        if line is None or not ordered:
            continue
        if size_direction(item["reason"]):
            product = (line.product_id or "").strip() or line.title
            found = suggested_size(store=store, product=product, ordered_size=ordered, now=now)
            if found is not None:
                return found.size
        sizes = (
            [_size_of(v) for v in variants_of_product(line.variant.product_id)]
            if line.variant is not None
            else []
        )
        return fitting_size(returned_size=ordered, reason=item["reason"], sizes=sizes)
    return ""


def basket_view(
    *, store_id: int, basket: dict[int, int], credit: Decimal, currency: str
) -> BasketView:
    """The basket's rows and how it is paid: the credit first, the rest charged, or left."""
    variants = variants_by_id(store_id=store_id, ids=basket)
    rows = []
    for variant_id, units in basket.items():
        variant = variants.get(variant_id)
        if variant is None:
            continue
        product = variant.product
        rows.append(
            BasketRow(
                variant=variant.id,
                title=product.title,
                options=display.options_text(variant.options),
                picture=picture_url(variant.image_url, product.image_url),
                units=units,
                price_text=display.money(variant.price, currency),
                amount_text=display.money(Decimal(variant.price) * units, currency),
            )
        )
    split = shop_now_split(
        [(Decimal(variants[v].price), units) for v, units in basket.items() if v in variants],
        credit,
        currency,
    )
    money = {
        "credit": display.money(split.from_credit + split.credit_left, currency),
        "total": display.money(split.total, currency),
        "from_credit": display.money(split.from_credit, currency),
        "to_pay": display.money(split.to_pay, currency),
        "credit_left": display.money(split.credit_left, currency),
    }
    return BasketView(rows=rows, split=split, money=money)


def basket_for_return(basket: dict[int, int]) -> list[dict[str, int]]:
    """The basket as the return keeps it (retorno.returns.workflows.shop_now)."""
    return [{"variant": variant, "units": units} for variant, units in basket.items()]


def shop_summary(
    *, store_id: int, draft: dict[str, Any], quote: Any, currency: str
) -> dict[str, Any] | None:
    """What the options and review steps say of shop now: None when store credit is not on
    offer; else the basket (None when empty) against the credit the quote gives."""
    if quote is None:
        return None
    basket = basket_of(draft)
    view = (
        basket_view(
            store_id=store_id,
            basket=basket,
            credit=Decimal(quote.store_credit_total_amount),
            currency=currency,
        )
        if basket
        else None
    )
    return {"basket": view if view is not None and view.rows else None}
