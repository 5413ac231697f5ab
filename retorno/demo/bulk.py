"""Writing many rows of a model fast, for generated histories (retorno.demo.history).

On PostgreSQL the rows go through COPY in its text format, each row formatted as it is added by
a function made for the table from its columns' types (one f-string per row, no per-value type
test: the per-value work is what bounds a load of millions of rows), so a table holds one string
per row rather than a tuple of values; elsewhere through one `executemany` INSERT per batch.
Rows are tuples of the columns a caller names; every other concrete field gets its default,
computed once per table, so a model gaining a field with a default keeps loading.

Ids are the caller's (explicit), so rows can reference each other before they are written;
`sequences_reset` moves each table's id sequence past what was loaded.

A big load (`bulk_load_mode`) also sets its tables' secondary indexes aside and builds them again
once the rows are in (one sorted build is many times cheaper than millions of insertions into a
B-tree or a trigram index), and leaves the foreign-key triggers out while it writes (the
generator writes parents before children by construction; the references are checked once, in
bulk, before the indexes come back).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection as default_connection
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

NULL = "\\N"
# One encoder for every JSON value (json.dumps with arguments builds a new one per call).
_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def _escape(value: str) -> str:
    """COPY's escapes (backslash first). Chained replaces: str.translate with a mapping costs
    several times more per string, and a history's message bodies all hold line breaks."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def copy_text(value: Any) -> str:
    """`value` as a field of COPY's text format (any type: the defaults and the tests)."""
    kind = type(value)
    if kind is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return _escape(value)
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
        return _json_text(value)
    raise TypeError(f"cannot COPY a {kind.__name__}: {value!r}")


def _text(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return _escape(value)
    return value


def _json_text(value: Any) -> str:
    # JSON text holds no raw tab or line break (the encoder escapes them): only backslashes.
    out = _JSON(value)
    return out.replace("\\", "\\\\") if "\\" in out else out


def _text_or_null(value: str | None) -> str:
    return NULL if value is None else _text(value)


def _json(value: Any) -> str:
    if not value:  # most JSON values of a history are empty
        return "{}" if type(value) is dict else "[]" if type(value) is list else copy_text(value)
    return _json_text(value)


def _json_memo(memo: dict[int, tuple[Any, str]]) -> Callable[[Any], str]:
    """`_json`, remembering the text of each object it wrote (a catalog's options, a shopper's
    address are the same objects row after row). The memo holds the objects themselves, so an
    id is never reused while it is kept; the table clears it when it flushes."""

    def text(value: Any) -> str:
        if not value:
            return _json(value)
        found = memo.get(id(value))
        if found is not None:
            return found[1]
        out = _json(value)
        memo[id(value)] = (value, out)
        return out

    return text


def _plain_or_null(value: Any) -> str:
    return NULL if value is None else str(value)


def _iso_or_null(value: date | None) -> str:
    return NULL if value is None else value.isoformat()


def _bool(value: bool) -> str:
    return "t" if value else "f"


def _field_format(field: models.Field, k: int, null: bool | None = None) -> str:
    """The f-string part that writes value `r[k]` of `field` as COPY text."""
    null = field.null if null is None else null
    if isinstance(field, models.ForeignKey):
        return _field_format(field.target_field, k, null)
    if isinstance(field, models.JSONField):
        return f"{{_json(r[{k}])}}"
    if isinstance(field, models.BooleanField) and not null:
        return f"{{_bool(r[{k}])}}"
    if isinstance(field, models.DateField):  # a DateTimeField is a DateField
        return f"{{_iso(r[{k}])}}" if null else f"{{r[{k}].isoformat()}}"
    if isinstance(field, models.IntegerField | models.DecimalField):
        # ints and Decimals print as PostgreSQL reads them
        return f"{{_plain(r[{k}])}}" if null else f"{{r[{k}]}}"
    if isinstance(field, models.CharField | models.TextField):
        return f"{{_text_or_null(r[{k}])}}" if null else f"{{_text(r[{k}])}}"
    return f"{{copy_text(r[{k}])}}"


_FORMAT_HELPERS = {
    "_json": _json,
    "_bool": _bool,
    "_iso": _iso_or_null,
    "_plain": _plain_or_null,
    "_text": _text,
    "_text_or_null": _text_or_null,
    "copy_text": copy_text,
}


def row_formatter(
    fields: Sequence[models.Field], tail: str, json_text: Callable[[Any], str] = _json
) -> Callable[[tuple[Any, ...]], str]:
    """A function writing a row of `fields`' values as one line of COPY text, `tail` (the
    defaults' text and the newline) appended. Its source is made from the fields' types only
    (one f-string), never from data."""
    body = "\\t".join(_field_format(field, k) for k, field in enumerate(fields))
    source = f'def line(r):\n    return f"{body}" + tail\n'
    namespace: dict[str, Any] = {**_FORMAT_HELPERS, "_json": json_text, "tail": tail}
    exec(compile(source, "<copy row>", "exec"), namespace)  # noqa: S102 - source from field types
    line: Callable[[tuple[Any, ...]], str] = namespace["line"]
    return line


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
        tail = "".join("\t" + copy_text(value) for value in self.defaults) + "\n"
        self.json_memo: dict[int, tuple[Any, str]] = {}
        self.line = row_formatter(self.fields[: len(columns)], tail, _json_memo(self.json_memo))
        self.rows: list[Any] = []  # COPY lines on PostgreSQL, value tuples elsewhere
        self.count = 0
        self.add = self._add_line if self.postgres else self._add_values

    @staticmethod
    def _default(field: models.Field) -> Any:
        if field.has_default() or not field.null:
            return field.get_default()
        return None

    def _add_line(self, *values: Any) -> None:
        self.rows.append(self.line(values))

    def _add_values(self, *values: Any) -> None:
        self.rows.append(values)

    def flush(self) -> None:
        if not self.rows:
            return
        table = self.connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(self.connection.ops.quote_name(f.column) for f in self.fields)
        with self.connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    copy.write("".join(self.rows))
            else:
                adapt = self._adapter()
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - identifiers
                    [adapt(row + self.defaults) for row in self.rows],
                )
        self.count += len(self.rows)
        self.rows = []
        self.json_memo.clear()

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
    so foreign keys hold at every flush). `unchecked`: on PostgreSQL, leave the foreign-key
    triggers out of this transaction (a big load checks its references in bulk afterwards,
    `references_check`)."""

    def __init__(
        self, connection: BaseDatabaseWrapper | None = None, *, unchecked: bool = False
    ) -> None:
        self.connection = connection or default_connection
        self.tables: dict[type[models.Model], Table] = {}
        self.unchecked = unchecked and self.connection.vendor == "postgresql"

    def table(self, model: type[models.Model], columns: Sequence[str]) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(model, columns, self.connection)
        return self.tables[model]

    def flush(self) -> None:
        if self.unchecked:
            with self.connection.cursor() as cursor:
                # Both last until the transaction ends. A lost commit loses a whole chunk of
                # generated returns, which the load writes again (nothing outside depends on it).
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("SET LOCAL synchronous_commit = off")
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
    largest = model._default_manager.aggregate(top=models.Max("id"))["top"]
    return (largest or 0) + 1


# --- big loads on PostgreSQL ------------------------------------------------------------------

_MARK = "retorno bulk load, indexes set aside: "


def bulk_load_possible(connection: BaseDatabaseWrapper | None = None) -> bool:
    """Whether this connection may set indexes aside and skip foreign-key triggers
    (PostgreSQL, as a role that owns the tables and may set session_replication_role)."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


@contextlib.contextmanager
def bulk_load_mode(
    models_: Sequence[type[models.Model]], connection: BaseDatabaseWrapper | None = None
) -> Iterator[None]:
    """While the block runs, the tables of `models_` have no secondary index (primary keys and
    unique constraints stay: they keep the data right); afterwards every index is built again
    from its own definition. The definitions wait in a comment on each table, so a load that
    was killed outright gets them back at the start of the next one (`indexes_restore`)."""
    connection = connection or default_connection
    tables = [model._meta.db_table for model in models_]
    indexes_restore(tables, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
              AND NOT i.indisprimary AND NOT i.indisunique
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1, 2
            """,
            [tables],
        )
        found = cursor.fetchall()
        by_table: dict[str, list[str]] = {}
        for table, _, definition in found:
            by_table.setdefault(table, []).append(definition)
        for table, definitions in by_table.items():
            note = _MARK + json.dumps(definitions)
            cursor.execute(f"COMMENT ON TABLE {connection.ops.quote_name(table)} IS %s", [note])
        for _, name, _ in found:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    logger.info("bulk load: %d indexes set aside on %d tables", len(found), len(by_table))
    try:
        yield
    finally:
        indexes_restore(tables, connection)


def indexes_restore(tables: Sequence[str], connection: BaseDatabaseWrapper) -> int:
    """Build the indexes a bulk load set aside on `tables` (their definitions are in the
    tables' comments) and clear the comments; how many were built."""
    built = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c "
            "WHERE c.relname = ANY(%s) AND c.relnamespace = 'public'::regnamespace "
            "AND obj_description(c.oid, 'pg_class') LIKE %s",
            [list(tables), _MARK + "%"],
        )
        pending = cursor.fetchall()
        if pending:
            cursor.execute("SET maintenance_work_mem = '256MB'")
        for table, note in pending:
            for definition in json.loads(note.removeprefix(_MARK)):
                cursor.execute(
                    definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
                )
                built += 1
            cursor.execute(f"COMMENT ON TABLE {connection.ops.quote_name(table)} IS NULL")
        if pending:
            cursor.execute("RESET maintenance_work_mem")
    return built


def references_check(
    models_: Sequence[type[models.Model]],
    first_ids: dict[str, int],
    connection: BaseDatabaseWrapper | None = None,
) -> list[str]:
    """The foreign keys of `models_` whose rows loaded from `first_ids[model name]` on point
    at nothing (one anti-join per key; what a big load checks instead of a trigger per row)."""
    connection = connection or default_connection
    quote = connection.ops.quote_name
    broken = []
    with connection.cursor() as cursor:
        for model in models_:
            first = first_ids.get(model.__name__)
            if first is None:
                continue
            for field in model._meta.concrete_fields:
                # django-stubs leaves ForeignKey.db_constraint undeclared; Django sets it.
                if not isinstance(field, models.ForeignKey) or not field.db_constraint:  # type: ignore[attr-defined]
                    continue
                parent = field.target_field.model._meta
                target = field.target_field.column
                cursor.execute(
                    f"SELECT count(*) FROM {quote(model._meta.db_table)} c "  # noqa: S608
                    f"WHERE c.id >= %s AND c.{quote(field.column)} IS NOT NULL AND NOT EXISTS "
                    f"(SELECT 1 FROM {quote(parent.db_table)} p "
                    f"WHERE p.{quote(target)} = c.{quote(field.column)})",
                    [first],
                )
                (count,) = cursor.fetchone()
                if count:
                    broken.append(f"{model.__name__}.{field.name}: {count} rows")
    return broken
