"""Tracking-event ingestion through the webhook endpoint vs raw psycopg, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/retorno_bench_ingest \
        .venv/bin/python bench/ingest.py [--events 20000] [--batch 100] [--clients 4]

Sets up (once) a store with a simulator carrier account and 2,000 booked shipments in transit,
starts a real `retorno serve` (gunicorn) on 127.0.0.1, and POSTs signed simulator webhooks of
`--batch` in-transit scans (new events every run) from `--clients` concurrent clients. The floor
is raw psycopg inserting the same rows into the same table, same batches, one transaction per
batch, with the same concurrency. Prints events/s of both and the ratio. Issue 4 targets: at
least 5,000 events/s and at least 25% of the raw rate.
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

# The servers measured here get development stand-ins for the secrets production requires,
# and their carriers are local (the simulator, or nothing listening at all).
os.environ.setdefault("RETORNO_ENV", "development")
os.environ.setdefault("RETORNO_ALLOW_PRIVATE_URLS", "true")

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from bench.server import serving  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/retorno_bench_ingest"
SECRET = "bench-webhook-secret"
SHIPMENTS = 2000


def setup_database(url: str) -> tuple[str, int, list[str]]:
    from bench.pgdb import django_on_database

    django_on_database(url)
    from django.utils import timezone

    from retorno.core.actors import SYSTEM
    from retorno.logistics.models import BookingState, Shipment
    from retorno.logistics.services.accounts import carrier_account_save
    from retorno.stores.models import Store

    store, _ = Store.objects.get_or_create(slug="bench-ingest", defaults={"name": "Bench ingest"})
    account, _ = carrier_account_save(
        store=store,
        code="rapido",
        data={
            "name": "Rápido",
            "kind": "simulator",
            "config": {"base_url": "http://127.0.0.1:9", "carrier": "rapido"},
            "capabilities": ["pickup", "tracking_webhook"],
            "service_areas": [{"country": "ES"}],
            "max_dimensions_cm": [120, 80, 80],
            "rates": {"EUR": {"base_amount": "3.90", "per_kg_amount": "0.50"}},
        },
        credentials={"webhook_secret": SECRET},
        actor=SYSTEM,
    )
    existing = Shipment.objects.filter(carrier_account=account).count()
    now = timezone.now()
    Shipment.objects.bulk_create(
        [
            Shipment(
                store=store,
                return_id=1_000_000 + n,
                rma=f"B-{n:06d}",
                reference=f"bench-{n}",
                attempt_number=1,
                method="pickup",
                carrier_account=account,
                booking_state=BookingState.BOOKED,
                status="in_transit",
                status_at=now - timedelta(days=30),
                tracking_number=f"BENCH{n:08d}",
                created_at=now,
                updated_at=now,
            )
            for n in range(existing, SHIPMENTS)
        ]
    )
    numbers = list(
        Shipment.objects.filter(carrier_account=account).values_list("tracking_number", flat=True)
    )
    return account.webhook_code, account.id, numbers


def make_batches(numbers: list[str], events: int, batch: int, run: str) -> list[list[dict]]:
    base = datetime.now(UTC) - timedelta(days=20)
    items = [
        {
            "carrier": "rapido",
            "tracking_number": numbers[i % len(numbers)],
            "code": "IN_TRANSIT",
            "occurred_at": (base + timedelta(seconds=i)).isoformat(),
            "event_id": f"{run}-{i}",
            "location": "Hub Madrid",
            "description": "In transit",
        }
        for i in range(events)
    ]
    return [items[i : i + batch] for i in range(0, len(items), batch)]


def run_endpoint(url: str, batches: list[list[dict]], clients: int) -> float:
    import httpx

    from retorno.integrations.carriers.simulator.signing import SIGNATURE_HEADER, signature_header

    bodies = [json.dumps(b).encode() for b in batches]

    def post(client: httpx.Client, body: bytes) -> None:
        headers = {
            SIGNATURE_HEADER: signature_header(SECRET, int(time.time()), body),
            "Content-Type": "application/json",
        }
        response = client.post(url, content=body, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"endpoint answered {response.status_code}: {response.text[:300]}")

    def worker(chunk: list[bytes]) -> None:
        with httpx.Client(timeout=30) as client:
            for body in chunk:
                post(client, body)

    chunks = [bodies[i::clients] for i in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, chunks))
    return time.perf_counter() - started


def run_raw(url: str, account_id: int, batches: list[list[dict]], clients: int) -> float:
    """The floor: the same rows, same batches, one INSERT … ON CONFLICT DO NOTHING per batch."""
    import psycopg

    def rows(batch: list[dict]) -> list[tuple]:
        now = datetime.now(UTC)
        return [
            (
                account_id,
                None,
                e["tracking_number"],
                "raw-" + e["event_id"],
                e["code"],
                "in_transit",
                "",
                datetime.fromisoformat(e["occurred_at"]),
                e["location"],
                e["description"],
                now,
            )
            for e in batch
        ]

    sql_head = (
        "INSERT INTO logistics_trackingevent (carrier_account_id, shipment_id, tracking_number, "
        "dedupe_key, raw_status, status, failure_reason, occurred_at, location, description, "
        "received_at) VALUES "
    )

    def worker(chunk: list[list[dict]]) -> None:
        with psycopg.connect(url) as conn:
            for batch in chunk:
                values = rows(batch)
                placeholders = ", ".join(
                    ["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(values)
                )
                params = [v for row in values for v in row]
                with conn.transaction():
                    conn.execute(
                        sql_head + placeholders + " ON CONFLICT DO NOTHING", params, prepare=False
                    )

    chunks = [batches[i::clients] for i in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, chunks))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not url.startswith("postgres"):
        raise SystemExit("bench/ingest.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    webhook_code, account_id, numbers = setup_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        "RETORNO_INPROCESS_SCHEDULER": "0",
    }
    with serving(env, workers=args.workers) as (port, _):
        endpoint = f"http://127.0.0.1:{port}/api/v1/carriers/{webhook_code}/webhooks"
        run = secrets.token_hex(4)
        warm = make_batches(numbers, args.batch * 20, args.batch, f"warm-{run}")
        run_endpoint(endpoint, warm, args.clients)
        run_raw(
            url,
            account_id,
            make_batches(numbers, args.batch * 20, args.batch, f"warm-{run}"),
            args.clients,
        )
        batches = make_batches(numbers, args.events, args.batch, run)
        raw_seconds = run_raw(url, account_id, batches, args.clients)
        endpoint_seconds = run_endpoint(endpoint, batches, args.clients)
    endpoint_rate = args.events / endpoint_seconds
    raw_rate = args.events / raw_seconds
    print(f"{'path':<34} {'events':>8} {'seconds':>8} {'events/s':>10}")
    print(
        f"{'webhook endpoint (retorno serve)':<34} {args.events:>8} {endpoint_seconds:>8.2f} {endpoint_rate:>10.0f}"
    )
    print(
        f"{'raw psycopg INSERT (floor)':<34} {args.events:>8} {raw_seconds:>8.2f} {raw_rate:>10.0f}"
    )
    print(
        f"ratio endpoint/raw: {endpoint_rate / raw_rate:.1%}  "
        f"(batches of {args.batch}, {args.clients} clients, {args.workers} gunicorn workers; "
        "targets >= 5,000 events/s and >= 25%)"
    )


if __name__ == "__main__":
    main()
