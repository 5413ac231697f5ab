"""Shopper page latency under concurrent load: the portal's store home, order page, options step
(with the exchange picker) and the tracking page.

Against `retorno serve` (gunicorn, several processes) on PostgreSQL, bound to 127.0.0.1 only.
It creates (once) a bench database with the demo store, starts the server, lets C clients
(each its own session, keep-alive) hit each page for D seconds, and prints p50/p95/p99 next to
the floor of the same stack (`/health`: a bare view doing one database query).

    .venv/bin/python bench/portal.py [--database-url postgres://postgres@127.0.0.1:5432/retorno_bench_portal]
        [--clients 4] [--seconds 10] [--workers 2] [--threads 2] [--port N]

Target: p99 under 50 ms for every page.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

# The servers measured here get development stand-ins for the secrets production requires,
# and their carriers are local (the simulator, or nothing listening at all).
os.environ.setdefault("RETORNO_ENV", "development")
os.environ.setdefault("RETORNO_ALLOW_PRIVATE_URLS", "true")

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: import `bench` from the repo root

from bench.server import serving  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/retorno_bench_portal"


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            conn.execute(f'create database "{name}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "retorno"), *args], env=env, check=True, cwd=ROOT)


def targets(env: dict[str, str]) -> tuple[str, list[tuple[str, str]], list[str]]:
    """The demo store slug, orders a shopper can look up (number, email) with something still
    returnable, and tracking tokens of returns."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache
    from django.utils import timezone

    from retorno.returns.models import Return
    from retorno.returns.selectors import order_eligibility_for_store
    from retorno.stores.models import Store

    cache.clear()  # the bench database's own cache: forget earlier runs' lookup counts
    store = Store.objects.get(slug="demo")
    orders = []
    for order in store.orders.select_related("customer").order_by("-delivered_at")[:200]:
        decision = order_eligibility_for_store(
            store=store, external_id=order.external_id, now=timezone.now()
        ).decision
        if any(d.returnable_quantity for d in decision.lines):
            orders.append((order.number, order.customer.email))
        if len(orders) >= 20:
            break
    tokens = list(
        Return.objects.filter(store=store)
        .order_by("-created_at")
        .values_list("tracking_token", flat=True)[:50]
    )
    return store.slug, orders, tokens


def shopper_session(base: str, slug: str, number: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10, headers={"Accept-Language": "es"})
    page = client.get(f"/s/{slug}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the store page"
    found = client.post(
        f"/s/{slug}/",
        data={"csrfmiddlewaretoken": token.group(1), "number": number, "email": email},
        headers={"Referer": f"{base}/s/{slug}/"},
    )
    assert found.status_code == 302, f"lookup failed: {found.status_code}"
    # On to the options step: the first returnable line, "too small" (the exchange picker).
    items = client.get(f"/s/{slug}/order/")
    line = re.search(r'name="(l\d+)-selected"', items.text)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', items.text)
    assert line, "no returnable line on the order page"
    assert csrf, "no CSRF token on the order page"
    chosen = client.post(
        f"/s/{slug}/order/",
        data={
            "csrfmiddlewaretoken": csrf.group(1),
            f"{line.group(1)}-selected": "on",
            f"{line.group(1)}-quantity": "1",
            f"{line.group(1)}-reason": "too_small",
        },
        headers={"Referer": f"{base}/s/{slug}/order/"},
    )
    assert chosen.status_code == 302, f"choosing an item failed: {chosen.status_code}"
    return client


def load(clients: list[httpx.Client], paths: list[str], seconds: float) -> tuple[list[float], int]:
    timings: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(client: httpx.Client, offset: int) -> None:
        nonlocal errors
        mine, bad, i = [], 0, offset
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                bad += 1
            mine.append(elapsed)
        with lock:
            timings.extend(mine)
            errors += bad

    threads = [threading.Thread(target=run, args=(c, n)) for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings, errors


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--port", type=int, default=0, help="the server's port (default: a free one)"
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("the benchmark runs on PostgreSQL (--database-url postgres://...)")
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 300:
        raise SystemExit("keep it bounded: 1-64 clients, 1-300 seconds")

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.database_url,
        "RETORNO_VAR_DIR": str(ROOT / "var" / "bench"),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    ensure_database(args.database_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    manage(env, "demo", "--customers", "150", "--orders", "400")
    slug, orders, tokens = targets(env)
    if not orders or not tokens:
        raise SystemExit("the demo store has no returnable orders or no returns")

    with serving(
        env, port=args.port, workers=args.workers, threads=args.threads, ready_timeout=180
    ) as (port, _):
        base = f"http://127.0.0.1:{port}"
        sessions = [
            shopper_session(base, slug, *orders[n % len(orders)]) for n in range(args.clients)
        ]
        rows = []
        for name, paths in (
            ("floor: /health", ["/health"]),
            ("portal store home", [f"/s/{slug}/"]),
            ("portal order page", [f"/s/{slug}/order/"]),
            ("portal options step", [f"/s/{slug}/resolution/"]),
            ("tracking page", [f"/r/{t}" for t in tokens]),
        ):
            load(sessions, paths, min(2.0, args.seconds))  # warm up
            timings, errors = load(sessions, paths, args.seconds)
            rows.append((name, timings, errors))
        floor = statistics.median(rows[0][1])
        print(
            f"\n{args.clients} clients, {args.seconds:g} s per page, gunicorn {args.workers} "
            f"workers × {args.threads} threads, PostgreSQL, 127.0.0.1\n"
        )
        print(
            f"{'page':<20} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'p99 ms':>8} {'p50/floor':>10} {'errors':>7}"
        )
        for name, timings, errors in rows:
            print(
                f"{name:<20} {len(timings):>9} {len(timings) / args.seconds:>8.0f} "
                f"{percentile(timings, 50):>8.1f} {percentile(timings, 95):>8.1f} "
                f"{percentile(timings, 99):>8.1f} {statistics.median(timings) / floor:>10.1f} "
                f"{errors:>7}"
            )
        print("\ntarget: p99 < 50 ms for every portal page")
        for client in sessions:
            client.close()


if __name__ == "__main__":
    main()
