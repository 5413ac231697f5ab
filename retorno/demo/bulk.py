"""Writing many rows of a model fast, for generated histories (retorno.demo.history).

On PostgreSQL the rows go through COPY (text format, written by hand: the per-value work is
what bounds a load of millions of rows); elsewhere through one `executemany` INSERT per batch.
Rows are tuples of the columns a caller names; every other concrete field gets its default,
computed once per table, so a model gaining a field with a default keeps loading.

Ids are the caller's (explicit), so rows can reference each other before they are written;
`sequences_reset` moves each table's id sequence past what was loaded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection as default_connection
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """`value` as a field of COPY's text format."""
    kind = type(value)
    if kind is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_ESCAPES)
        return value
    if value is None:
        return NULL
    if kind is int or kind is Decimal:
        return str(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime or kind is date:
        return value.isoformat()
    if kind is dict or kind is list:
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    raise TypeError(f"cannot COPY a {kind.__name__}: {value!r}")


class Table:
    """The rows of one model being loaded: `add` them, `flush` writes what was added."""

    def __init__(
        self, model: type[models.Model], columns: Sequence[str], connection: BaseDatabaseWrapper
    ) -> None:
        fields = {
            field.attname: field
            for field in model._meta.concrete_fields
            if not field.generated  # the database computes it
        }
        unknown = [name for name in columns if name not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no column {unknown}")
        self.model = model
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        rest = [field for name, field in fields.items() if name not in columns]
        missing = [
            f.attname
            for f in rest
            if not f.has_default() and not f.null and not f.empty_strings_allowed
        ]
        if missing:
            raise ValueError(f"{model.__name__}: give a value for {missing}")
        self.fields = [fields[name] for name in columns] + rest
        self.defaults = tuple(self._default(field) for field in rest)
        self.json_columns = {
            i for i, field in enumerate(self.fields) if isinstance(field, models.JSONField)
        }
        self.tail = "".join("\t" + _copy_text(value) for value in self.defaults)
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    @staticmethod
    def _default(field: models.Field) -> Any:
        if field.has_default() or not field.null:
            return field.get_default()
        return None

    def add(self, *values: Any) -> None:
        self.rows.append(values)

    def flush(self) -> None:
        if not self.rows:
            return
        table = self.connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(self.connection.ops.quote_name(f.column) for f in self.fields)
        with self.connection.cursor() as cursor:
            if self.postgres:
                tail = self.tail + "\n"
                text = "".join("\t".join(map(_copy_text, row)) + tail for row in self.rows)
                raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    copy.write(text)
            else:
                adapt = self._adapter()
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - identifiers
                    [adapt(row + self.defaults) for row in self.rows],
                )
        self.count += len(self.rows)
        self.rows = []

    def _adapter(self) -> Callable[[tuple[Any, ...]], list[Any]]:
        ops = self.connection.ops
        json_columns = self.json_columns

        def one(i: int, value: Any) -> Any:
            if i in json_columns:
                return json.dumps(value, ensure_ascii=False)
            if isinstance(value, datetime):
                return ops.adapt_datetimefield_value(value)
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, date):
                return value.isoformat()
            return value

        return lambda row: [one(i, value) for i, value in enumerate(row)]


class Loader:
    """The tables of one load, flushed together in the order they were opened (parents first,
    so foreign keys hold at every flush)."""

    def __init__(self, connection: BaseDatabaseWrapper | None = None) -> None:
        self.connection = connection or default_connection
        self.tables: dict[type[models.Model], Table] = {}

    def table(self, model: type[models.Model], columns: Sequence[str]) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(model, columns, self.connection)
        return self.tables[model]

    def flush(self) -> None:
        for table in self.tables.values():
            table.flush()

    def counts(self) -> dict[str, int]:
        return {model.__name__: table.count for model, table in self.tables.items()}


def sequences_reset(models_: Iterable[type[models.Model]], connection: Any = None) -> None:
    """Move the id sequences of `models_` past their largest id (PostgreSQL; SQLite's
    autoincrement follows the largest id by itself)."""
    connection = connection or default_connection
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def next_id(model: type[models.Model]) -> int:
    """One more than the table's largest id (the first id a load may use)."""
    largest = model.objects.aggregate(top=models.Max("id"))["top"]
    return (largest or 0) + 1
