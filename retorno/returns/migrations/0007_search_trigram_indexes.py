"""Trigram indexes for the staff queue's search inside values (retorno.returns.selectors.queue): RMA,
order number, customer e-mail and name, parcel tracking number. PostgreSQL only (pg_trgm); on
SQLite the same search reads the rows, which a store small enough for SQLite can afford.

The indexes are on UPPER(column), the expression Django's `icontains` compares on PostgreSQL,
so `number__icontains="8800"` (UPPER(number) LIKE UPPER('%8800%')) is answered from the index
instead of reading every order. Built with a lock on each table: at a million returns this takes
a few seconds per index.
"""

from django.db import migrations

# (index, table, column)
TRIGRAM_INDEXES = (
    ("return_rma_trgm", "returns_return", "rma"),
    ("order_number_trgm", "orders_order", "number"),
    ("customer_email_trgm", "orders_customer", "email"),
    ("customer_name_trgm", "orders_customer", "name"),
    ("shipment_tracking_trgm", "logistics_shipment", "tracking_number"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0006_lists_served_by_indexes"),
        ("orders", "0005_lists_served_by_indexes"),
        ("logistics", "0004_lists_served_by_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
