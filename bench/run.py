"""Retorno benchmark: policy engine in-process, then the API under concurrent load, as ratios
against a floor (a bare endpoint of the same stack doing the equivalent database work) measured
in the same run.

    .venv/bin/python bench/run.py [--engine sqlite|postgres|both] [--orders N] [--seconds S]
                                  [--concurrency C] [--workers W] [--markdown FILE]

Per engine: a fresh database (SQLite file in a temp dir, or PostgreSQL database `retorno_bench`
at 127.0.0.1:5432), migrated; a store with a known API key; N orders of 3 lines each, delivered
recently with large quantities; then the production server (`retorno serve`, gunicorn) on a
free port of 127.0.0.1 with `bench.settings`, driven by a load generator in another process
(threads, http.client). All traffic goes to 127.0.0.1. Everything is bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

# The servers measured here get development stand-ins for the secrets production requires,
# and their carriers are local (the simulator, or nothing listening at all).
os.environ.setdefault("RETORNO_ENV", "development")
os.environ.setdefault("RETORNO_ALLOW_PRIVATE_URLS", "true")

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: import `bench` and `retorno` from the repo root

from bench import server as bench_server  # noqa: E402
from bench.server import free_port, stop, wait_ready  # noqa: E402

PYTHON = sys.executable
API_KEY = "rtn_bench_0123456789abcdefghijklmnopqrstuv"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# A shared PostgreSQL server: RETORNO_BENCH_DB names a database of the runner's own.
PG_DB = os.environ.get("RETORNO_BENCH_DB", "retorno_bench")
LINES_PER_ORDER = 3
# Enough for every run within the limits (returns pick lines at random, so a line is hit a few
# times at most) and still a realistic quantity: the create-return cost grows with a line's
# quantity (retorno.domain.returns.amounts.units_paid_amount allocates one share per unit).
LINE_QUANTITY = 24
TIERS = ("", "", "silver", "gold")
# The returns `return_get` reads: filled by `load_rmas` from the API before a run.
RMAS: list[str] = []
CATEGORIES = ("apparel", "shoes", "home", "electronics")

TARGETS = {
    "policy": 20_000,  # line decisions per second, at least
    "create_throughput": 0.60,  # create-return req/s / floor-write req/s, at least
    "create_p99": 1.5,  # create-return p99 / floor-write p99, at most
    "eligibility_throughput": 0.70,  # eligibility req/s / floor-read req/s, at least
}

# (label, kind): the order is floor then endpoint, so each pair is measured back to back.
ENDPOINTS = (
    ("floor read", "floor_read"),
    ("eligibility", "eligibility"),
    ("floor write", "floor_write"),
    ("create return", "create"),
)


# --- 1. policy engine, in-process -----------------------------------------------------------------


def bench_policy(orders: int, min_seconds: float = 2.0) -> dict:
    from retorno.domain.policies import (
        CustomerFacts,
        LineFacts,
        OrderFacts,
        decide,
        default_policy_document,
        parse_policy,
    )

    policy = parse_policy(default_policy_document())
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    rng = random.Random(7)
    facts = []
    for i in range(orders):
        delivered = now - timedelta(days=rng.randint(1, 90), hours=rng.randint(0, 23))
        lines = tuple(
            LineFacts(
                line_id=f"{i}-{j}",
                sku=f"SKU-{rng.randint(1, 500)}",
                title="Item",
                category=rng.choice((*CATEGORIES, "gift-cards")),
                tags=frozenset({"sale"} if rng.random() < 0.2 else ()),
                quantity=rng.randint(1, 4),
                unit_price=Decimal(rng.randint(500, 25_000)) / 100,
                final_sale=rng.random() < 0.05,
                already_returned_quantity=0,
            )
            for j in range(LINES_PER_ORDER)
        )
        order = OrderFacts(
            order_id=str(i),
            currency="EUR",
            placed_at=delivered - timedelta(days=3),
            delivered_at=delivered,
            country="ES",
            lines=lines,
        )
        facts.append((order, CustomerFacts(tier=rng.choice(TIERS))))
    decided = 0
    rounds = 0
    started = time.perf_counter()
    while True:
        for order, customer in facts:
            decided += len(decide(policy, order, customer, None, now).lines)
        rounds += 1
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds:
            break
    return {
        "orders": orders,
        "rounds": rounds,
        "line_decisions": decided,
        "seconds": elapsed,
        "per_second": decided / elapsed,
    }


# --- 2a. database preparation (a child process with the engine's settings) ---------------------


def prepare(orders: int, out: Path) -> None:
    """Migrate, create the store, load the orders, count queries per request; write JSON."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from retorno.demo.stores import store_create
    from retorno.orders.services import order_upsert

    started = time.perf_counter()
    call_command("migrate", run_syncdb=True, verbosity=0)
    call_command("createcachetable", verbosity=0)
    migrated = time.perf_counter() - started
    store, _, _ = store_create(slug="bench", name="Bench store", api_key=API_KEY)
    rng = random.Random(11)
    now = datetime.now(UTC)
    started = time.perf_counter()
    for i in range(orders):
        delivered = now - timedelta(days=rng.randint(1, 20))
        order_upsert(
            store=store,
            data={
                "external_id": f"B{i}",
                "number": f"#B{i}",
                "placed_at": delivered - timedelta(days=3),
                "delivered_at": delivered,
                "currency": "EUR",
                "customer": {
                    "external_id": f"c-{i % 500}",
                    "email": f"shopper{i % 500}@example.com",
                    "name": f"Shopper {i % 500}",
                    "tier": TIERS[i % len(TIERS)],
                },
                "shipping_address": {
                    "line1": "Calle Mayor 1",
                    "city": "Madrid",
                    "postal_code": "28013",
                    "country": "ES",
                },
                "lines": [
                    {
                        "external_id": f"B{i}-{j}",
                        "sku": f"SKU-{(i * 7 + j) % 300}",
                        "title": f"Item {j}",
                        "category": CATEGORIES[(i + j) % len(CATEGORIES)],
                        "quantity": LINE_QUANTITY,
                        "unit_price": Decimal("19.90"),
                        "discount": Decimal("0.00"),
                        "tax": Decimal("3.45"),
                        "final_sale": False,
                        "tags": [],
                    }
                    for j in range(1, LINES_PER_ORDER + 1)
                ],
            },
        )
    loaded = time.perf_counter() - started

    # One request of each kind through the whole stack, counting the queries it runs. Each kind
    # is sent once before, unmeasured, so the count is a warm worker's (the first request of a
    # process also loads the policy document it then keeps compiled).
    client = Client(HTTP_AUTHORIZATION=f"Bearer {API_KEY}")
    counts: dict[str, int] = {}
    statements: dict[str, list[str]] = {}
    rng = random.Random(1)

    def send(kind: str):
        method, path, body = request_for(kind, orders, rng)
        if method == "GET":
            return client.get(path)
        return client.post(path, body, content_type="application/json")

    for kind in ("floor_read", "eligibility", "floor_write", "create"):
        send(kind)
        with CaptureQueriesContext(connection) as queries:
            response = send(kind)
        if response.status_code >= 400:
            raise SystemExit(f"{kind}: {response.status_code} {response.content[:300]!r}")
        counts[kind] = len(queries)
        statements[kind] = [q["sql"][:160] for q in queries.captured_queries]
    out.write_text(
        json.dumps(
            {
                "migrate_seconds": migrated,
                "load_seconds": loaded,
                "orders": orders,
                "queries": counts,
                "statements": statements,
            }
        )
    )


def request_for(kind: str, orders: int, rng: random.Random) -> tuple[str, str, bytes | None]:
    order = f"B{rng.randrange(orders)}"
    if kind == "floor_read":
        return "GET", f"/bench/floor/orders/{order}", None
    if kind == "eligibility":
        return "GET", f"/api/v1/orders/{order}/eligibility", None
    if kind == "order_get":
        return "GET", f"/api/v1/orders/{order}", None
    if kind == "return_get":
        return "GET", f"/api/v1/returns/{rng.choice(RMAS)}", None
    line = f"{order}-{rng.randint(1, LINES_PER_ORDER)}"
    body = json.dumps(
        {
            "order": order,
            "items": [{"line": line, "quantity": 1, "reason": "too_small", "comment": ""}],
            "resolution": "refund",
            "method": "drop_off",
        }
    ).encode()
    if kind == "floor_write":
        return "POST", "/bench/floor/returns", body
    return "POST", "/api/v1/returns", body


# --- 2b. load generator (a child process) --------------------------------------------------------


def load(port: int, kind: str, orders: int, seconds: float, concurrency: int, warmup: float):
    """Drive one endpoint with `concurrency` keep-alive clients; print a JSON result."""
    import http.client

    begin = time.perf_counter()
    measure_from = begin + warmup
    stop_at = measure_from + seconds
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    headers_base = {"Authorization": f"Bearer {API_KEY}", "Host": "127.0.0.1"}
    if kind == "return_get" and not RMAS:
        # Given by the caller when it measures the server's CPU: the list read is not counted.
        given = os.environ.get("RETORNO_BENCH_RMAS", "")
        RMAS[:] = given.split(",") if given else []
        if not RMAS:
            load_rmas(port)

    def worker(n: int) -> None:
        rng = random.Random(1000 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = latencies[n]
        while True:
            start = time.perf_counter()
            if start >= stop_at:
                break
            method, path, body = request_for(kind, orders, rng)
            headers = dict(headers_base)
            if body is not None:
                headers["Content-Type"] = "application/json"
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            end = time.perf_counter()
            if start >= measure_from and end <= stop_at:
                if 200 <= status < 300:
                    mine.append(end - start)
                else:
                    errors[n] += 1
                    with lock:
                        statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + warmup + 60)
    all_latencies = sorted(x for per in latencies for x in per)
    count = len(all_latencies)

    def pct(p: float) -> float:
        if not count:
            return float("nan")
        return all_latencies[min(count - 1, int(p * count))] * 1000

    print(
        json.dumps(
            {
                "kind": kind,
                "requests": count,
                "errors": sum(errors),
                "statuses": statuses,
                "seconds": seconds,
                "rps": count / seconds,
                "p50_ms": pct(0.50),
                "p99_ms": pct(0.99),
                "latencies_ms": [round(x * 1000, 3) for x in all_latencies],
            }
        )
    )


def load_rmas(port: int, limit: int = 200) -> list[str]:
    """The RMAs of returns created earlier in the run (the create rounds), for `return_get`."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/returns?limit={limit}",
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        RMAS[:] = [r["rma"] for r in json.loads(response.read())["results"]]
    if not RMAS:
        raise SystemExit("return_get needs returns: run the create rounds first")
    return RMAS


# --- 2c. orchestration ----------------------------------------------------------------------------


def engine_env(engine: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "RETORNO_VAR_DIR": str(var_dir),
            "DEBUG": "false",
        }
    )
    env.pop("CELERY_BROKER_URL", None)
    if engine == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    else:
        env["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
    return env


def prepare_quietly(env: dict[str, str], orders: int, var_dir: Path) -> None:
    """`_prepare` in a child process with `env` (the engine's), its output dropped."""
    subprocess.run(
        [
            PYTHON,
            str(Path(__file__).resolve()),
            "_prepare",
            str(orders),
            str(var_dir / "prepared.json"),
        ],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=600,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def pg_recreate() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")


def bench_engine(engine: str, args: argparse.Namespace, log) -> dict:
    var_dir = Path(tempfile.mkdtemp(prefix=f"retorno-bench-{engine}-"))
    env = engine_env(engine, var_dir)
    if engine == "postgres":
        pg_recreate()
    log(f"[{engine}] preparing database ({args.orders} orders) in {var_dir}")
    prepared = var_dir / "prepared.json"
    with open(var_dir / "prepare.log", "w") as out:
        subprocess.run(
            [PYTHON, str(Path(__file__).resolve()), "_prepare", str(args.orders), str(prepared)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=600,
        )
    info = json.loads(prepared.read_text())
    log(
        f"[{engine}] migrated in {info['migrate_seconds']:.1f}s, loaded in "
        f"{info['load_seconds']:.1f}s; queries/request {info['queries']}"
    )
    port = free_port()
    server_log = open(var_dir / "server.log", "w")  # noqa: SIM115 - closed below
    server = bench_server.start(env, port, workers=args.workers, output=server_log)
    results = {}
    try:
        wait_ready(port, server)
        log(f"[{engine}] server up on 127.0.0.1:{port} with {args.workers} workers")
        # Unmeasured: lets every worker import the URLconf and open its connection.
        run_load(port, "floor_read", args.orders, 2.0, args.concurrency, 1.0)
        # Floor and endpoint alternate in short rounds, so a burst of noise from other processes
        # on this shared machine falls on both rather than on one of them.
        per_round = args.seconds / args.rounds
        samples: dict[str, list[dict]] = {kind: [] for _, kind in ENDPOINTS}
        for _ in range(args.rounds):
            for _, kind in ENDPOINTS:
                samples[kind].append(
                    run_load(port, kind, args.orders, per_round, args.concurrency, args.warmup)
                )
        for label, kind in ENDPOINTS:
            result = merge(samples[kind])
            result["label"] = label
            result["queries"] = info["queries"][kind]
            results[kind] = result
            log(
                f"[{engine}] {label:13s} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.2f} ms"
                f"  p99 {result['p99_ms']:7.2f} ms  errors {result['errors']}"
            )
    finally:
        stop(server)
        server_log.close()
    return {"engine": engine, "prepare": info, "results": results, "var_dir": str(var_dir)}


def run_load(
    port: int, kind: str, orders: int, seconds: float, concurrency: int, warmup: float
) -> dict:
    """One load-generator process against one endpoint; its JSON result."""
    run = subprocess.run(
        [
            PYTHON,
            str(Path(__file__).resolve()),
            "_load",
            str(port),
            kind,
            str(orders),
            str(seconds),
            str(concurrency),
            str(warmup),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + warmup + 120,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


def merge(rounds: list[dict]) -> dict:
    """Rounds of one endpoint as one measurement: all requests over all measured seconds."""
    latencies = sorted(x for r in rounds for x in r["latencies_ms"])
    seconds = sum(r["seconds"] for r in rounds)
    statuses: dict[str, int] = {}
    for r in rounds:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0.0

    return {
        "requests": len(latencies),
        "errors": sum(r["errors"] for r in rounds),
        "statuses": statuses,
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "rounds_rps": [round(r["rps"], 1) for r in rounds],
    }


def ratios(results: dict) -> dict:
    r = results
    return {
        "create_throughput": r["create"]["rps"] / r["floor_write"]["rps"],
        "create_p99": r["create"]["p99_ms"] / r["floor_write"]["p99_ms"],
        "eligibility_throughput": r["eligibility"]["rps"] / r["floor_read"]["rps"],
        "eligibility_p99": r["eligibility"]["p99_ms"] / r["floor_read"]["p99_ms"],
    }


def verdict(name: str, value: float) -> str:
    target = TARGETS.get(name)
    if target is None:
        return "(info)"
    met = value <= target if name == "create_p99" else value >= target
    sign = "≤" if name == "create_p99" else "≥"
    return f"{'met' if met else 'MISSED'} (target {sign} {target:g})"


def render(policy: dict, engines: list[dict], args: argparse.Namespace) -> tuple[str, str]:
    """The plain table and the same figures as markdown."""
    text = []
    md = []
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = (
        f"nproc {os.cpu_count()}, memory {_memory_gib():.1f} GiB, load average {load} at the end"
    )
    md.append(f"### Run of {stamp}\n")
    md.append(
        f"`{_command(args)}` — {machine}; {args.workers} gunicorn workers, concurrency "
        f"{args.concurrency}, {args.seconds:g} s per endpoint in {args.rounds} alternating rounds "
        f"(each after {args.warmup:g} s unmeasured), "
        f"{args.orders} orders × {LINES_PER_ORDER} lines.\n"
    )
    pol = f"{policy['per_second']:,.0f} line decisions/s"
    text.append(f"Machine: {machine}")
    text.append(f"Policy engine: {pol} ({policy['line_decisions']:,} in {policy['seconds']:.2f}s)")
    text.append(f"  {verdict('policy', policy['per_second'])}")
    md.append(
        f"Policy engine, in-process: **{pol}** — {verdict('policy', policy['per_second'])}.\n"
    )
    header = ("engine", "endpoint", "req/s", "p50 ms", "p99 ms", "errors", "queries/req")
    rows = []
    for e in engines:
        for _, kind in ENDPOINTS:
            r = e["results"][kind]
            rows.append(
                (
                    e["engine"],
                    r["label"],
                    f"{r['rps']:.1f}",
                    f"{r['p50_ms']:.2f}",
                    f"{r['p99_ms']:.2f}",
                    str(r["errors"]),
                    str(r["queries"]),
                )
            )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    text.append("")
    text.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    text.append("  ".join("-" * w for w in widths))
    for row in rows:
        text.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    md.append("| " + " | ".join(header) + " |")
    md.append("|" + "|".join(" --- " for _ in header) + "|")
    for row in rows:
        md.append("| " + " | ".join(row) + " |")
    md.append("")
    labels = {
        "create_throughput": "create-return req/s ÷ floor-write req/s",
        "create_p99": "create-return p99 ÷ floor-write p99",
        "eligibility_throughput": "eligibility req/s ÷ floor-read req/s",
        "eligibility_p99": "eligibility p99 ÷ floor-read p99",
    }
    text.append("")
    md.append("| engine | ratio | value | verdict |")
    md.append("| --- | --- | --- | --- |")
    for e in engines:
        for name, value in ratios(e["results"]).items():
            text.append(f"{e['engine']:9s} {labels[name]:42s} {value:5.2f}  {verdict(name, value)}")
            md.append(f"| {e['engine']} | {labels[name]} | {value:.2f} | {verdict(name, value)} |")
    md.append("")
    return "\n".join(text), "\n".join(md)


def _memory_gib() -> float:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def _command(args: argparse.Namespace) -> str:
    return (
        f".venv/bin/python bench/run.py --engine {args.engine} --orders {args.orders} "
        f"--seconds {args.seconds:g} --concurrency {args.concurrency} --workers {args.workers} "
        f"--rounds {args.rounds}"
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_prepare":
        prepare(int(argv[1]), Path(argv[2]))
        return
    if argv and argv[0] == "_load":
        port, kind, orders, seconds, concurrency, warmup = argv[1:7]
        load(int(port), kind, int(orders), float(seconds), int(concurrency), float(warmup))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--orders", type=int, default=2000, help="orders to load (3 lines each)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds/endpoint")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per endpoint")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds per round")
    parser.add_argument("--concurrency", type=int, default=8, help="client connections")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--policy-orders", type=int, default=2000)
    parser.add_argument("--markdown", type=Path, help="append the figures as markdown here")
    parser.add_argument("--print-markdown", action="store_true")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args(argv)
    if not (1 <= args.orders <= 200_000 and 1 <= args.concurrency <= 256):
        parser.error("--orders must be 1..200000 and --concurrency 1..256")
    if not (0.5 <= args.seconds <= 300 and 1 <= args.workers <= 32 and 1 <= args.rounds <= 10):
        parser.error("--seconds must be 0.5..300, --workers 1..32 and --rounds 1..10")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.monotonic()
    log(f"policy engine: {args.policy_orders} orders × {LINES_PER_ORDER} lines")
    policy = bench_policy(args.policy_orders)
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    results = [bench_engine(engine, args, log) for engine in engines]
    text, md = render(policy, results, args)
    print(text)
    log(f"total {time.monotonic() - started:.0f}s")
    if args.print_markdown:
        print()
        print(md)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n" + md)
    if args.json:
        args.json.write_text(json.dumps({"policy": policy, "engines": results}, indent=1))


if __name__ == "__main__":
    main()
