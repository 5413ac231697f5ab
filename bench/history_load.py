"""The big-store generator's pace (issue 16: 1,000,000 returns in under 10 minutes on
PostgreSQL). Loads N returns of generated history (`retorno demo --returns N`) into a fresh
database and prints the wall clock, the CPU of the loading processes (the command and the
processes it forks), the CPU of their PostgreSQL backends (sampled from /proc every second, so
a backend's last second may be missed), each step's time, and the machine's load average.

On a shared machine the wall clock says more about the neighbours than about the loader; the
CPU seconds do not, so the last line divides them by the cores the loader could use: what the
same load needs on idle cores, if the work spreads over them (a lower bound).

    .venv/bin/python bench/history_load.py --returns 100000 [--processes 2] [--cores 2]
        [--database postgres://postgres@127.0.0.1:5432/retorno_bench_queue_100000]

The database is dropped and made again; it is left loaded (store `bench`, the API key of
bench/staff_lists.py), so bench/staff_lists.py reuses it when its name is the list benchmark's
prefix followed by N.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: import `bench` from the repo root

from bench.staff_lists import API_KEY, DATABASE_PREFIX, SLUG  # noqa: E402

BIN = Path(sys.executable).parent
TICK = os.sysconf("SC_CLK_TCK")


def recreate(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def process_cpu(pid: int) -> float | None:
    """utime + stime of a process, in seconds (None once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


class BackendCpu:
    """Samples the CPU of every PostgreSQL backend (and parallel worker) serving one database
    while a load runs: the server is local, so /proc has them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = urlparse(url).path.lstrip("/")
        self.seen: dict[int, float] = {}
        self.loads: list[float] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        import psycopg

        parts = urlparse(self.url)
        admin = parts._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            while not self.stopped.wait(1.0):
                pids = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.name]
                ).fetchall()
                for (pid,) in pids:
                    cpu = process_cpu(pid)
                    if cpu is not None:
                        self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))
                self.loads.append(os.getloadavg()[0])

    def __enter__(self) -> BackendCpu:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


def main() -> None:
    parser = argparse.ArgumentParser(description="The big-store generator's pace.")
    parser.add_argument("--returns", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--database", default="", help=f"default: {DATABASE_PREFIX}N")
    args = parser.parse_args()
    if not 1_000 <= args.returns <= 5_000_000:
        raise SystemExit("between 1,000 and 5,000,000 returns")
    url = args.database or f"{DATABASE_PREFIX}{args.returns}"
    if not url.startswith("postgres"):
        raise SystemExit("the generator's pace is measured on PostgreSQL")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "RETORNO_ENV": os.environ.get("RETORNO_ENV", "development"),
        "RETORNO_ALLOW_PRIVATE_URLS": "true",
        "LOG_LEVEL": "WARNING",
    }
    recreate(url)
    for step in (["migrate", "--noinput", "-v", "0"], ["createcachetable"]):
        subprocess.run([str(BIN / "retorno"), *step], env=env, cwd=ROOT, check=True)
    command = [str(BIN / "retorno"), "demo", "--returns", str(args.returns), "--store", SLUG]
    command += ["--seed", "42", "--processes", str(args.processes), "--api-key", API_KEY]
    print(" ".join(command[1:]), flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with BackendCpu(url) as backends:
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
    if done.returncode:
        raise SystemExit(f"the load failed ({done.returncode})")
    loader = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    database = backends.seconds
    steps = re.search(r"steps \(wall clock\): (.*)", done.stdout)
    steps_cpu = re.search(r"steps \(CPU of the loading processes\): (.*)", done.stdout)
    loads = backends.loads or [os.getloadavg()[0]]
    rows = [
        ("returns", f"{args.returns:,}"),
        ("wall clock", f"{wall:.0f} s ({args.returns / wall:.0f} returns/s)"),
        ("steps, wall clock", steps.group(1) if steps else "?"),
        ("steps, loader CPU", steps_cpu.group(1) if steps_cpu else "?"),
        (
            "loader CPU (user + system)",
            f"{loader:.0f} s ({loader / args.returns * 1e3:.3f} ms/return)",
        ),
        ("PostgreSQL backends' CPU", f"{database:.0f} s ({len(backends.seen)} backends)"),
        ("load average during the load", f"{min(loads):.1f}-{max(loads):.1f}"),
        (
            f"CPU ÷ {args.cores} cores (idle machine, lower bound)",
            f"{(loader + database) / args.cores:.0f} s",
        ),
    ]
    print("\n| measure | value |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
