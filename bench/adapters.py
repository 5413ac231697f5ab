"""`returns.adapters.order_to_decide` (one hand-written query) against the ORM doing the same
read, on the same data, per engine.

    .venv/bin/python bench/adapters.py                     # SQLite and PostgreSQL, ~1 min
    .venv/bin/python bench/adapters.py --engine sqlite --orders 500 --calls 2000 --rounds 5
    .venv/bin/python bench/adapters.py --pg-url postgresql://postgres@127.0.0.1:5432/NAME

Every eligibility check and every return created starts with this read: the order, its
customer and the store's current policy version (without its document). Three ways of doing
it are timed in one process, on random orders of one store, alternating in rounds so noise
falls on all three:

- **floor**: the hand-written statement executed and its row fetched, nothing mapped (the
  least this read can cost on the stack);
- **raw**: `order_to_decide` as the code calls it (the statement, then rows mapped to model
  instances with the ORM's converters);
- **orm**: the same read through the ORM as one would write it: the order with
  `select_related("customer").get(...)`, then the newest policy version with `defer("document")`.

Before timing, every order is read both ways and the results compared field by field. The
figures are microseconds of wall time per call (median of the rounds); the ratios are what
count. Target: the ORM's read within 1.25 × the hand-written one (ADR 15); past it, the
hand-written query stays.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: import `retorno` from the repo root

TARGET = 1.25  # the ORM's time per call ÷ the hand-written query's, at most
PG_URL = "postgresql://postgres@127.0.0.1:5432/retorno_bench_adapters"
SLUG = "bench-adapters"


def child(engine: str, orders: int, calls: int, rounds: int) -> dict[str, Any]:
    """Runs in its own process, with DATABASE_URL set: load, check, time; a JSON-ready dict."""
    import django

    if engine == "postgres":
        from bench.pgdb import django_on_database

        django_on_database(os.environ["DATABASE_URL"])
    else:
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    from django.db import connections, router

    from retorno.demo.stores import store_create
    from retorno.orders.models import Order
    from retorno.orders.services import orders_upsert
    from retorno.policies.models import PolicyVersion
    from retorno.returns import adapters
    from retorno.stores.models import Store

    store = Store.objects.filter(slug=SLUG).first()
    if store is None:
        store, _, _ = store_create(slug=SLUG, name="Bench adapters")
    have = Order.objects.filter(store=store).count()
    now = datetime.now(UTC)
    batch = [
        {
            "external_id": f"A{i}",
            "number": f"#A{i}",
            "placed_at": now - timedelta(days=5 + i % 20),
            "delivered_at": now - timedelta(days=2 + i % 20),
            "currency": "EUR",
            "customer": {
                "external_id": f"c-{i % 200}",
                "email": f"shopper{i % 200}@example.com",
                "name": f"Shopper {i % 200}",
                "tier": ("", "gold", "vip")[i % 3],
                "tags": ["newsletter"] if i % 2 else [],
            },
            "lines": [
                {
                    "external_id": f"A{i}-{j}",
                    "sku": f"SKU-{j}",
                    "title": f"Item {j}",
                    "category": "shirts",
                    "quantity": 2,
                    "unit_price": Decimal("19.90"),
                }
                for j in range(3)
            ],
        }
        for i in range(have, orders)
    ]
    for start in range(0, len(batch), 200):
        orders_upsert(store=store, orders=batch[start : start + 200])
    ids = [f"A{i}" for i in range(orders)]

    def orm(store_id: int, external_id: str) -> tuple[Order | None, PolicyVersion | None]:
        try:
            order = Order.objects.select_related("customer").get(
                store_id=store_id, external_id=external_id
            )
        except Order.DoesNotExist:
            return None, None
        version = (
            PolicyVersion.objects.filter(store_id=store_id)
            .defer("document")
            .order_by("-version")
            .first()
        )
        return order, version

    connection = connections[router.db_for_read(Order)]
    sql = adapters._order_to_decide_sql()  # the statement itself, for the floor

    def floor(store_id: int, external_id: str) -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, [store_id, external_id])
            return cursor.fetchone()

    def fields(model: Any) -> dict[str, Any]:
        return {f.attname: getattr(model, f.attname) for f in model._meta.concrete_fields}

    for external_id in ids:  # the same answer both ways, field by field
        raw_order, raw_version = adapters.order_to_decide(store.id, external_id)
        orm_order, orm_version = orm(store.id, external_id)
        assert raw_order is not None
        assert orm_order is not None
        assert raw_version is not None
        assert orm_version is not None
        assert fields(raw_order) == fields(orm_order), external_id
        assert fields(raw_order.customer) == fields(orm_order.customer), external_id
        assert (raw_version.id, raw_version.version, raw_version.created_at) == (
            orm_version.id,
            orm_version.version,
            orm_version.created_at,
        )

    ways = {"floor": floor, "raw": adapters.order_to_decide, "orm": orm}
    rng = random.Random(15)
    per_call: dict[str, list[float]] = {name: [] for name in ways}
    for way in ways.values():  # warm: caches, compiled statements, connections
        for external_id in ids[:50]:
            way(store.id, external_id)
    for round_number in range(rounds):
        order = list(ways.items())
        if round_number % 2:
            order.reverse()
        sample = [rng.choice(ids) for _ in range(calls)]
        for name, way in order:
            started = time.perf_counter()
            for external_id in sample:
                way(store.id, external_id)
            per_call[name].append((time.perf_counter() - started) / calls * 1e6)
    median = {name: statistics.median(times) for name, times in per_call.items()}
    return {
        "engine": engine,
        "orders": orders,
        "calls": calls,
        "rounds": rounds,
        "us_per_call": median,
        "spread": {name: (min(t), max(t)) for name, t in per_call.items()},
    }


def run_engine(engine: str, args: argparse.Namespace, var_dir: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "RETORNO_ENV": "development",
            "RETORNO_VAR_DIR": str(var_dir),
            "RETORNO_INPROCESS_JOBS": "sync",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "false",
        }
    )
    env.pop("CELERY_BROKER_URL", None)
    env["DATABASE_URL"] = (
        f"sqlite:///{var_dir / 'adapters.sqlite3'}" if engine == "sqlite" else args.pg_url
    )
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        engine,
        "--orders",
        str(args.orders),
        "--calls",
        str(args.calls),
        "--rounds",
        str(args.rounds),
    ]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def render(results: list[dict[str, Any]]) -> str:
    lines = [
        "| engine | floor µs | raw µs | ORM µs | raw ÷ floor | ORM ÷ floor | ORM ÷ raw | target |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        t = r["us_per_call"]
        ratio = t["orm"] / t["raw"]
        verdict = f"≤ {TARGET}: {'met' if ratio <= TARGET else 'missed'}"
        lines.append(
            f"| {r['engine']} | {t['floor']:.0f} | {t['raw']:.0f} | {t['orm']:.0f} | "
            f"{t['raw'] / t['floor']:.2f} | {t['orm'] / t['floor']:.2f} | {ratio:.2f} | "
            f"{verdict} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.orders, args.calls, args.rounds)))
        return
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    with tempfile.TemporaryDirectory(prefix="retorno-bench-adapters-") as tmp:
        results = [run_engine(engine, args, Path(tmp)) for engine in engines]
    print(
        f"order_to_decide, {args.orders} orders, {args.calls} calls × {args.rounds} rounds, "
        "µs per call (median of rounds):"
    )
    print(render(results))


if __name__ == "__main__":
    main()
