"""Allocation decisions per second, in-process (issue 4 target: at least 10,000/s).

    .venv/bin/python bench/allocation.py [--seconds S] [--repeats R]

Five carriers and five rules (one per strategy plus a catch-all) as a store would have them,
compiled once; a pool of 1,000 varied parcels (countries, postal codes, weights, sizes, values,
methods) cycled through `allocate()` with today's pickup counts. Prints one row per run and the
median. Pure CPU: no database, no I/O.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: import `retorno` from the repo root

from retorno.domain.logistics import (  # noqa: E402
    AllocationRequest,
    CarrierProfile,
    CarrierStats,
    PostalRange,
    Rate,
    ReturnMethod,
    ServiceArea,
    allocate,
    parse_allocation_rules,
)

ALL = frozenset({"pickup", "label", "drop_off", "tracking_webhook", "tracking_poll"})


def carriers() -> list[CarrierProfile]:
    def rates(base: str, per_kg: str) -> dict[str, Rate]:
        return {
            currency: Rate(currency, Decimal(base), Decimal(per_kg)) for currency in ("EUR", "USD")
        }

    return [
        CarrierProfile(
            code="rapido",
            name="Rápido Express",
            capabilities=ALL,
            service_areas=(ServiceArea("ES"), ServiceArea("PT", postal_prefixes=("1", "4"))),
            max_weight_grams=30_000,
            max_dimensions_cm=(120, 80, 80),
            max_length_plus_girth_cm=300,
            rates=rates("4.20", "0.35"),
            transit_days=2,
            daily_pickup_capacity=500,
            stats=CarrierStats.from_counts(
                first_attempts=900, first_attempt_successes=830, recovered=50
            ),
        ),
        CarrierProfile(
            code="barato",
            name="Barato Post",
            capabilities=frozenset({"label", "drop_off", "tracking_poll"}),
            service_areas=(ServiceArea("ES"), ServiceArea("PT"), ServiceArea("FR")),
            max_weight_grams=20_000,
            max_dimensions_cm=(100, 60, 60),
            rates=rates("2.90", "0.50"),
            transit_days=5,
        ),
        CarrierProfile(
            code="madrid-moto",
            name="Madrid Moto",
            capabilities=frozenset({"pickup", "tracking_webhook"}),
            service_areas=(ServiceArea("ES", postal_ranges=(PostalRange("28000", "28099"),)),),
            max_weight_grams=10_000,
            max_dimensions_cm=(60, 40, 40),
            rates=rates("3.50", "0.80"),
            transit_days=1,
            daily_pickup_capacity=80,
            stats=CarrierStats.from_counts(
                first_attempts=300, first_attempt_successes=291, recovered=6
            ),
        ),
        CarrierProfile(
            code="europa",
            name="Europa Freight",
            capabilities=ALL,
            service_areas=(
                ServiceArea("ES"),
                ServiceArea("PT"),
                ServiceArea("FR"),
                ServiceArea("DE", postal_ranges=(PostalRange("10000", "19999"),)),
            ),
            max_weight_grams=70_000,
            max_dimensions_cm=(175, 100, 100),
            max_length_plus_girth_cm=400,
            rates=rates("7.90", "0.20"),
            transit_days=4,
            daily_pickup_capacity=1_000,
            stats=CarrierStats.from_counts(
                first_attempts=2_000, first_attempt_successes=1_700, recovered=200
            ),
        ),
        CarrierProfile(
            code="old-post",
            name="Old Post",
            enabled=False,
            capabilities=ALL,
            service_areas=(ServiceArea("ES"),),
            max_weight_grams=30_000,
            max_dimensions_cm=(100, 100, 100),
            rates=rates("1.00", "0.10"),
            transit_days=7,
        ),
    ]


RULES_DOCUMENT = {
    "schema": 1,
    "rules": [
        {
            "id": "gold-fastest",
            "when": {"tier_in": ["gold"], "method_in": ["pickup"]},
            "strategy": "fastest",
        },
        {
            "id": "madrid-moto-first",
            "when": {"country_in": ["ES"], "postal_prefix_in": ["280"], "weight_lte": 5000},
            "strategy": "fixed_preference",
            "preference": ["madrid-moto", "rapido"],
        },
        {
            "id": "valuable-reliable",
            "when": {"value_gte": "300.00"},
            "strategy": "best_pickup_success",
            "carrier_not_in": ["barato"],
        },
        {
            "id": "heavy",
            "when": {"weight_gte": 20000},
            "strategy": "cheapest",
            "carrier_in": ["europa", "rapido"],
        },
        {"id": "everything-else", "when": {}, "strategy": "cheapest"},
    ],
}


def requests(count: int, seed: int = 4) -> list[AllocationRequest]:
    rng = random.Random(seed)
    places = [
        ("ES", "28013"),
        ("ES", "28080"),
        ("ES", "08001"),
        ("ES", "41001"),
        ("PT", "1000-001"),
        ("PT", "4000-123"),
        ("FR", "75001"),
        ("DE", "10115"),
        ("DE", "80331"),
        ("IT", "00118"),
    ]
    pool = []
    for _ in range(count):
        country, postal_code = rng.choice(places)
        pool.append(
            AllocationRequest(
                country=country,
                postal_code=postal_code,
                weight_grams=rng.randint(100, 40_000),
                dimensions_cm=(rng.randint(10, 130), rng.randint(5, 70), rng.randint(2, 60)),
                declared_value=Decimal(rng.randint(500, 80_000)).scaleb(-2),
                currency=rng.choice(("EUR", "EUR", "EUR", "USD")),
                category=rng.choice(("shirts", "shoes", "electronics")),
                customer_tier=rng.choice(("", "", "silver", "gold")),
                method=rng.choice(list(ReturnMethod)),
            )
        )
    return pool


def run(seconds: float) -> tuple[int, float]:
    fleet = carriers()
    rules = parse_allocation_rules(RULES_DOCUMENT, known_carrier_codes=[c.code for c in fleet])
    pool = requests(1_000)
    capacity = {"rapido": 120, "madrid-moto": 80, "europa": 10}
    decisions = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for request in pool:
            allocate(fleet, rules, request, capacity_used_today=capacity)
        decisions += len(pool)
    return decisions, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    # Sanity check before timing: the pool exercises every outcome, not only one fast path.
    fleet = carriers()
    rules = parse_allocation_rules(RULES_DOCUMENT)
    pool = requests(1_000)
    results = [allocate(fleet, rules, r, capacity_used_today={"madrid-moto": 80}) for r in pool]
    matched = {result.rule_id for result in results}
    empty = sum(1 for result in results if not result.has_carrier)
    print(f"pool: {len(pool)} parcels, rules matched: {sorted(matched)}, none kept: {empty}")

    print(f"{'run':>4} {'decisions':>10} {'seconds':>8} {'decisions/s':>12} {'µs/decision':>12}")
    rates = []
    for index in range(1, args.repeats + 1):
        decisions, elapsed = run(args.seconds)
        rate = decisions / elapsed
        rates.append(rate)
        print(f"{index:>4} {decisions:>10} {elapsed:>8.2f} {rate:>12,.0f} {1e6 / rate:>12.1f}")
    median = statistics.median(rates)
    verdict = "meets" if median >= 10_000 else "MISSES"
    print(f"median: {median:,.0f} decisions/s ({verdict} the 10,000/s target)")


if __name__ == "__main__":
    main()
