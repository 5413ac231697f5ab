"""Keyset pagination: the rows after (or before) a cursor, found through an index.

`(updated_at, id) > (X, Y)` is a row comparison: PostgreSQL (and SQLite) start an index scan on
(…, updated_at, id) right at the cursor. The same condition written
`updated_at > X OR (updated_at = X AND id > Y)` is walked row by row from the start of the
index, so a deep page cost as much as every page before it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import F, Func, QuerySet, Value
from django.utils.dateparse import parse_datetime

from retorno.core.errors import Unprocessable

T = TypeVar("T")


class Row(Func):
    """A row value `(a, b, …)`, compared as a whole."""

    template = "(%(expressions)s)"
    output_field = models.Field()


def _row_of_values(queryset: QuerySet[Any], keys: Sequence[str], values: Sequence[Any]) -> Row:
    fields = {field.attname: field for field in queryset.model._meta.concrete_fields}
    fields |= {field.name: field for field in queryset.model._meta.concrete_fields}
    return Row(*(Value(v, output_field=fields[k]) for k, v in zip(keys, values, strict=True)))


def after(queryset: QuerySet[Any], keys: Sequence[str], values: Sequence[Any]) -> QuerySet[Any]:
    """The rows of `queryset` whose `keys` come after `values` (ascending order)."""
    return queryset.alias(_keyset=Row(*(F(k) for k in keys))).filter(
        _keyset__gt=_row_of_values(queryset, keys, values)
    )


def before(queryset: QuerySet[Any], keys: Sequence[str], values: Sequence[Any]) -> QuerySet[Any]:
    """The rows of `queryset` whose `keys` come before `values` (ascending order)."""
    return queryset.alias(_keyset=Row(*(F(k) for k in keys))).filter(
        _keyset__lt=_row_of_values(queryset, keys, values)
    )


def encode(values: Sequence[Any]) -> str:
    """An opaque cursor for `values` (JSON-able after datetimes become ISO text)."""
    plain = [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode(cursor: str, size: int) -> list[Any]:
    """The `size` values of a cursor made by `encode` (datetimes still ISO text); a cursor that
    is not one is refused with the problem code invalid_cursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != size:
            raise ValueError
        return values
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise Unprocessable(
            "The cursor is not valid; start again without it.", code="invalid_cursor"
        ) from exc


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """A page of a list read newest first: `next_cursor` leads to older rows, `previous_cursor`
    back to newer ones (None at either end)."""

    results: list[T]
    next_cursor: str | None
    previous_cursor: str | None = None


NEWEST_FIRST = ("created_at", "id")

# Read newest first, the rows "after" a cursor are older ones (before it in ascending order).
_newer_than = after
_older_than = before


def _position(cursor: str | None, *, strict: bool) -> tuple[datetime, int] | None:
    """(created_at, id) of a newest-first cursor. A cursor that is not one is refused
    (invalid_cursor) when `strict` (the API); on pages it is ignored, as a link to the top."""
    if not cursor:
        return None
    try:
        at_text, row_id = decode(cursor, 2)
        at = parse_datetime(at_text) if isinstance(at_text, str) else None
        if at is None or at.tzinfo is None or not isinstance(row_id, int):
            raise Unprocessable(
                "The cursor is not valid; start again without it.", code="invalid_cursor"
            )
    except (Unprocessable, ValueError):
        if strict:
            raise Unprocessable(
                "The cursor is not valid; start again without it.", code="invalid_cursor"
            ) from None
        return None
    return at, row_id


def newest_first(
    queryset: QuerySet[Any],
    *,
    limit: int,
    after: str | None = None,
    before: str | None = None,
    strict: bool = True,
) -> KeysetPage[Any]:
    """The `limit` rows of `queryset` (newest first by created_at, then id) older than the
    cursor `after`, or newer than `before`, or the first ones; one statement for the page (plus
    the queryset's own prefetches) however deep the cursor, through an index on
    (…, created_at, id). A row added while a client pages is newer than every cursor it holds,
    so no row is skipped or shown twice."""
    limit = max(1, limit)
    back = _position(before, strict=strict)
    position = back or _position(after, strict=strict)
    rows_query = queryset
    if back is not None:
        rows_query = _newer_than(queryset, NEWEST_FIRST, back)
    elif position is not None:
        rows_query = _older_than(queryset, NEWEST_FIRST, position)
    order = ("created_at", "id") if back is not None else ("-created_at", "-id")
    rows = list(rows_query.order_by(*order)[: limit + 1])
    beyond = len(rows) > limit
    rows = rows[:limit]
    if back is not None:
        rows.reverse()
    has_next = beyond if back is None else bool(rows)
    has_previous = beyond if back is not None else position is not None
    return KeysetPage(
        results=rows,
        next_cursor=cursor_of(rows[-1]) if has_next and rows else None,
        previous_cursor=cursor_of(rows[0]) if has_previous and rows else None,
    )


def cursor_of(row: Any) -> str:
    """The newest-first cursor of a row (its created_at and id)."""
    return encode([row.created_at, row.id])
