"""Sizes and counts of long lists on staff pages. Their pages are keyset pages
(retorno.core.keyset): a cursor, never an offset, so a deep page costs what the first does; the
counts beside them stop at a cap.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

PER_PAGE = 25

# Counts shown beside a list stop here: past it a page says "1,000+" rather than scanning a
# store's whole history on every view.
COUNT_CAP = 1000


def capped_count(queryset: QuerySet[Any], cap: int | None = None) -> int:
    """How many rows `queryset` has, counted up to `cap` (COUNT_CAP unless given) + 1: an index
    range, never the whole table; a result above the cap means "more than the cap"."""
    limit = COUNT_CAP if cap is None else cap
    return queryset.order_by()[: limit + 1].count()
