"""INSERT of new model instances with the statement written once per model and row count.

`Model.save()` and `bulk_create()` compile their INSERT on every call: on a return's creation
(the return, its items, its events, the shopper's message) that compiling was a third of the
request's CPU. `insert_new` writes the same columns with the same values (each field's
`pre_save` and `get_db_prep_save`, as the ORM does) and sets the primary keys from RETURNING,
with the SQL text kept per model, database and row count. It sends no signals, like
`bulk_create`. Values the ORM would resolve as expressions (F(), database defaults) go
through `bulk_create` instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)

# Values psycopg and sqlite3 take as they are: for these the fields' preparation (to_python of
# a str, int() of an int) returns the value unchanged.
_PLAIN = frozenset({str, int, bool, type(None)})
_PLAIN_FIELDS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)


def insert_new(objs: Sequence[M]) -> list[M]:
    """INSERT `objs` (new instances of one model) in one statement; their primary keys are set
    and they are marked saved, as after `bulk_create`. No signals are sent."""
    if not objs:
        return list(objs)
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if not connection.features.can_return_rows_from_bulk_insert:
        return model._default_manager.using(alias).bulk_create(objs)
    fields, plain, auto_now = _layout(model)
    params: list[Any] = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
        for field, is_plain, pre_save in zip(fields, plain, auto_now, strict=True):
            value = field.pre_save(obj, add=True) if pre_save else getattr(obj, field.attname)
            if is_plain and type(value) in _PLAIN:
                params.append(value)
            elif hasattr(value, "resolve_expression"):
                return model._default_manager.using(alias).bulk_create(objs)
            else:
                params.append(field.get_db_prep_save(value, connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(_sql(model, alias, len(objs)), params)
        keys = cursor.fetchall()
    pk = model._meta.pk
    assert pk is not None
    convert = _pk_converters(model, alias)
    column = pk.get_col(model._meta.db_table)
    for obj, (key,) in zip(objs, keys, strict=True):
        for converter in convert:
            key = converter(key, column, connection)
        setattr(obj, pk.attname, key)
        obj._state.adding = False
        obj._state.db = alias
    return list(objs)


@functools.cache
def _layout(model: type[Model]) -> tuple[list[Field[Any, Any]], list[bool], list[bool]]:
    """The columns an INSERT writes (every concrete field but an automatic primary key), which
    of them take plain values as they are, and which fill themselves in (auto_now)."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.generated and not (f.primary_key and getattr(f, "db_returning", False))
    ]
    plain = [f.get_internal_type() in _PLAIN_FIELDS for f in fields]
    auto_now = [
        bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)) for f in fields
    ]
    return fields, plain, auto_now


@functools.cache
def _sql(model: type[Model], alias: str, rows: int) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields, _, _ = _layout(model)
    pk = model._meta.pk
    assert pk is not None
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join([row] * rows)} RETURNING {quote(pk.column)}"
    )


@functools.cache
def _pk_converters(model: type[Model], alias: str) -> list[Callable[..., Any]]:
    connection = connections[alias]
    pk = model._meta.pk
    assert pk is not None
    column = pk.get_col(model._meta.db_table)
    return [
        *connection.ops.get_db_converters(column),
        *pk.get_db_converters(connection),  # type: ignore[attr-defined]
    ]
