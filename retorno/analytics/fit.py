"""Runs small / runs large, per parent product, from the returns' sizing facts.

An item says "too small" when its reason is `too_small` or it is exchanged for a bigger size of
its product (once, even when both); "too large" likewise. The index, the test and the flag are
retorno.domain.analytics.fit's. Also the size shoppers kept after an exchange, per size they
returned: what the shop can suggest instead.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from retorno.analytics.returns import product_key, returned_items
from retorno.analytics.scope import Scope
from retorno.analytics.tables import Table, table
from retorno.domain.analytics.fit import FitFigure, fit_figure, size_step

SIZE = "size"


@dataclass(frozen=True)
class ProductFit:
    product: str
    title: str
    figure: FitFigure
    items: int  # sized items returned
    kept_sizes: dict[str, str] = field(default_factory=dict)  # returned size -> size kept most
    filter: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FitReport:
    scope: Scope
    products: list[ProductFit]

    @property
    def flagged(self) -> list[ProductFit]:
        return [p for p in self.products if p.figure.flagged]

    def table(self) -> Table:
        return table(
            ("product", "title", "n_small", "n_large", "fit_index", "p_value", "fit", "kept"),
            [
                (
                    p.product,
                    p.title,
                    p.figure.n_small,
                    p.figure.n_large,
                    p.figure.index,
                    None if p.figure.p_value is None else round(p.figure.p_value, 6),
                    p.figure.fit.value,
                    "; ".join(f"{a}>{b}" for a, b in sorted(p.kept_sizes.items())),
                )
                for p in self.products
            ],
        )


def _size(options: Any) -> str:
    return str((options or {}).get(SIZE) or "").strip() if isinstance(options, dict) else ""


def direction_of(reason: str, returned: str, exchanged_to: str) -> int:
    """+1 when the item says the product runs small, −1 large, 0 neither: the shopper's sizing
    reason when they gave one, else the direction of the exchange."""
    if reason == "too_small":
        return 1
    if reason == "too_large":
        return -1
    return size_step(returned, exchanged_to) if returned and exchanged_to else 0


def fit_report(scope: Scope) -> FitReport:
    """Every product with sized items returned in the scope, flagged first then by how many
    say it fits badly: one query."""
    rows = (
        returned_items(scope)
        .annotate(product=product_key("order_line__"))
        .values_list(
            "product",
            "order_line__title",
            "reason",
            "order_line__options",
            "exchange_variant__options",
        )
    )
    small: Counter[str] = Counter()
    large: Counter[str] = Counter()
    items: Counter[str] = Counter()
    titles: dict[str, str] = {}
    kept: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for product, title, reason, options, exchange_options in rows.iterator(chunk_size=2000):
        returned = _size(options)
        if not returned:
            continue
        exchanged = _size(exchange_options)
        items[product] += 1
        titles.setdefault(product, title)
        direction = direction_of(reason, returned, exchanged)
        if direction > 0:
            small[product] += 1
        elif direction < 0:
            large[product] += 1
        if exchanged and exchanged != returned:
            kept[product][(returned, exchanged)] += 1
    products = []
    for product in items:
        kept_sizes: dict[str, str] = {}
        for (returned, exchanged), _n in kept[product].most_common():
            kept_sizes.setdefault(returned, exchanged)
        products.append(
            ProductFit(
                product=product,
                title=titles[product],
                figure=fit_figure(small[product], large[product]),
                items=items[product],
                kept_sizes=kept_sizes,
                filter={**scope.as_params(), "product": product},
            )
        )
    products.sort(key=lambda p: (not p.figure.flagged, -p.figure.n, p.title))
    return FitReport(scope, products)
