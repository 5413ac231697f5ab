"""Staff lists at scale (named staff_lists, not queue: a bench/queue.py would shadow the standard
library's queue module for every import made from this folder): the returns queue (plain,
filtered, searched), the dashboard and the API's return list at deep cursors, against stores of
growing history, each page next to a floor measured in the same run.

For each size N it makes (once) a PostgreSQL database with a store of N returns of generated
history (`retorno demo --returns N`, retorno/demo/history.py), starts the production server
(`retorno serve`, gunicorn) on 127.0.0.1, signs C staff clients in, and lets them hit each page
for S seconds. The floor is `/health` (the same stack doing one query). Printed per size: p50,
p95, p99, p99 / floor p99; then each page's p99 at every size against the smallest size.

    .venv/bin/python bench/staff_lists.py [--sizes 10000,100000] [--clients 16] [--seconds 15]
        [--workers 4] [--threads 4] [--load-processes 2] [--markdown]

Targets (issue 16): p99 < 300 ms for the queue and the dashboard, < 150 ms for API pages at any
depth, and each within 1.5x of the same page at the smallest size. Loading a store is the slow
part (about 400 returns/s on a busy 2-core machine); a database that already holds its store is
reused.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlparse

import httpx

os.environ.setdefault("RETORNO_ENV", "development")
os.environ.setdefault("RETORNO_ALLOW_PRIVATE_URLS", "true")

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: import `bench` from the repo root

from bench.server import serving  # noqa: E402

BIN = Path(sys.executable).parent
DATABASE_PREFIX = "postgres://postgres@127.0.0.1:5432/retorno_bench_queue_"
SLUG = "bench"
API_KEY = "rtn_bench_queue_key_for_loopback_only"
PASSWORD = "retorno-demo"
TARGETS = {"queue": 300.0, "dashboard": 300.0, "api": 150.0}


def database(url: str) -> bool:
    """Create the database unless it exists; whether it existed."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            return True
        conn.execute(f'create database "{name}"')
        return False


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "retorno"), *args], env=env, check=True, cwd=ROOT)


def stored_returns(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select count(*) from returns_return r join stores_store s on s.id = r.store_id "
            "where s.slug = %s",
            (SLUG,),
        ).fetchone()
    return int(row[0])


def prepare(size: int, url: str, env: dict[str, str], processes: int) -> float | None:
    """The store of `size` returns in its own database; the seconds its load took (None when
    the database already held it)."""
    existed = database(url)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    if existed and stored_returns(url) == size:
        return None
    started = time.perf_counter()
    manage(
        env,
        "demo",
        "--returns",
        str(size),
        "--store",
        SLUG,
        "--seed",
        "42",
        "--processes",
        str(processes),
        "--api-key",
        API_KEY,
    )
    seconds = time.perf_counter() - started
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("vacuum analyze")
    return seconds


def samples(url: str) -> dict[str, list[str]]:
    """What the clients ask for: RMAs, order numbers, name and e-mail fragments and tracking
    numbers to search, and API cursors spread over the whole history."""
    import psycopg

    rng = random.Random(7)
    with psycopg.connect(url) as conn:
        store = conn.execute("select id from stores_store where slug = %s", (SLUG,)).fetchone()[0]
        total = conn.execute(
            "select count(*) from returns_return where store_id = %s", (store,)
        ).fetchone()[0]
        picks = sorted(rng.sample(range(total), min(40, total)))
        rows = [
            conn.execute(
                "select r.rma, o.number, s.tracking_number from returns_return r "
                "join orders_order o on o.id = r.order_id "
                "left join logistics_shipment s on s.return_id = r.id "
                "where r.store_id = %s order by r.id offset %s limit 1",
                (store, k),
            ).fetchone()
            for k in picks[:15]
        ]
        cursors = []
        for k in picks:
            at, row_id = conn.execute(
                "select updated_at, id from returns_return where store_id = %s "
                "order by updated_at, id offset %s limit 1",
                (store, k),
            ).fetchone()
            # The API's cursor: its last row's (updated_at, id), as retorno.core.keyset writes it.
            raw = json.dumps([at.isoformat(), row_id]).encode()
            cursors.append(base64.urlsafe_b64encode(raw).decode().rstrip("="))
        # Newest-first cursors (created_at, id) spread over each list's history.
        newest_first = {}
        for name, table in NEWEST_FIRST_LISTS.items():
            count = conn.execute(
                f"select count(*) from {table} where store_id = %s",
                (store,),
            ).fetchone()[0]
            newest_first[name] = []
            for k in sorted(rng.sample(range(count), min(20, count))):
                at, row_id = conn.execute(
                    f"select created_at, id from {table} where store_id = %s "
                    "order by created_at desc, id desc offset %s limit 1",
                    (store, k),
                ).fetchone()
                raw = json.dumps([at.isoformat(), row_id]).encode()
                newest_first[name].append(base64.urlsafe_b64encode(raw).decode().rstrip("="))
    searches = [r[0] for r in rows] + [r[1] for r in rows] + [r[2] for r in rows if r[2]]
    searches += ["garcia", "martinez", "lucia.", "example.com", "H00012"]
    return {"search": searches, "cursor": cursors, **newest_first}


# The lists read newest first by keyset cursor: API path -> table.
NEWEST_FIRST_LISTS = {
    "refunds": "resolutions_refund",
    "claims": "resolutions_claim",
    "customers": "orders_customer",
    "shipments": "logistics_shipment",
}


def staff_session(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, headers={"Accept-Language": "en"})
    page = client.get("/staff/login")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the sign-in page"
    signed = client.post(
        "/staff/login",
        data={"csrfmiddlewaretoken": token.group(1), "username": "admin", "password": PASSWORD},
        headers={"Referer": f"{base}/staff/login"},
    )
    assert signed.status_code == 302, f"sign-in failed: {signed.status_code}"
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
            try:
                ok = client.get(path).status_code == 200
            except httpx.HTTPError:
                ok = False
            mine.append((time.perf_counter() - started) * 1000)
            bad += not ok
        with lock:
            timings.extend(mine)
            errors += bad

    threads = [threading.Thread(target=run, args=(c, n * 7)) for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings, errors


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if values else 0.0


def pages(found: dict[str, list[str]]) -> list[tuple[str, str, list[str]]]:
    """(name, kind, paths): kind picks the target."""
    filters = [
        "status=approved",
        "status=open",
        "method=pickup",
        "tier=gold",
        "reason=defective",
        "resolution=exchange&age=31%2B",
        "needs_review=on",
        "status=closed",
    ]
    return [
        ("floor: /health", "floor", ["/health"]),
        ("staff queue", "queue", ["/staff/returns"]),
        ("queue filtered", "queue", [f"/staff/returns?{f}" for f in filters]),
        ("queue searched", "queue", [f"/staff/returns?q={quote(q)}" for q in found["search"]]),
        ("dashboard", "dashboard", ["/staff/"]),
        (
            "API list, deep cursors",
            "api",
            [f"/api/v1/returns?limit=50&cursor={c}" for c in found["cursor"]],
        ),
        *(
            (
                f"API {name}, deep cursors",
                "api",
                [f"/api/v1/{name}?limit=50"]
                + [f"/api/v1/{name}?limit=50&cursor={c}" for c in found[name]],
            )
            for name in NEWEST_FIRST_LISTS
        ),
        (
            "refunds and claims pages, deep cursors",
            "queue",
            [f"/staff/finance/refunds?after={c}" for c in found["refunds"]]
            + [f"/staff/finance/claims?after={c}" for c in found["claims"]]
            + ["/staff/finance/refunds", "/staff/finance/claims"],
        ),
    ]


def measure(size: int, args: argparse.Namespace) -> dict:
    url = f"{args.database_prefix}{size}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "RETORNO_VAR_DIR": str(ROOT / "var" / "bench"),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    loaded = prepare(size, url, env, args.load_processes)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"})
    found = samples(url)
    rows = []
    with serving(env, port=args.port, workers=args.workers, threads=args.threads) as (port, _):
        base = f"http://127.0.0.1:{port}"
        staff = [staff_session(base) for _ in range(args.clients)]
        api = [
            httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {API_KEY}"})
            for _ in range(args.clients)
        ]
        wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
        for name, kind, paths in pages(found):
            if wanted and kind != "floor" and not any(w in name for w in wanted):
                continue
            clients = api if kind == "api" else staff
            load(clients, paths, min(3.0, args.seconds))  # warm up
            timings, errors = load(clients, paths, args.seconds)
            rows.append({"name": name, "kind": kind, "timings": timings, "errors": errors})
        for client in staff + api:
            client.close()
    floor = percentile(rows[0]["timings"], 99)
    result = {"size": size, "loaded_seconds": loaded, "pages": {}}
    for row in rows:
        t = row["timings"]
        result["pages"][row["name"]] = {
            "kind": row["kind"],
            "requests": len(t),
            "rps": len(t) / args.seconds,
            "p50": percentile(t, 50),
            "p95": percentile(t, 95),
            "p99": percentile(t, 99),
            "p99_floor": percentile(t, 99) / floor if floor else 0.0,
            "errors": row["errors"],
        }
    return result


def report(results: list[dict], args: argparse.Namespace) -> str:
    lines = []
    for result in results:
        loaded = result["loaded_seconds"]
        how = f"loaded in {loaded:.0f} s" if loaded is not None else "reused"
        lines.append(f"\n{result['size']:,} returns ({how})\n")
        lines.append(
            "| page | requests | req/s | p50 ms | p95 ms | p99 ms | p99 ÷ floor p99 | errors |"
        )
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for name, m in result["pages"].items():
            lines.append(
                f"| {name} | {m['requests']} | {m['rps']:.0f} | {m['p50']:.1f} | "
                f"{m['p95']:.1f} | {m['p99']:.1f} | {m['p99_floor']:.2f} | {m['errors']} |"
            )
    base = results[0]
    lines.append(f"\np99 against {base['size']:,} returns, and the targets\n")
    head = " | ".join(f"{r['size']:,}" for r in results[1:])
    lines.append(f"| page | {head} | target |")
    lines.append("| --- | " + " | ".join("---" for _ in results[1:]) + " | --- |")
    for name, m in base["pages"].items():
        if m["kind"] == "floor":
            continue
        cells = []
        met = True
        for r in [base, *results[1:]]:
            p99 = r["pages"][name]["p99"]
            met = met and p99 < TARGETS[m["kind"]]
        for r in results[1:]:
            ratio = r["pages"][name]["p99"] / m["p99"] if m["p99"] else 0.0
            met = met and ratio <= 1.5
            cells.append(f"{r['pages'][name]['p99']:.0f} ms ({ratio:.2f}×)")
        target = f"p99 < {TARGETS[m['kind']]:.0f} ms, ≤ 1.5×: {'met' if met else 'missed'}"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {target} |")
    lines.append(
        f"\n{args.clients} clients, {args.seconds:g} s per page, `retorno serve` "
        f"{args.workers} workers × {args.threads} threads, PostgreSQL, 127.0.0.1; load average "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Staff lists at scale.")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--database-prefix", default=DATABASE_PREFIX)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--load-processes", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument(
        "--pages", default="", help="only the pages whose name holds one of these (comma list)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not sizes or min(sizes) < 100 or max(sizes) > 5_000_000:
        raise SystemExit("sizes between 100 and 5,000,000 returns")
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 300:
        raise SystemExit("keep it bounded: 1-64 clients, 1-300 seconds")
    if not args.database_prefix.startswith("postgres"):
        raise SystemExit("the benchmark runs on PostgreSQL")
    results = []
    for size in sorted(sizes):
        print(f"measuring {size:,} returns ...", flush=True)
        results.append(measure(size, args))
    print(report(results, args))


if __name__ == "__main__":
    main()
