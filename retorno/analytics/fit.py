"""Runs small / runs large, per parent product, from the returns' sizing facts (kept in the
rollups: dimensions `fit` and `fit_kept`, retorno.domain.analytics.rollups).

An item says "too small" when its reason is `too_small` or it is exchanged for a bigger size of
its product (once, even when both); "too large" likewise. The index, the test and the flag are
retorno.domain.analytics.fit's. Also the size shoppers kept after an exchange, per size they
returned: what the shop can suggest instead.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from retorno.analytics import cube
from retorno.analytics.scope import Scope
from retorno.analytics.tables import Table, table
from retorno.domain.analytics.fit import FitFigure, fit_figure
from retorno.domain.analytics.rollups import SEPARATOR


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


def fit_report(scope: Scope) -> FitReport:
    """Every product with sized items returned in the scope, flagged first then by how many
    say it fits badly: three range reads of the rollups (`fit`, `fit_kept`, the titles)."""
    sized = {key: f for key, f in cube.sums(scope, "fit").items() if f.units}
    kept: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for key, f in cube.sums(scope, "fit_kept").items():
        product, returned, exchanged = key.rsplit(SEPARATOR, 2)
        if f.units:
            kept[product][(returned, exchanged)] += f.units
    titles = cube.labels(scope, "product", sized)
    products = []
    for product, f in sized.items():
        products.append(
            ProductFit(
                product=product,
                title=titles.get(product, product),
                figure=fit_figure(f.value, f.extra),
                items=f.units,
                kept_sizes=_most_kept(kept[product]),
                filter={**scope.as_params(), "product": product},
            )
        )
    products.sort(key=lambda p: (not p.figure.flagged, -p.figure.n, p.title))
    return FitReport(scope, products)


def _most_kept(exchanges: Counter[tuple[str, str]]) -> dict[str, str]:
    """Per size returned, the size most often kept instead (ties: the first by name)."""
    kept: dict[str, str] = {}
    for (returned, exchanged), _n in sorted(exchanges.items(), key=lambda e: (-e[1], e[0])):
        kept.setdefault(returned, exchanged)
    return kept
