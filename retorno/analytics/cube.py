"""Reading the rollups: a dimension's sums over a scope's days (docs/analytics.md, "Rollups").

One indexed range read of `DailyFigure` (store, dimension, basis, days) grouped by key: its cost
follows the number of days × keys a day has, not the number of returns behind them.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from retorno.analytics.models import DailyFigure, Label
from retorno.analytics.rollups import rollups_ready
from retorno.analytics.scope import Scope
from retorno.domain.analytics.periods import Basis
from retorno.domain.analytics.rollups import (
    CYCLE_COUNT,
    MONTH_OF,
    SEPARATOR,
    Figures,
    month_split,
    unscaled,
)
from retorno.domain.analytics.rollups import Basis as RowBasis
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
    rollups_ready(scope.store)
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
    return _grouped(rows)


def histogram_sums(scope: Scope, dimension: str) -> dict[str, Figures]:
    """`sums` of a dimension whose histograms are kept by month too (`cycle_<split>`,
    `carrier_transit`): the histograms read from the monthly rows for the whole months of the
    period and from the daily rows for the days around them, the cycle segments' counts (kept
    by day only) from the daily rows. The same sums as reading every
    day (a property in retorno/analytics/tests/test_cube_months.py)."""
    rollups_ready(scope.store)
    daily = _basis(scope, sold=False)
    edges, months = month_split(scope.period.start, scope.period.end)
    parts = [Q(basis=daily, day__gte=first, day__lte=last) for first, last in edges]
    if months is not None:
        first, last = months  # the monthly rows' days are their months' first days
        parts.append(Q(basis=MONTH_OF[daily], day__gte=first, day__lte=last))
        # The segments' counts of the whole months' days: they have no monthly rows.
        parts.append(
            Q(
                basis=daily,
                day__gte=first,
                day__lte=last,
                key__startswith=f"{CYCLE_COUNT}{SEPARATOR}",
            )
        )
    where = parts[0]
    for part in parts[1:]:
        where |= part
    return _grouped(
        DailyFigure.objects.filter(store=scope.store, dimension=dimension).filter(where)
    )


def _grouped(rows: Any) -> dict[str, Figures]:
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
