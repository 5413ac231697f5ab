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
from typing import Any

from django.db import models
from django.db.models import F, Func, QuerySet, Value

from retorno.core.errors import Unprocessable


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
