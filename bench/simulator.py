"""The policy simulator over a generated history: how long replaying N return requests takes
(reading their frozen facts, then deciding each twice), beside the floor of the same run
(counting those requests).

    # a history first (PostgreSQL), e.g. into retorno_simulator_bench:
    retorno demo --returns 150000 --slug h150k
    DATABASE_URL=postgres://…/retorno_simulator_bench .venv/bin/python bench/simulator.py \\
        --store h150k --requests 10000 100000 [--repeat 3]

For each target N the period is the most recent one (by request date) holding at least N
requests. The draft shortens the window, adds a review reason and raises the shipping fee, so
every figure has work to do. Times are wall-clock seconds in process (the selector the API and
the policy editor call), the best and the worst of --repeat runs.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: import `retorno` from the repo root
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("RETORNO_ENV", "development")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from retorno.analytics.scope import scope_from_params  # noqa: E402
from retorno.analytics.simulator import policy_simulate, replay_cases  # noqa: E402
from retorno.domain.days import local_day  # noqa: E402
from retorno.domain.policies import default_policy_document, parse_policy  # noqa: E402
from retorno.domain.policies.simulation import simulate  # noqa: E402
from retorno.policies.selectors import compiled_policy, policy_version_current  # noqa: E402
from retorno.returns.models import Return  # noqa: E402
from retorno.stores.models import Store  # noqa: E402


def draft_document(in_force: dict) -> dict:
    draft = copy.deepcopy(in_force)
    draft["base"]["window_days"] = max(7, int(draft["base"]["window_days"]) - 14)
    draft["base"]["review_reasons"] = sorted({*draft["base"]["review_reasons"], "too_small"})
    draft["base"]["return_shipping_fee"] = "6.95"
    return draft


def period_for(store: Store, wanted: int) -> dict[str, str]:
    """The most recent period ending today holding at least `wanted` requests."""
    created = (
        Return.objects.filter(store=store)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[wanted - 1 : wanted]
    )
    oldest = next(iter(created), None)
    today = local_day(timezone.now(), store.timezone)
    start = local_day(oldest, store.timezone) if oldest else today
    return {"from": start.isoformat(), "to": today.isoformat()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", default="h150k")
    parser.add_argument("--requests", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    store = Store.objects.get(slug=args.store)
    version = policy_version_current(store=store)
    in_force_doc = version.document if version else default_policy_document()
    draft = draft_document(in_force_doc)
    print(f"store {store.slug}: draft window {draft['base']['window_days']} days")
    print(
        "| requests | floor: count (s) | read facts (s) | decide twice (s) | "
        "whole replay best / worst (s) | changed |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    now = timezone.now()
    for wanted in args.requests:
        params = period_for(store, wanted)
        scope = scope_from_params(store=store, params=params, now=now)
        start, end = scope.bounds
        t = time.perf_counter()
        count = Return.objects.filter(
            store=store, created_at__gte=start, created_at__lt=end
        ).count()
        floor = time.perf_counter() - t
        t = time.perf_counter()
        cases = replay_cases(scope, in_force_version_id=version.pk if version else None)
        read = time.perf_counter() - t
        old = compiled_policy(version) if version else parse_policy(in_force_doc)
        new = parse_policy(draft)
        t = time.perf_counter()
        simulate(old, new, cases)
        decided = time.perf_counter() - t
        del cases
        wholes = []
        changed = 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            report = policy_simulate(store=store, document=draft, params=params, now=now)
            wholes.append(time.perf_counter() - t)
            changed = report.simulation.changed
        print(
            f"| {count:,} | {floor:.3f} | {read:.2f} | {decided:.2f} | "
            f"{min(wholes):.2f} / {max(wholes):.2f} | {changed:,} |"
        )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
