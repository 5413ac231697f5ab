"""The dashboard's status counts kept by the database (ReturnStatusTally): triggers on the
returns table append +1 / -1 rows on every insert, status change and delete, so the counts stay
right whatever wrote the return (a service, a bulk load with triggers on, the admin). The
existing returns are counted once here, in the same transaction as the triggers' creation.

PostgreSQL: statement-level triggers with transition tables (a COPY or a bulk update appends one
row per store and status, not one per return). SQLite: row-level triggers.
"""

import django.db.models.deletion
from django.db import migrations, models

TALLY = "returns_returnstatustally"

POSTGRES = f"""
CREATE OR REPLACE FUNCTION returns_status_tally_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO {TALLY} (store_id, status, delta)
    SELECT store_id, status, COUNT(*) FROM new_rows GROUP BY store_id, status;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION returns_status_tally_update() RETURNS trigger AS $$
BEGIN
    INSERT INTO {TALLY} (store_id, status, delta)
    SELECT store_id, status, SUM(delta) FROM (
        SELECT o.store_id, o.status, -1 AS delta
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE n.status IS DISTINCT FROM o.status OR n.store_id <> o.store_id
        UNION ALL
        SELECT n.store_id, n.status, 1
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE n.status IS DISTINCT FROM o.status OR n.store_id <> o.store_id
    ) AS moved
    GROUP BY store_id, status;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION returns_status_tally_delete() RETURNS trigger AS $$
BEGIN
    INSERT INTO {TALLY} (store_id, status, delta)
    SELECT store_id, status, -COUNT(*) FROM old_rows GROUP BY store_id, status;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER returns_status_tally_insert AFTER INSERT ON returns_return
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION returns_status_tally_insert();
CREATE TRIGGER returns_status_tally_update AFTER UPDATE ON returns_return
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION returns_status_tally_update();
CREATE TRIGGER returns_status_tally_delete AFTER DELETE ON returns_return
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION returns_status_tally_delete();
"""

POSTGRES_DROP = """
DROP TRIGGER IF EXISTS returns_status_tally_insert ON returns_return;
DROP TRIGGER IF EXISTS returns_status_tally_update ON returns_return;
DROP TRIGGER IF EXISTS returns_status_tally_delete ON returns_return;
DROP FUNCTION IF EXISTS returns_status_tally_insert();
DROP FUNCTION IF EXISTS returns_status_tally_update();
DROP FUNCTION IF EXISTS returns_status_tally_delete();
"""

SQLITE = (
    f"""CREATE TRIGGER returns_status_tally_insert AFTER INSERT ON returns_return
    BEGIN INSERT INTO {TALLY} (store_id, status, delta) VALUES (NEW.store_id, NEW.status, 1); END""",
    f"""CREATE TRIGGER returns_status_tally_update AFTER UPDATE ON returns_return
    WHEN NEW.status IS NOT OLD.status OR NEW.store_id IS NOT OLD.store_id
    BEGIN
        INSERT INTO {TALLY} (store_id, status, delta) VALUES (OLD.store_id, OLD.status, -1);
        INSERT INTO {TALLY} (store_id, status, delta) VALUES (NEW.store_id, NEW.status, 1);
    END""",
    f"""CREATE TRIGGER returns_status_tally_delete AFTER DELETE ON returns_return
    BEGIN INSERT INTO {TALLY} (store_id, status, delta) VALUES (OLD.store_id, OLD.status, -1); END""",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS returns_status_tally_insert",
    "DROP TRIGGER IF EXISTS returns_status_tally_update",
    "DROP TRIGGER IF EXISTS returns_status_tally_delete",
)

BACKFILL = f"""
INSERT INTO {TALLY} (store_id, status, delta)
SELECT store_id, status, COUNT(*) FROM returns_return GROUP BY store_id, status
"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)
    else:
        raise RuntimeError(f"no status tally triggers for {vendor}")
    schema_editor.execute(BACKFILL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    else:
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0009_return_shop_now"),
        ("stores", "0005_onboarding_skipped"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReturnStatusTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("status", models.CharField(max_length=20)),
                ("delta", models.BigIntegerField()),
                (
                    "store",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="stores.store",
                    ),
                ),
            ],
            options={
                # The dashboard sums a store's rows per status through this index.
                "indexes": [models.Index(fields=["store", "status"], name="return_status_tally")],
            },
        ),
        migrations.RunPython(create, drop),
    ]
