"""Soak: the production stack under a busy store's peak times `--scale`, with faults, then the books.

Starts, all on 127.0.0.1 and over a PostgreSQL database of its own:
- `retorno serve` (gunicorn) with `--web` processes;
- Redis as the Celery broker (its own `redis-server`, or `--broker`), and two Celery workers
  split by queue (retorno.core.queues): one for `outbox,imports` (e-mails, refunds), one for
  `bookings,tracking,webhooks,analytics`; the scheduler (celery beat: the outbox sweeper) apart;
- the carrier simulator (labels are booked there), an SMTP server and a webhook receiver that
  count what reaches them (bench/soak_books.py).

The load (bench/soak_traffic.py) is open-loop: returns created, carrier scans, warehouse steps,
staff pages, portal pages and API reads at fixed rates. In the middle, two faults:
- at 35% of the run the `outbox,imports` worker is killed with SIGKILL (with its pool, as a
  crashed machine) and started again 10 s later;
- at 60% PostgreSQL goes away: `--pg-restart cluster` restarts the whole cluster (`pg_ctlcluster
  --skip-systemctl-redirect <version> main restart`: only where that is allowed);
  `--pg-restart connections` (the default) does it to this database alone: new connections
  refused for 5 s and every open one cut, which is what the processes see of a restart.
Failed requests that overlap PostgreSQL's outage (until it answers again, plus 5 s) are counted
apart; the worker's death should cost no request at all.

After the load it waits for the outbox and the broker's queues to empty (the drain time), then
checks the books (soak_books.books). Printed: requests, p50/p95/p99 and errors per kind,
memory growth per process from warm-up to the end of the load, outbox lag, the drain time, the
faults and the checks. Exit status 1 when a check fails, an error is not explained by a fault,
a client gave up on a step, or the drain took more than 2 minutes.

    .venv/bin/python bench/soak.py --short              # 2 minutes, same faults
    .venv/bin/python bench/soak.py --minutes 10 --scale 3 --pg-restart cluster \\
        [--database-url postgres://postgres@127.0.0.1:5432/retorno_soak] [--port 8810]

Loopback only; every process it starts is stopped at the end (or on Ctrl-C / SIGTERM).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

os.environ.setdefault("RETORNO_ENV", "development")
os.environ.setdefault("RETORNO_ALLOW_PRIVATE_URLS", "true")

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

import httpx  # noqa: E402
import psycopg  # noqa: E402

from bench.soak_books import SmtpSink, WebhookSink, books  # noqa: E402
from bench.soak_traffic import KINDS, Shared, Traffic, csrf_token  # noqa: E402

BIN = Path(sys.executable).parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/retorno_soak"
SLUG = "soak"
API_KEY = "rtn_soak_key_for_loopback_only_0123456789"
PASSWORD = "retorno-demo"
CARRIER_SECRET = "sim-webhook-secret"  # the simulator's default, which the demo's accounts get
QUEUE = "soak"
WORKERS = {"outbox": "outbox,imports", "other": "bookings,tracking,webhooks,analytics"}
DRAIN_LIMIT = 300.0
DRAIN_TARGET = 120.0


# --- processes -------------------------------------------------------------------------------


class Processes:
    """The processes the soak started, each in its own session (so a kill takes its children
    too); all stopped at the end."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, open(log, "ab")  # noqa: SIM115 (closed in stop_all)
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            argv,
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started[name] = process
        return process

    def kill(self, name: str) -> int:
        process = self.started[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        return process.pid

    def stop_all(self) -> None:
        for process in self.started.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        self.log.close()

    def pids(self) -> dict[int, str]:
        """pid -> role of every live process in the soak's sessions."""
        sessions = {p.pid: name for name, p in self.started.items()}
        found = {}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            role = sessions.get(int(fields[3]))
            if role:
                found[int(pid)] = role
        return found


def retorno(*args: str) -> list[str]:
    return [str(BIN / "retorno"), *args]


def worker_argv(queues: str) -> list[str]:
    return retorno("worker", "--queues", queues, "--concurrency", "2")


# --- setup -----------------------------------------------------------------------------------


def fresh_database(url: str) -> None:
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit("the database name: lower-case letters, digits and _")
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')


def admin_url(url: str) -> str:
    return urlparse(url)._replace(path="/postgres").geturl()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(retorno(*args), env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def wait_until(ready: Callable[[], bool], timeout: float, what: str) -> float:
    began = time.monotonic()
    while time.monotonic() < began + timeout:
        with contextlib.suppress(Exception):
            if ready():
                return time.monotonic() - began
        time.sleep(0.3)
    raise SystemExit(f"{what} did not come up within {timeout:.0f} s")


def staff_session(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, headers={"Accept-Language": "en"})
    token = csrf_token(client.get("/staff/login").text)
    signed = client.post(
        "/staff/login",
        data={"csrfmiddlewaretoken": token, "username": "admin", "password": PASSWORD},
        headers={"Referer": f"{base}/staff/login"},
    )
    if signed.status_code != 302:
        raise RuntimeError(f"sign-in failed: {signed.status_code}")
    return client


def webhook_endpoint(base: str, sink_url: str, secret_file: Path) -> None:
    answer = httpx.post(
        f"{base}/api/v1/webhook-endpoints",
        json={"url": sink_url, "description": "soak receiver"},
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=30,
    )
    answer.raise_for_status()
    secret_file.write_text(answer.json()["secret"])


def webhook_codes(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        return dict(
            conn.execute(
                "select a.code, a.webhook_code from logistics_carrieraccount a "
                "join stores_store s on s.id = a.store_id where s.slug = %s",
                (SLUG,),
            ).fetchall()
        )


# --- faults ----------------------------------------------------------------------------------


def postgres_outage(url: str, how: str) -> None:
    """Take PostgreSQL away and bring it back (see the module's docstring)."""
    if how == "cluster":
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
            check=True,
            timeout=120,
        )
        return
    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'alter database "{name}" allow_connections false')
        try:
            conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                "where datname = %s and pid <> pg_backend_pid()",
                (name,),
            )
            time.sleep(5)
        finally:
            conn.execute(f'alter database "{name}" allow_connections true')


def database_answers(url: str) -> bool:
    with psycopg.connect(url, connect_timeout=2) as conn:
        return conn.execute("select 1").fetchone() == (1,)


class Faults(threading.Thread):
    def __init__(
        self,
        *,
        seconds: float,
        began: float,
        processes: Processes,
        shared: Shared,
        url: str,
        pg: str,
    ) -> None:
        super().__init__(daemon=True)
        self.seconds, self.began, self.processes = seconds, began, processes
        self.shared, self.url, self.pg = shared, url, pg
        self.log: list[str] = []
        self.failed: BaseException | None = None

    def at(self, share: float) -> None:
        time.sleep(max(0.0, self.began + self.seconds * share - time.monotonic()))

    def note(self, text: str) -> None:
        line = f"{time.monotonic() - self.began:6.1f} s  {text}"
        self.log.append(line)
        print(line, flush=True)

    def run(self) -> None:
        try:
            self.at(0.35)
            pid = self.processes.kill("worker-outbox")
            self.note(f"killed the outbox worker (pid {pid} and its pool) with SIGKILL")
            time.sleep(10)
            self.processes.start("worker-outbox", worker_argv(WORKERS["outbox"]))
            self.note("started the outbox worker again")
            if self.pg == "none":
                return
            self.at(0.60)
            down = time.monotonic()
            window = self.shared.fault(down, float("inf"))  # closed once it answers again
            self.note(f"PostgreSQL outage ({self.pg})")
            postgres_outage(self.url, self.pg)
            waited = wait_until(lambda: database_answers(self.url), 120, "PostgreSQL")
            back = time.monotonic()
            self.shared.fault(down, back + 5, replace=window)
            self.note(
                f"PostgreSQL answers again, {back - down:.1f} s after the outage began ({waited:.1f} s after the command)"
            )
        except BaseException as exc:  # reported by main, never swallowed
            self.failed = exc


# --- sampling --------------------------------------------------------------------------------


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def outbox_due(url: str) -> tuple[int, float]:
    """Messages due and not delivered (pending past their time, or being delivered) and how
    late the oldest is (s). Messages scheduled for later (backoffs) wait by design."""
    with psycopg.connect(url, connect_timeout=3) as conn:
        due, late = conn.execute(
            "select count(*), extract(epoch from now() - min(next_attempt_at)) "
            "from core_outboxmessage where (status = 'pending' and next_attempt_at <= now()) "
            "or status = 'processing'"
        ).fetchone()
    return int(due), float(late or 0.0)


def broker_backlog(broker: str) -> int:
    import redis

    client = redis.Redis.from_url(broker)
    names = [QUEUE] + [
        f"{QUEUE}.{k}" for k in ("bookings", "tracking", "webhooks", "analytics", "imports")
    ]
    return sum(int(client.llen(name)) for name in names)


class Sampler(threading.Thread):
    def __init__(self, url: str, broker: str, processes: Processes, every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.url, self.broker, self.processes, self.every = url, broker, processes, every
        self.stop_event = threading.Event()
        self.memory: dict[int, list[tuple[float, int]]] = defaultdict(list)
        self.roles: dict[int, str] = {}
        self.lag: list[tuple[float, int, float, int]] = []

    def sample(self) -> None:
        now = time.monotonic()
        for pid, role in self.processes.pids().items():
            kib = rss_kib(pid)
            if kib:
                self.roles[pid] = role
                self.memory[pid].append((now, kib))
        with contextlib.suppress(Exception):
            self.lag.append((now, *outbox_due(self.url), broker_backlog(self.broker)))

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(self.every)


# --- report ----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if values else 0.0


def report(
    shared: Shared, sampler: Sampler, warm_at: float, load_end: float, seconds: float
) -> list[str]:
    lines = [
        "| traffic | requests | req/s | p50 ms | p95 ms | p99 ms | errors | failed during the outage |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in KINDS:
        t = shared.timings.get(kind, [])
        statuses = dict(shared.statuses.get(kind, {}))
        lines.append(
            f"| {kind} | {len(t)} | {len(t) / seconds:.2f} | {percentile(t, 50):.0f} | "
            f"{percentile(t, 95):.0f} | {percentile(t, 99):.0f} | {shared.errors.get(kind, 0)}"
            f"{' ' + str(statuses) if statuses else ''} | {shared.excused.get(kind, 0)} |"
        )
    lines += [
        "",
        "| process | pid | RSS after warm-up MiB | RSS at the end of the load MiB | growth |",
    ]
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    for pid, points in sorted(
        sampler.memory.items(), key=lambda item: (sampler.roles[item[0]], item[0])
    ):
        role = sampler.roles[pid]
        during = [kib for at, kib in points if warm_at <= at <= load_end]
        if points[0][0] > warm_at:
            lines.append(
                f"| {role} (started during the run) | {pid} | | {points[-1][1] / 1024:.1f} | |"
            )
            continue
        if len(during) < 2:
            lines.append(f"| {role} (gone before the end) | {pid} | | | |")
            continue
        if points[-1][0] < load_end - 10:  # the killed worker and its pool
            lines.append(f"| {role} (killed during the run) | {pid} | {during[0] / 1024:.1f} | | |")
            continue
        first, last = during[0], during[-1]
        lines.append(
            f"| {role} | {pid} | {first / 1024:.1f} | {last / 1024:.1f} | {(last - first) / first * 100:+.1f}% |"
        )
    during_load = [s for s in sampler.lag if s[0] <= load_end]
    lines += [
        "",
        f"outbox during the load: at most {max((s[1] for s in during_load), default=0)} due "
        f"messages waiting, the oldest at most {max((s[2] for s in during_load), default=0.0):.1f} s late; "
        f"broker queues at most {max((s[3] for s in during_load), default=0)} tasks",
    ]
    return lines


# --- main ------------------------------------------------------------------------------------


def interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # stop what the soak started (the finally in main) and leave


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--short", action="store_true", help="2 minutes")
    parser.add_argument("--scale", type=float, default=3.0, help="times a busy store's peak")
    parser.add_argument("--web", type=int, default=3, help="web processes")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--database-url", default=os.environ.get("SOAK_DATABASE_URL", DEFAULT_DB))
    parser.add_argument(
        "--port", type=int, default=8810, help="web; +1 carriers, +2 webhooks, +3 SMTP, +4 Redis"
    )
    parser.add_argument(
        "--broker", default="", help="a Redis URL (default: start redis-server on --port+4)"
    )
    parser.add_argument(
        "--pg-restart", choices=("connections", "cluster", "none"), default="connections"
    )
    parser.add_argument("--history", type=int, default=300, help="returns generated before the run")
    args = parser.parse_args()
    if args.short:
        args.minutes = 2.0
    if not (1 <= args.minutes <= 30 and 0.1 <= args.scale <= 20 and 1 <= args.web <= 8):
        raise SystemExit("keep it bounded: 1-30 minutes, scale 0.1-20, 1-8 web processes")
    if not args.database_url.startswith("postgres"):
        raise SystemExit("the soak runs on PostgreSQL (--database-url postgres://...)")
    for url in (args.database_url, args.broker):
        if url and urlparse(url).hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit("the database and the broker must be on the loopback")

    signal.signal(signal.SIGTERM, interrupted)
    var_dir = ROOT / "var" / "soak"
    var_dir.mkdir(parents=True, exist_ok=True)
    port = args.port
    broker = args.broker or f"redis://127.0.0.1:{port + 4}/0"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.database_url,
        "RETORNO_VAR_DIR": str(var_dir),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": broker,
        "CELERY_QUEUE": QUEUE,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port + 3),
        "RETORNO_PAYMENT_ADAPTER": "console",
        # A killed worker's claims come back within the run (production: 300 s).
        "RETORNO_OUTBOX_CLAIM_SECONDS": "120",
        "RETORNO_OUTBOX_SWEEP_SECONDS": "15",
    }
    print(f"preparing {args.database_url} ...", flush=True)
    fresh_database(args.database_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    manage(
        env,
        "demo",
        "--returns",
        str(args.history),
        "--store",
        SLUG,
        "--seed",
        "7",
        "--api-key",
        API_KEY,
        "--simulator-url",
        f"http://127.0.0.1:{port + 1}",
    )
    codes = webhook_codes(args.database_url)

    base = f"http://127.0.0.1:{port}"
    processes = Processes(env, var_dir / "soak-processes.log")
    smtp = SmtpSink(port + 3)
    hooks = WebhookSink(port + 2, var_dir)
    seconds = args.minutes * 60
    shared = Shared()
    faults: Faults | None = None
    try:
        smtp.start()
        hooks.start()
        if not args.broker:
            processes.start(
                "redis",
                [
                    "redis-server",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port + 4),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
            )
        processes.start(
            "carriers", retorno("carrier_sim", "--port", str(port + 1), "--no-random-failures")
        )
        processes.start(
            "web",
            retorno(
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.web),
                "--threads",
                str(args.threads),
            ),
        )
        processes.start("worker-outbox", worker_argv(WORKERS["outbox"]))
        processes.start("worker-other", worker_argv(WORKERS["other"]))
        processes.start(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "config.celery",
                "beat",
                "--loglevel",
                "WARNING",
                "-s",
                str(var_dir / "celerybeat-schedule"),
            ],
        )
        wait_until(
            lambda: httpx.get(f"{base}/health", timeout=2).status_code == 200, 120, "the server"
        )
        webhook_endpoint(base, f"http://127.0.0.1:{port + 2}/webhooks", hooks.secret_file)
        traffic = Traffic(
            base=base,
            api_key=API_KEY,
            staff=staff_session(base),
            slug=SLUG,
            carrier_secret=CARRIER_SECRET,
            webhook_codes=codes,
            scale=args.scale,
            shared=shared,
        )
        sampler = Sampler(args.database_url, broker, processes)
        began = time.monotonic()
        sampler.start()
        faults = Faults(
            seconds=seconds,
            began=began,
            processes=processes,
            shared=shared,
            url=args.database_url,
            pg=args.pg_restart,
        )
        faults.start()
        print(
            f"load for {args.minutes:g} min at {args.scale:g}x a busy store's peak: "
            + ", ".join(f"{k} {r:.2f}/s" for k, r in traffic.rates.items()),
            flush=True,
        )
        traffic.run(stop_at=began + seconds, finish_by=began + seconds + 240)
        load_end = time.monotonic()
        faults.join(timeout=180)
        drain = None
        with contextlib.suppress(SystemExit):
            drain = wait_until(
                lambda: outbox_due(args.database_url)[0] == 0 and broker_backlog(broker) == 0,
                DRAIN_LIMIT,
                "the drain",
            )
        sampler.sample()
        sampler.stop_event.set()
        problems, notes = books(
            args.database_url, shared.created, shared.scans_sent, shared.inspected, smtp, hooks
        )
    except KeyboardInterrupt:
        raise SystemExit("stopped") from None
    finally:
        processes.stop_all()
        smtp.stop()
        hooks.stop()

    print()
    print("\n".join(report(shared, sampler, began + min(60.0, seconds * 0.2), load_end, seconds)))
    print(
        f"load ended {load_end - began - seconds:.0f} s after the last arrival (the returns' last steps); "
        + (
            "outbox and broker queues drained "
            + (
                f"{drain:.1f} s after"
                if drain is not None
                else f"NOT within {DRAIN_LIMIT:.0f} s of"
            )
            + " the load's end"
        )
    )
    print(
        f"returns created {len(shared.created)}, inspected (refund issued) {len(shared.inspected)}; "
        f"requests started over 1 s late {shared.late_starts}; load average {os.getloadavg()[0]:.1f}"
    )
    if faults is not None:
        print("faults:\n" + "\n".join(faults.log))
    for note in notes:
        print("  ", note)
    gave_up = {k: n for k, n in shared.gave_up.items() if n}
    if gave_up:
        problems.append(f"clients gave up after 3 minutes of retries: {gave_up}")
    if faults is not None and faults.failed is not None:
        problems.append(f"a fault could not be injected: {faults.failed!r}")
    unexplained = sum(shared.errors.values())
    if unexplained:
        problems.append(f"{unexplained} errors not explained by a fault")
    if drain is None or drain > DRAIN_TARGET:
        problems.append("the queues did not drain within 2 minutes")
    for problem in problems:
        print("PROBLEM:", problem)
    if problems:
        print("soak FAILED")
        raise SystemExit(1)
    print("soak passed: no unexplained error, nothing lost or doubled, queues drained")


if __name__ == "__main__":
    main()
