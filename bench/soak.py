"""Soak: mixed traffic for N minutes against the production server, then the books checked.

Starts `retorno serve` (gunicorn, several processes) on 127.0.0.1 over a PostgreSQL database of
its own, and optionally `retorno worker` processes on a Celery broker (--broker, e.g. Redis);
without one the jobs run in the web processes' delivery threads. Clients then mix, for the
whole run:

- api_create: an order sent (`POST /api/v1/orders`) and a return opened on it
  (`POST /api/v1/returns`), the confirmation e-mail and the other jobs through the outbox;
- api_read: a return, the returns list, the customers and shipments lists, an order;
- portal: the store's home page and the tracking page of a return made in the run;
- staff: the queue, the dashboard and the refunds ledger, signed in.

Every 5 seconds it samples the outbox (pending messages, age of the oldest) and the resident
memory of every server and worker process. Half-way through one web worker is killed (SIGKILL;
gunicorn starts another): requests in flight on it may fail, and are counted apart. After the
load stops it waits (at most 2 minutes) for the outbox to drain, then checks that every return
answered 201 exists exactly once, and that no return got the same kind of message twice.

Printed: p50/p95/p99 and errors per kind, memory growth per process (from the first sample
after warm-up to the last), outbox lag (max pending, max age), drain time, and the checks.
Exit status 1 when a check fails or an error is not explained by the killed worker.

    .venv/bin/python bench/soak.py --short                 # 1 minute, 4 clients
    .venv/bin/python bench/soak.py --minutes 10 --clients 12 --workers 3
        [--database-url postgres://postgres@127.0.0.1:5432/retorno_soak] [--port 8810]
        [--broker redis://127.0.0.1:6379/15 --celery-workers 2]

Loopback only; everything stops by itself (the run, the drain wait, the processes it started).
PostgreSQL itself is not restarted: the server may be shared.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

os.environ.setdefault("RETORNO_ENV", "development")
os.environ.setdefault("RETORNO_ALLOW_PRIVATE_URLS", "true")

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/retorno_soak"
SLUG = "soak"
API_KEY = "rtn_soak_key_for_loopback_only_0123456789"
PASSWORD = "retorno-demo"
KINDS = ("api_create", "api_read", "portal", "staff")


# --- setup -----------------------------------------------------------------------------------


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit("the database name: lower-case letters, digits and _")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(BIN / "retorno"), *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )


def wait_ready(base: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise SystemExit("the server did not start")


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


# --- traffic ---------------------------------------------------------------------------------


class Run:
    """What the clients saw: timings and failures per kind, the returns made, and when the
    injected fault happened (failures around it are counted apart)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.fault_window: tuple[float, float] | None = None
        self.excused: dict[str, int] = defaultdict(int)
        self.created: list[str] = []
        self.killed: int | None = None
        self.tracking: list[str] = []

    def record(self, kind: str, started: float, status: int) -> None:
        ended = time.monotonic()
        with self.lock:
            self.timings[kind].append((ended - started) * 1000)
            if 200 <= status < 400:
                return
            window = self.fault_window
            if window and window[0] <= ended and started <= window[1]:
                self.excused[kind] += 1
            else:
                self.errors[kind] += 1
                self.statuses[kind][status] += 1


def order_payload(n: int, client_id: int) -> dict[str, Any]:
    delivered = datetime.now(UTC) - timedelta(days=2)
    ext = f"SOAK-{client_id}-{n}"
    return {
        "external_id": ext,
        "number": f"#{ext}",
        "placed_at": (delivered - timedelta(days=3)).isoformat(),
        "delivered_at": delivered.isoformat(),
        "currency": "EUR",
        "customer": {
            "external_id": f"soak-c-{client_id}-{n % 50}",
            "email": f"soak{client_id}.{n % 50}@example.com",
            "name": f"Soak Shopper {n % 50}",
        },
        "shipping_address": {
            "line1": "Calle Mayor 1",
            "city": "Madrid",
            "postal_code": "28013",
            "country": "ES",
        },
        "lines": [
            {
                "external_id": f"{ext}-1",
                "sku": f"SOAK-{n % 40}",
                "title": "Soak tee",
                "category": "apparel",
                "quantity": 2,
                "unit_price": "19.90",
                "tax": "3.45",
            }
        ],
    }


def api_create(api: httpx.Client, run: Run, n: int, client_id: int) -> None:
    payload = order_payload(n, client_id)
    started = time.monotonic()
    try:
        order = api.post("/api/v1/orders", json=payload)
        if order.status_code not in (200, 201):
            run.record("api_create", started, order.status_code)
            return
        created = api.post(
            "/api/v1/returns",
            json={
                "order": payload["external_id"],
                "items": [
                    {"line": f"{payload['external_id']}-1", "quantity": 1, "reason": "too_small"}
                ],
                "resolution": "refund",
                "method": "drop_off",
            },
            headers={"Idempotency-Key": f"soak-{client_id}-{n}"},
        )
    except httpx.HTTPError:
        run.record("api_create", started, 0)
        return
    run.record("api_create", started, created.status_code)
    if created.status_code == 201:
        body = created.json()
        with run.lock:
            run.created.append(body["rma"])
            run.tracking.append(urlparse(body.get("tracking_url") or "").path)


def get(client: httpx.Client, run: Run, kind: str, path: str) -> None:
    started = time.monotonic()
    try:
        status = client.get(path).status_code
    except httpx.HTTPError:
        status = 0
    run.record(kind, started, status)


def client_loop(
    base: str, client_id: int, kind: str, run: Run, stop_at: float, rng: random.Random
) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    if kind == "staff":
        client = staff_session(base)
    else:
        client = httpx.Client(base_url=base, timeout=30, headers=headers)
    n = 0
    try:
        while time.monotonic() < stop_at:
            n += 1
            if kind == "api_create":
                api_create(client, run, n, client_id)
                continue
            with run.lock:
                rmas = run.created[-200:]
                tracks = [t for t in run.tracking[-200:] if t]
            if kind == "api_read":
                choice = rng.randrange(5)
                if choice == 0 and rmas:
                    get(client, run, kind, f"/api/v1/returns/{rng.choice(rmas)}")
                elif choice == 1:
                    get(client, run, kind, "/api/v1/returns?limit=50")
                elif choice == 2:
                    get(client, run, kind, "/api/v1/customers?limit=50")
                elif choice == 3:
                    get(client, run, kind, "/api/v1/shipments?limit=50")
                else:
                    get(client, run, kind, "/api/v1/refunds?limit=50")
            elif kind == "portal":
                if rng.random() < 0.5 and tracks:
                    get(client, run, kind, rng.choice(tracks))
                else:
                    get(client, run, kind, f"/s/{SLUG}/")
            else:
                path = rng.choice(["/staff/returns", "/staff/", "/staff/finance/refunds"])
                get(client, run, kind, path)
    finally:
        client.close()


# --- sampling --------------------------------------------------------------------------------


def processes_of(session_ids: list[int]) -> dict[int, str]:
    """pid -> short name of every live process in the given sessions."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if int(fields[3]) in session_ids:
            found[int(pid)] = "worker" if " worker" in cmd else "web"
    return found


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def outbox_lag(url: str) -> tuple[int, float]:
    """Messages due and not delivered yet (pending past their time, or being delivered) and how
    late the latest of them is (s). Messages scheduled for later (reminders, backoffs) wait by
    design and are not lag."""
    import psycopg

    with psycopg.connect(url) as conn:
        pending, late = conn.execute(
            "select count(*), extract(epoch from now() - min(next_attempt_at)) "
            "from core_outboxmessage where (status = 'pending' and next_attempt_at <= now()) "
            "or status = 'processing'"
        ).fetchone()
    return int(pending), float(late or 0.0)


class Sampler(threading.Thread):
    def __init__(self, url: str, sessions: list[int], every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.url, self.sessions, self.every = url, sessions, every
        self.stop_event = threading.Event()
        self.memory: dict[int, list[tuple[float, int]]] = defaultdict(list)
        self.names: dict[int, str] = {}
        self.lag: list[tuple[float, int, float]] = []

    def sample(self) -> None:
        now = time.monotonic()
        for pid, name in processes_of(self.sessions).items():
            kib = rss_kib(pid)
            if kib:
                self.names[pid] = name
                self.memory[pid].append((now, kib))
        with contextlib.suppress(Exception):
            self.lag.append((now, *outbox_lag(self.url)))

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(self.every)


# --- checks ----------------------------------------------------------------------------------


def books(url: str, rmas: list[str]) -> list[str]:
    """What is wrong with the stored rows: returns answered 201 missing or stored twice, a
    return with two messages of one kind, outbox rows stuck or failed."""
    import psycopg

    problems = []
    with psycopg.connect(url) as conn:
        stored = dict(
            conn.execute(
                "select rma, count(*) from returns_return where rma = any(%s) group by rma",
                (rmas,),
            ).fetchall()
        )
        missing = [r for r in rmas if r not in stored]
        doubled = [r for r, n in stored.items() if n != 1]
        if missing:
            problems.append(f"{len(missing)} returns answered 201 are not stored: {missing[:5]}")
        if doubled:
            problems.append(f"{len(doubled)} returns stored more than once: {doubled[:5]}")
        twice = conn.execute(
            "select m.return_id, m.kind, m.channel, count(*) from notifications_message m "
            "join returns_return r on r.id = m.return_id where r.rma = any(%s) "
            "group by 1, 2, 3 having count(*) > 1",
            (rmas,),
        ).fetchall()
        if twice:
            problems.append(f"{len(twice)} returns got one kind of message twice: {twice[:5]}")
        no_message = conn.execute(
            "select count(*) from returns_return r where r.rma = any(%s) and not exists "
            "(select 1 from notifications_message m where m.return_id = r.id)",
            (rmas,),
        ).fetchone()[0]
        if no_message:
            problems.append(f"{no_message} returns have no message to the shopper")
        failed = conn.execute(
            "select kind, count(*) from core_outboxmessage where status = 'failed' group by 1"
        ).fetchall()
        if failed:
            problems.append(f"outbox messages failed: {failed}")
    return problems


# --- report ----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if values else 0.0


def report(run: Run, sampler: Sampler, warm_at: float, drain: float | None, seconds: float) -> str:
    lines = [
        "| traffic | requests | req/s | p50 ms | p95 ms | p99 ms | errors | during the fault |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in KINDS:
        t = run.timings.get(kind, [])
        statuses = dict(run.statuses.get(kind, {}))
        lines.append(
            f"| {kind} | {len(t)} | {len(t) / seconds:.1f} | {percentile(t, 50):.0f} | "
            f"{percentile(t, 95):.0f} | {percentile(t, 99):.0f} | {run.errors.get(kind, 0)}"
            f"{' ' + str(statuses) if statuses else ''} | {run.excused.get(kind, 0)} |"
        )
    lines += ["", "| process | pid | RSS after warm-up MiB | RSS at the end MiB | growth |"]
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    for pid, points in sorted(sampler.memory.items()):
        warm = [kib for at, kib in points if at >= warm_at]
        if points[0][0] > warm_at:  # started during the run (the killed worker's successor)
            lines.append(f"| {sampler.names[pid]} (started during the run) | {pid} | | | |")
            continue
        if pid == run.killed:
            lines.append(f"| {sampler.names[pid]} (killed half-way) | {pid} | | | |")
            continue
        if len(warm) < 2:
            continue
        first, last = warm[0], warm[-1]
        lines.append(
            f"| {sampler.names[pid]} | {pid} | {first / 1024:.1f} | {last / 1024:.1f} | "
            f"{(last - first) / first * 100:+.1f}% |"
        )
    pending = max((n for _, n, _ in sampler.lag), default=0)
    age = max((a for _, _, a in sampler.lag), default=0.0)
    lines += [
        "",
        f"outbox during the run: at most {pending} due messages waiting, at most {age:.1f} s late",
        "outbox drained "
        + (f"{drain:.1f} s after the load stopped" if drain is not None else "NOT within 120 s"),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--short", action="store_true", help="1 minute, 4 clients")
    parser.add_argument("--clients", type=int, default=8, help="clients per run, split by kind")
    parser.add_argument("--workers", type=int, default=3, help="web processes")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--database-url", default=os.environ.get("SOAK_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--port", type=int, default=8810)
    parser.add_argument("--broker", default="", help="a Celery broker: jobs on worker processes")
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--no-fault", action="store_true", help="do not kill a web worker")
    args = parser.parse_args()
    if args.short:
        args.minutes, args.clients = 1.0, 4
    if not (0.25 <= args.minutes <= 60 and 4 <= args.clients <= 64 and 1 <= args.workers <= 16):
        raise SystemExit("keep it bounded: 0.25-60 minutes, 4-64 clients, 1-16 web processes")
    if not args.database_url.startswith("postgres"):
        raise SystemExit("the soak runs on PostgreSQL (--database-url postgres://...)")
    if args.broker and urlparse(args.broker).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("the broker must be on the loopback")

    var_dir = ROOT / "var" / "soak"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.database_url,
        "RETORNO_VAR_DIR": str(var_dir),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_BROKER_URL": args.broker,
    }
    print(f"preparing {args.database_url} ...", flush=True)
    fresh_database(args.database_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    manage(env, "demo", "--returns", "500", "--store", SLUG, "--seed", "7", "--api-key", API_KEY)

    base = f"http://127.0.0.1:{args.port}"
    started_processes: list[subprocess.Popen[bytes]] = []
    log = open(var_dir / "soak-server.log", "wb")  # noqa: SIM115 (closed in finally)
    try:
        serve = ["serve", "--host", "127.0.0.1", "--port", str(args.port)]
        serve += ["--workers", str(args.workers), "--threads", str(args.threads)]
        server = subprocess.Popen(
            [str(BIN / "retorno"), *serve],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started_processes.append(server)
        if args.broker:
            for _ in range(args.celery_workers):
                worker = subprocess.Popen(
                    [str(BIN / "retorno"), "worker", "--concurrency", "1"],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                started_processes.append(worker)
        wait_ready(base)
        seconds = args.minutes * 60
        run = Run()
        sampler = Sampler(args.database_url, [p.pid for p in started_processes])
        sampler.start()
        began = time.monotonic()
        stop_at = began + seconds
        warm_at = began + min(30.0, seconds * 0.2)
        # The clients take the kinds in turn: creates, API reads, portal, staff pages.
        plan = [KINDS[i % len(KINDS)] for i in range(args.clients)]
        threads = [
            threading.Thread(
                target=client_loop,
                args=(base, i, kind, run, stop_at, random.Random(i)),
                daemon=True,
            )
            for i, kind in enumerate(plan)
        ]
        for t in threads:
            t.start()
        if not args.no_fault:
            time.sleep(seconds / 2)
            webs = [
                pid
                for pid, name in processes_of([server.pid]).items()
                if name == "web" and pid != server.pid
            ]
            if webs:
                victim = webs[0]
                with run.lock:
                    run.fault_window = (time.monotonic() - 0.1, time.monotonic() + 5.0)
                    run.killed = victim
                with contextlib.suppress(ProcessLookupError):
                    os.kill(victim, signal.SIGKILL)
                print(f"killed web worker {victim} at {seconds / 2:.0f} s", flush=True)
        for t in threads:
            t.join(timeout=seconds + 120)
        load_end = time.monotonic()
        drain = None
        while time.monotonic() < load_end + 120:
            if outbox_lag(args.database_url)[0] == 0:
                drain = time.monotonic() - load_end
                break
            time.sleep(1)
        sampler.sample()
        sampler.stop_event.set()
        problems = books(args.database_url, run.created)
    finally:
        for process in started_processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in started_processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()
    print(report(run, sampler, warm_at, drain, seconds))
    print(f"returns created: {len(run.created)}; load average {os.getloadavg()[0]:.1f}")
    for problem in problems:
        print("PROBLEM:", problem)
    unexplained = sum(run.errors.values())
    if problems or unexplained or drain is None:
        print("soak FAILED")
        raise SystemExit(1)
    print("soak passed: no unexplained error, nothing lost or doubled, outbox drained")


if __name__ == "__main__":
    main()
