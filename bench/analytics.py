"""Analytics figures over generated histories: p50 and p99 per figure for a one-year period, at
each size, against a floor (counting the period's returns, the least any figure must do).

    # histories first (PostgreSQL), e.g. into retorno_analytics_bench:
    retorno demo --returns 10000 --slug h10k && retorno demo --returns 100000 --slug h100k
    DATABASE_URL=postgres://…/retorno_analytics_bench .venv/bin/python bench/analytics.py \
        --stores h10k h100k [--repeat 20]

Figures are timed in process (the selector, as the API and the pages call it) and two API
endpoints through the whole Django stack (the test client: middleware, key, ninja, JSON).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: import `retorno` from the repo root
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("RETORNO_ENV", "development")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from retorno.accounts.services import api_key_create  # noqa: E402
from retorno.analytics import costs, digest, fit, mix, operations, returns, suppliers  # noqa: E402
from retorno.analytics.scope import Scope, scope_from_params  # noqa: E402
from retorno.domain.analytics.digest import last_full_week  # noqa: E402
from retorno.domain.analytics.periods import last_days  # noqa: E402
from retorno.domain.analytics.quality import ALERT_WINDOW_DAYS  # noqa: E402
from retorno.domain.days import local_day  # noqa: E402
from retorno.returns.models import Return  # noqa: E402
from retorno.stores.models import Store  # noqa: E402


def figures(scope: Scope) -> dict[str, Callable[[], Any]]:
    now = timezone.now()
    today = local_day(now, scope.store.timezone)
    start, end = scope.bounds
    return {
        "floor: count the period's returns": lambda: Return.objects.filter(
            store=scope.store, created_at__gte=start, created_at__lt=end
        ).count(),
        "overview": lambda: returns.overview(scope),
        "breakdown product": lambda: returns.breakdown(scope, "product"),
        "breakdown region": lambda: returns.breakdown(scope, "region"),
        "breakdown carrier": lambda: returns.breakdown(scope, "carrier"),
        "reason mix + heat map": lambda: mix.reason_mix(scope),
        "outcomes": lambda: mix.outcomes(scope),
        "fit": lambda: fit.fit_report(scope),
        "suppliers": lambda: suppliers.supplier_report(scope, now=now),
        "cycle time": lambda: operations.cycle_times(scope, segment_by="method"),
        "aging": lambda: operations.warehouse_aging(scope, now=now),
        "carriers": lambda: operations.carrier_report(scope),
        "exceptions": lambda: operations.policy_exceptions(scope),
        "cost per return": lambda: costs.costs(scope),
        "recovered value": lambda: costs.recovery(scope),
        # What the hourly supplier alert check reads (its 90 days), and last week's digest.
        "supplier alert check (read)": lambda: suppliers.supplier_report(
            Scope(scope.store, last_days(today, ALERT_WINDOW_DAYS)), now=now
        ),
        "weekly digest": lambda: digest.weekly_digest(
            store=scope.store, week=last_full_week(today), now=now
        ),
    }


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    call()  # warm the caches once
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(0.99 * len(samples)))]
    return statistics.median(samples), p99


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", nargs="+", default=["h10k", "h100k"])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument(
        "--only", nargs="*", default=None, help="Only the figures whose name starts with these."
    )
    args = parser.parse_args()
    rows: dict[str, dict[str, tuple[float, float]]] = {}
    sizes = {}
    for slug in args.stores:
        store = Store.objects.get(slug=slug)
        # The histories end today; a year back covers most of them.
        scope = scope_from_params(store=store, params={"days": str(args.days)}, now=timezone.now())
        sizes[slug] = Return.objects.filter(store=store).count()
        for name, call in figures(scope).items():
            if args.only and not name.startswith(("floor", *args.only)):
                continue
            rows.setdefault(name, {})[slug] = timed(call, args.repeat)
        key = api_key_create(store=store, name=f"bench {time.time()}", scopes=["read"])[1]
        client = Client()
        for path in (
            f"/api/v1/analytics/overview?days={args.days}",
            f"/api/v1/analytics/breakdown?dimension=product&days={args.days}",
            f"/api/v1/analytics/costs?days={args.days}",
            f"/api/v1/analytics/recovery?days={args.days}",
            f"/api/v1/analytics/fit?days={args.days}",
            f"/api/v1/analytics/suppliers?days={args.days}",
            "/api/v1/analytics/supplier-alerts",
        ):
            name = "API " + path.split("?")[0].rsplit("/", 1)[1]
            rows.setdefault(name, {})[slug] = timed(
                lambda path=path, client=client, key=key: client.get(
                    path, HTTP_AUTHORIZATION=f"Bearer {key}"
                ),
                args.repeat,
            )
    header = "| figure | " + " | ".join(
        f"{slug} ({sizes[slug]:,} returns) p50 / p99 ms" for slug in args.stores
    )
    print(header + " |")
    print("| --- |" + " --- |" * len(args.stores))
    for name, by_store in rows.items():
        cells = [f"{by_store[s][0]:.0f} / {by_store[s][1]:.0f}" for s in args.stores]
        print(f"| {name} | " + " | ".join(cells) + " |")
    floor = rows["floor: count the period's returns"]
    worst = {s: max(v[s][1] for v in rows.values()) for s in args.stores}
    print()
    for s in args.stores:
        print(
            f"{s}: slowest p99 {worst[s]:.0f} ms ({worst[s] / max(floor[s][1], 0.01):.0f}x the floor)"
        )


if __name__ == "__main__":
    main()
