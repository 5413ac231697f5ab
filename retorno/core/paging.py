"""One page of a long list for staff pages: numbered pages, a page past the end shows the last.

The lists are a store's own rows, read newest first; counting them is one query and the page
another, whatever the page's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet

T = TypeVar("T")

PER_PAGE = 25


@dataclass(frozen=True)
class Page(Generic[T]):
    results: list[T]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def page_number(value: Any) -> int:
    """The page asked for in a query string; anything that is not a number is the first."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def page_of(queryset: QuerySet[Any], page: int, per_page: int = PER_PAGE) -> Page[Any]:
    """Page `page` of an ordered `queryset` (clamped to the pages there are)."""
    per_page = max(1, per_page)
    total = queryset.count()
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page])
    return Page(results=rows, total=total, page=page, pages=pages, per_page=per_page)
