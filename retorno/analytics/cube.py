"""Reading the rollups: a dimension's sums over a scope's days (docs/analytics.md, "Rollups").

One indexed range read of `DailyFigure` (store, dimension, basis, days) grouped by key: its cost
follows the number of days × keys a day has, not the number of returns behind them.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Sum

from retorno.analytics.models import DailyFigure, Label
from retorno.analytics.rollups import pending_flush_if_any
from retorno.analytics.scope import Scope
from retorno.domain.analytics.periods import Basis
from retorno.domain.analytics.rollups import Basis as RowBasis
from retorno.domain.analytics.rollups import Figures, unscaled
from retorno.domain.money import quantize


def _basis(scope: Scope, sold: bool) -> str:
    if sold:
        return RowBasis.SOLD.value
    return RowBasis.ORDER.value if scope.basis is Basis.ORDER else RowBasis.REQUEST.value


def sums(
    scope: Scope,
    dimension: str,
    *,
    sold: bool = False,
    keys: Iterable[str] | None = None,
    prefix: str = "",
) -> dict[str, Figures]:
    """Per key of `dimension`, the figures of the scope's days: returned (by the scope's basis)
    or, with `sold`, sold (by order day); only `keys`, or the keys starting with `prefix`, when
    given."""
    pending_flush_if_any(scope.store)
    rows = DailyFigure.objects.filter(
        store=scope.store,
        dimension=dimension,
        basis=_basis(scope, sold),
        day__gte=scope.period.start,
        day__lte=scope.period.end,
    )
    if keys is not None:
        rows = rows.filter(key__in=list(keys))
    if prefix:
        rows = rows.filter(key__startswith=prefix)
    return {
        key: Figures(int(r or 0), int(o or 0), int(u or 0), int(v or 0), int(e or 0))
        for key, r, o, u, v, e in rows.values("key")
        .annotate(r=Sum("returns"), o=Sum("orders"), u=Sum("units"), v=Sum("value"), e=Sum("extra"))
        .values_list("key", "r", "o", "u", "v", "e")
        .order_by()
    }


def total(scope: Scope, dimension: str = "all", *, sold: bool = False) -> Figures:
    """The one row of a dimension without keys (`all`, `review`)."""
    return sums(scope, dimension, sold=sold).get("", Figures())


def money(scope: Scope, value: int) -> Decimal:
    """An amount kept in ten-thousandths, in the store's currency."""
    return quantize(unscaled(value), scope.store.currency)


def labels(scope: Scope, dimension: str, keys: Iterable[str]) -> dict[str, str]:
    """The titles of product or variant keys."""
    return dict(
        Label.objects.filter(
            store=scope.store, dimension=dimension, key__in=list(keys)
        ).values_list("key", "label")
    )
