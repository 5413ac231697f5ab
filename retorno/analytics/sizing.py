"""The size to suggest to a shopper of a product flagged runs small or runs large: the size that
shoppers who had ordered the same size most often kept after an exchange (runs small / runs
large, docs/analytics.md). For the portal's exchange step and the tracking page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from retorno.analytics import cube
from retorno.analytics.rollup_facts import SIZE
from retorno.analytics.scope import DEFAULT_DAYS, Scope
from retorno.domain.analytics.fit import Fit, fit_figure
from retorno.domain.analytics.periods import Basis, last_days
from retorno.domain.analytics.rollups import SEPARATOR
from retorno.domain.days import local_day
from retorno.domain.returns.reasons import size_direction
from retorno.returns.selectors import ExchangeOptions
from retorno.stores.models import Store


@dataclass(frozen=True)
class SizeSuggestion:
    size: str  # the size shoppers kept
    fit: Fit  # runs small or runs large
    shoppers: int  # exchanges from the ordered size to `size`


def _size(options: object) -> str:
    return str(options.get(SIZE) or "").strip() if isinstance(options, dict) else ""


def suggested_size(
    *, store: Store, product: str, ordered_size: str, now: datetime, days: int = DEFAULT_DAYS
) -> SizeSuggestion | None:
    """The size to suggest instead of `ordered_size` for `product` (an order line's product id,
    else its title), from the store's returns requested in the last `days` days: only when the
    product is flagged runs small or large and shoppers who returned `ordered_size` kept another
    size after an exchange. Two range reads of the product's rollups."""
    ordered_size = ordered_size.strip()
    if not product or not ordered_size:
        return None
    scope = Scope(store, last_days(local_day(now, store.timezone), days, Basis.REQUEST))
    sized = cube.sums(scope, "fit", keys=[product]).get(product)
    if sized is None:
        return None
    figure = fit_figure(sized.value, sized.extra)
    if not figure.flagged:
        return None
    prefix = f"{product}{SEPARATOR}{ordered_size}{SEPARATOR}"
    kept: Counter[str] = Counter()
    for key, f in cube.sums(scope, "fit_kept", prefix=prefix).items():
        exchanged = key.rsplit(SEPARATOR, 1)[1]
        # The prefix also matches a product whose key goes on past ours with a tab.
        if f.units > 0 and key == prefix + exchanged:
            kept[exchanged] += f.units
    if not kept:
        return None
    size, shoppers = min(kept.items(), key=lambda kv: (-kv[1], kv[0]))
    return SizeSuggestion(size=size, fit=figure.fit, shoppers=shoppers)


def options_with_kept_size(
    *, store: Store, line: Any, options: ExchangeOptions, now: datetime
) -> ExchangeOptions:
    """A line's exchange options (returns.selectors) with the size shoppers kept proposed, when
    its product is flagged runs small or large and a variant of that size is in stock; the
    options as they were otherwise."""
    product = (getattr(line, "product_id", "") or "").strip() or line.title
    found = suggested_size(store=store, product=product, ordered_size=_size(line.options), now=now)
    if found is None:
        return options
    kept = next((v for v in options.variants if _size(v.options) == found.size), None)
    return options if kept is None else replace(options, proposed=kept)


def sizes_kept_for_return(*, return_request: Any, now: datetime) -> dict[int, str]:
    """Order line id -> the size shoppers kept (`suggested_size`), for each item of the return
    that was too small or too large and is not exchanged, whose product runs small or large:
    the size its recommendations are shown in. One query per such item (most returns have
    none or one)."""
    kept: dict[int, str] = {}
    for item in return_request.items.all():
        if item.exchange_variant_id is not None or not size_direction(item.reason):
            continue
        line = item.order_line
        product = (getattr(line, "product_id", "") or "").strip() or line.title
        found = suggested_size(
            store=return_request.store, product=product, ordered_size=_size(line.options), now=now
        )
        if found is not None:
            kept[line.id] = found.size
    return kept
