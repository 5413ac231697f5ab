"""Order intake through `POST /api/v1/orders/bulk` vs COPY of the same rows, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/retorno_bench_orders \
        .venv/bin/python bench/orders_bulk.py [--orders 20000] [--batch 500] [--clients 2]

Sets up (once) a store and a write key, starts a real `retorno serve` (gunicorn) on 127.0.0.1,
and POSTs new orders of 3 lines each (a customer per order, known by external id) in calls of
`--batch` from `--clients` concurrent clients. The floor is psycopg COPY writing the same
customers, orders and lines into the same tables, one transaction per batch, with the same
concurrency. Then one call with the documented maximum of 1,000 orders, new and then again (all
updates), timed against the server's worker timeout. Prints orders/s of both and the ratio. Issue
16's target: at least 1,000 orders/s; the maximum call well inside the timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

# The server measured here gets development stand-ins for the secrets production requires.
os.environ.setdefault("RETORNO_ENV", "development")

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from bench.server import serving  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/retorno_bench_orders"
TIMEOUT = 30  # the server's worker timeout (`retorno serve --timeout`, gunicorn's default)


def setup_database(url: str) -> tuple[int, str]:
    """The bench store's id and a write key for it (a new key each run: only digests are kept)."""
    from bench.pgdb import django_on_database

    django_on_database(url)
    from retorno.accounts.services import api_key_create
    from retorno.stores.models import Store

    store, _ = Store.objects.get_or_create(slug="bench-orders", defaults={"name": "Bench orders"})
    _, plain = api_key_create(store=store, name="bench", scopes=["read", "write"])
    return store.id, plain


def make_orders(count: int, run: str) -> list[dict]:
    now = datetime.now(UTC)
    orders = []
    for n in range(count):
        external_id = f"{run}-{n}"
        orders.append(
            {
                "external_id": external_id,
                "number": f"#{external_id}",
                "placed_at": (now - timedelta(days=8)).isoformat(),
                "delivered_at": (now - timedelta(days=5)).isoformat(),
                "currency": "EUR",
                "customer": {
                    "external_id": f"c-{external_id}",
                    "email": f"{external_id}@example.com",
                    "name": "Ana García",
                    "tier": "gold" if n % 5 == 0 else "",
                },
                "shipping_address": {
                    "line1": "Calle Mayor 1",
                    "city": "Madrid",
                    "postal_code": "28013",
                    "country": "ES",
                },
                "lines": [
                    {
                        "external_id": f"{external_id}-{k}",
                        "sku": f"SKU-{k}",
                        "title": "T-shirt",
                        "category": "apparel",
                        "quantity": 2,
                        "unit_price": "19.90",
                        "discount": "0.00",
                        "tax": "3.45",
                    }
                    for k in range(3)
                ],
            }
        )
    return orders


def post_calls(url: str, key: str, calls: list[list[dict]], clients: int) -> float:
    import httpx

    bodies = [json.dumps({"orders": call}).encode() for call in calls]
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def worker(chunk: list[bytes]) -> None:
        with httpx.Client(timeout=TIMEOUT * 2) as client:
            for body in chunk:
                response = client.post(url, content=body, headers=headers)
                if response.status_code != 200 or response.json()["failed"]:
                    raise SystemExit(f"bulk answered {response.status_code}: {response.text[:300]}")

    chunks = [bodies[i::clients] for i in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, chunks))
    return time.perf_counter() - started


def copy_calls(url: str, store_id: int, calls: list[list[dict]], clients: int) -> float:
    """The floor: the same customers, orders and lines written with COPY, one transaction per
    call (ids taken from the tables' sequences so the lines can point at their orders)."""
    import psycopg

    def write(conn: psycopg.Connection, orders: list[dict]) -> None:
        now = datetime.now(UTC)
        n = len(orders)
        with conn.transaction():
            ids = conn.execute(
                "SELECT nextval('orders_customer_id_seq'), nextval('orders_order_id_seq') "
                "FROM generate_series(1, %s)",
                [n],
            ).fetchall()
            with conn.cursor().copy(
                "COPY orders_customer (id, store_id, external_id, email, name, phone, tier, "
                "tags, language, created_at, updated_at) FROM STDIN"
            ) as copy:
                for (customer_id, _), order in zip(ids, orders, strict=True):
                    c = order["customer"]
                    copy.write_row(
                        (
                            customer_id,
                            store_id,
                            "raw-" + c["external_id"],
                            c["email"],
                            c["name"],
                            "",
                            c["tier"],
                            "[]",
                            "",
                            now,
                            now,
                        )
                    )
            with conn.cursor().copy(
                "COPY orders_order (id, store_id, customer_id, external_id, number, currency, "
                "placed_at, delivered_at, shipping_address, country, postal_code, channel, "
                "shipping_amount, shipping_tax_amount, tags, created_at, updated_at) FROM STDIN"
            ) as copy:
                for (customer_id, order_id), order in zip(ids, orders, strict=True):
                    copy.write_row(
                        (
                            order_id,
                            store_id,
                            customer_id,
                            "raw-" + order["external_id"],
                            order["number"],
                            order["currency"],
                            order["placed_at"],
                            order["delivered_at"],
                            json.dumps(order["shipping_address"]),
                            "ES",
                            "28013",
                            "web",
                            "0",
                            "0",
                            "[]",
                            now,
                            now,
                        )
                    )
            with conn.cursor().copy(
                "COPY orders_orderline (order_id, external_id, variant_id, sku, product_id, "
                "title, category, vendor, tags, quantity, unit_price, discount_amount, "
                "tax_amount, final_sale, options, image_url, position) FROM STDIN"
            ) as copy:
                for (_, order_id), order in zip(ids, orders, strict=True):
                    for position, line in enumerate(order["lines"]):
                        copy.write_row(
                            (
                                order_id,
                                line["external_id"],
                                None,
                                line["sku"],
                                "",
                                line["title"],
                                line["category"],
                                "",
                                "[]",
                                line["quantity"],
                                line["unit_price"],
                                line["discount"],
                                line["tax"],
                                False,
                                "{}",
                                "",
                                position,
                            )
                        )

    def worker(chunk: list[list[dict]]) -> None:
        with psycopg.connect(url) as conn:
            for orders in chunk:
                write(conn, orders)

    chunks = [calls[i::clients] for i in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, chunks))
    return time.perf_counter() - started


def split(orders: list[dict], batch: int) -> list[list[dict]]:
    return [orders[i : i + batch] for i in range(0, len(orders), batch)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500, help="orders per call (at most 1000)")
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not url.startswith("postgres"):
        raise SystemExit(
            "bench/orders_bulk.py measures PostgreSQL: set DATABASE_URL=postgres://..."
        )
    store_id, key = setup_database(url)
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    env["RETORNO_INPROCESS_SCHEDULER"] = "0"
    with serving(env, port=args.port, workers=args.workers, timeout=TIMEOUT) as (port, _):
        endpoint = f"http://127.0.0.1:{port}/api/v1/orders/bulk"
        run = secrets.token_hex(4)
        warm = split(make_orders(args.batch * 2, f"warm-{run}"), args.batch)
        post_calls(endpoint, key, warm, args.clients)
        copy_calls(url, store_id, warm, args.clients)
        calls = split(make_orders(args.orders, run), args.batch)
        copy_seconds = copy_calls(url, store_id, calls, args.clients)
        endpoint_seconds = post_calls(endpoint, key, calls, args.clients)
        biggest = [make_orders(1000, f"max-{run}")]
        max_new = post_calls(endpoint, key, biggest, 1)
        max_again = post_calls(endpoint, key, biggest, 1)
    endpoint_rate = args.orders / endpoint_seconds
    copy_rate = args.orders / copy_seconds
    print(f"{'path':<38} {'orders':>8} {'seconds':>8} {'orders/s':>10}")
    print(
        f"{'POST /orders/bulk (retorno serve)':<38} {args.orders:>8} "
        f"{endpoint_seconds:>8.2f} {endpoint_rate:>10.0f}"
    )
    print(f"{'COPY (floor)':<38} {args.orders:>8} {copy_seconds:>8.2f} {copy_rate:>10.0f}")
    print(
        f"ratio endpoint/COPY: {endpoint_rate / copy_rate:.1%}  (3 lines an order, calls of "
        f"{args.batch}, {args.clients} clients, {args.workers} gunicorn workers; "
        "target >= 1,000 orders/s)"
    )
    print(
        f"one call of 1,000 orders: {max_new:.2f} s new, {max_again:.2f} s again (updates); "
        f"worker timeout {TIMEOUT} s"
    )


if __name__ == "__main__":
    main()
