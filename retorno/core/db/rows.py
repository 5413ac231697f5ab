"""Model instances from hand-written queries, converted as the ORM converts its own rows.

For the hottest reads (a return's creation, a message's delivery) the ORM compiled its SQL on
every call, which cost about as much as running it; these read with SQL written once and build
the same instances the ORM would (`Model.from_db`, the fields' converters: dates, decimals and
JSON on SQLite).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


def columns(alias: str, model: type[Model], attnames: tuple[str, ...]) -> str:
    """`alias.column, …` of `model`'s fields `attnames`, for a SELECT list."""
    fields = concrete_fields(model)
    return ", ".join(f"{alias}.{fields[name].column}" for name in attnames)


def concrete_fields(model: type[Model]) -> dict[str, Field[Any, Any]]:
    return {field.attname: field for field in model._meta.concrete_fields}


def all_attnames(model: type[Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields)


def from_row(
    connection: BaseDatabaseWrapper, model: type[M], attnames: tuple[str, ...], values: Any
) -> M:
    """An instance of `model` from the columns `attnames` of a hand-written query, with the
    values converted as the ORM converts them."""
    converted = []
    for value, (column, converters) in zip(
        values, _converters(connection.alias, model, attnames), strict=True
    ):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, list(attnames), converted)


@functools.cache
def _converters(alias: str, model: type[Model], attnames: tuple[str, ...]) -> list[Any]:
    """Per column, the expression and the converters the ORM would apply to its values."""
    connection = connections[alias]
    fields = concrete_fields(model)
    converters = []
    for name in attnames:
        column = fields[name].get_col(model._meta.db_table)
        field_converters = fields[name].get_db_converters(connection)  # type: ignore[attr-defined]
        converters.append((column, connection.ops.get_db_converters(column) + field_converters))
    return converters


def prefetched(instance: Model, name: str, related: Sequence[Model]) -> None:
    """Let `instance.<name>.all()` answer with `related` from memory, as after
    prefetch_related(name): what was just read or written is not read again."""
    cached = getattr(instance, name).all()  # the related manager's queryset, filter included
    cached._result_cache = list(related)
    cached._prefetch_done = True
    cache = getattr(instance, "_prefetched_objects_cache", None)
    if cache is None:
        cache = instance._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    cache[name] = cached
