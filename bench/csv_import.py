"""CSV import of orders on PostgreSQL: the dry run and the import job over a file of `--rows`
order lines, against psycopg COPY writing the same customers, orders and lines (the floor).

    .venv/bin/python bench/csv_import.py [--rows 100000] [--lines 3] \
        [--url postgres://postgres@127.0.0.1:5432/retorno_bench_csv]

Each run makes a new store (so every order is new), writes the file (`--lines` lines an order,
a customer an order), then times: the dry run (`csv_check`: read, map and check every row), the
import (`csv_import_run`: the orders through the intake in chunks of 1,000, with progress), the
same file imported again (every order already there: nothing may change, checked), and COPY of
the same rows into the same tables (one transaction). The target (issue 14): 100,000 rows in
under 60 s, dry run and import together.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("RETORNO_ENV", "development")
ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/retorno_bench_csv"
HEADER = (
    "order_id,number,placed_at,currency,customer_id,customer_email,customer_name,"
    "shipping_country,shipping_amount,order_discount,line_id,sku,title,category,quantity,"
    "unit_price,line_discount,line_tax\n"
)


def csv_text(rows: int, lines: int, tag: str) -> str:
    placed = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    out = [HEADER]
    for row in range(rows):
        order, position = divmod(row, lines)
        at = (placed + timedelta(minutes=order % 40_000)).strftime("%Y-%m-%dT%H:%M:%SZ")
        out.append(
            f"{tag}-{order},#{order},{at},EUR,c{tag}-{order},c{order}@example.com,Ana {order},ES,"
            f"4.95,1.00,{tag}-{order}-{position},SKU-{row % 500},Item {row % 500},apparel,"
            f"{1 + row % 3},19.90,0.00,4.18\n"
        )
    return "".join(out)


def copy_floor(url: str, store_id: int, text: str, lines: int) -> float:
    """The same rows written by COPY (customers, orders, lines), in one transaction."""
    import csv
    import io
    import json

    import psycopg

    rows = list(csv.DictReader(io.StringIO(text)))
    orders = [rows[i : i + lines] for i in range(0, len(rows), lines)]
    now = datetime.now(UTC)
    address = json.dumps({"country": "ES"})
    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.transaction():
        ids = conn.execute(
            "SELECT nextval('orders_customer_id_seq'), nextval('orders_order_id_seq') "
            "FROM generate_series(1, %s)",
            [len(orders)],
        ).fetchall()
        with conn.cursor().copy(
            "COPY orders_customer (id, store_id, external_id, email, name, phone, tier, tags, "
            "language, created_at, updated_at) FROM STDIN"
        ) as copy:
            for (customer_id, _), group in zip(ids, orders, strict=True):
                first = group[0]
                customer = (first["customer_email"], first["customer_name"], "", "", "[]", "")
                copy.write_row(
                    (customer_id, store_id, "floor-" + first["customer_id"], *customer, now, now)
                )
        with conn.cursor().copy(
            "COPY orders_order (id, store_id, customer_id, external_id, number, currency, "
            "placed_at, delivered_at, shipping_address, country, postal_code, channel, "
            "shipping_amount, shipping_tax_amount, discount_amount, tags, created_at, updated_at) "
            "FROM STDIN"
        ) as copy:
            for (customer_id, order_id), group in zip(ids, orders, strict=True):
                first = group[0]
                head = (order_id, store_id, customer_id, "floor-" + first["order_id"])
                values = (
                    first["number"],
                    "EUR",
                    first["placed_at"],
                    None,
                    address,
                    "ES",
                    "",
                    "web",
                )
                amounts = (first["shipping_amount"], "0", first["order_discount"])
                copy.write_row((*head, *values, *amounts, "[]", now, now))
        with conn.cursor().copy(
            "COPY orders_orderline (order_id, external_id, variant_id, sku, product_id, title, "
            "category, vendor, tags, quantity, unit_price, discount_amount, "
            "order_discount_amount, tax_amount, final_sale, options, image_url, position) "
            "FROM STDIN"
        ) as copy:
            for (_, order_id), group in zip(ids, orders, strict=True):
                for position, line in enumerate(group):
                    head = (order_id, line["line_id"], None, line["sku"], "", line["title"])
                    middle = (line["category"], "", "[]", int(line["quantity"]), line["unit_price"])
                    amounts = (line["line_discount"], "0.33", line["line_tax"])
                    copy.write_row((*head, *middle, *amounts, False, "{}", "", position))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=3, help="lines an order")
    parser.add_argument("--url", default=DEFAULT_DB)
    args = parser.parse_args()

    from bench.pgdb import django_on_database

    django_on_database(args.url)
    from django.db.models import Max

    from retorno.orders.models import CsvImport, ImportState, Order, OrderLine
    from retorno.orders.services.csv_import import csv_check, csv_import_run
    from retorno.stores.models import Store

    tag = datetime.now(UTC).strftime("%H%M%S")
    store = Store.objects.create(slug=f"bench-csv-{tag}", name="Bench CSV", currency="EUR")
    floor_store = Store.objects.create(slug=f"bench-csv-floor-{tag}", name="Floor", currency="EUR")
    text = csv_text(args.rows, args.lines, tag)
    data = text.encode()
    print(f"{args.rows:,} rows, {args.rows // args.lines:,} orders, {len(data) / 1e6:.1f} MB")

    def timed_import() -> tuple[float, float, CsvImport]:
        started = time.perf_counter()
        job = csv_check(store=store, kind="orders", data=data, filename="bench.csv")
        checked = time.perf_counter() - started
        assert job.refused == 0, job.problems[:3]
        CsvImport.objects.filter(id=job.id).update(state=ImportState.QUEUED)
        started = time.perf_counter()
        job = csv_import_run(job.id)
        return checked, time.perf_counter() - started, job

    check_s, import_s, job = timed_import()
    total = check_s + import_s
    print(f"dry run      {check_s:7.2f} s  {args.rows / check_s:>9,.0f} rows/s")
    print(
        f"import job   {import_s:7.2f} s  {args.rows / import_s:>9,.0f} rows/s  ({job.created:,} new orders)"
    )
    print(f"together     {total:7.2f} s  target < 60 s: {'met' if total < 60 else 'NOT met'}")

    orders = Order.objects.filter(store=store)
    before = (
        orders.count(),
        OrderLine.objects.filter(order__store=store).count(),
        orders.aggregate(Max("updated_at"))["updated_at__max"],
    )
    check2_s, import2_s, job2 = timed_import()
    after = (
        orders.count(),
        OrderLine.objects.filter(order__store=store).count(),
        orders.aggregate(Max("updated_at"))["updated_at__max"],
    )
    print(
        f"again        {check2_s + import2_s:7.2f} s  ({job2.created} new; rows and times of "
        f"change {'unchanged' if before == after else 'CHANGED'})"
    )
    floor_s = copy_floor(args.url, floor_store.id, text, args.lines)
    print(f"COPY floor   {floor_s:7.2f} s  {args.rows / floor_s:>9,.0f} rows/s")
    print(f"ratio import (dry run + job) / COPY: {floor_s / total:.1%} of the floor's speed")


if __name__ == "__main__":
    main()
