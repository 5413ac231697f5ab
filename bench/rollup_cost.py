"""What keeping the analytics rollups costs a return's creation, in process, without a server.

    .venv/bin/python bench/rollup_cost.py [--orders 500] [--creates 300] [--rounds 3]

Prepares one SQLite database as bench/run.py does (the bench store, its orders). Then, round
after round, two child processes each take a fresh copy of it and make the same returns
(`POST /api/v1/returns` through Django's test client, the same random sequence): one with
RETORNO_ANALYTICS_ROLLUPS=false, one with it on, in alternating order. Jobs run inline after
each commit (RETORNO_INPROCESS_JOBS=sync): the shopper's e-mail, and with the rollups the
`analytics.refresh` job of each two-second window, which counts every order pending since the
last one. A child's figure is its CPU time (user + system, `time.process_time`) for the creates
with their jobs, plus counting what is left pending at the end, per create. bench/server_cpu.py
measures the same through gunicorn, where other processes' noise moves it far more.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from bench import run as bench_run  # noqa: E402

WARMUP = 20


def child(orders: int, creates: int, seed: int) -> float:
    """Make `creates` returns after WARMUP unmeasured ones; the CPU ms per create."""
    import django

    django.setup()
    from django.test import Client

    from retorno.analytics.rollups import rollups_ready
    from retorno.stores.models import Store

    store = Store.objects.get(slug="bench")
    rollups_ready(store)  # a store never rebuilt is rebuilt at its first count: not measured
    client = Client(HTTP_AUTHORIZATION=f"Bearer {bench_run.API_KEY}")
    rng = random.Random(seed)

    def create() -> None:
        _, path, body = bench_run.request_for("create", orders, rng)
        response = client.post(path, body, content_type="application/json")
        if response.status_code >= 400:
            raise SystemExit(f"create: {response.status_code} {response.content[:300]!r}")

    for _ in range(WARMUP):
        create()
    rollups_ready(store)
    started = time.process_time()
    for _ in range(creates):
        create()
    rollups_ready(store)  # what the last window left pending
    return (time.process_time() - started) / creates * 1000


def main() -> None:
    if sys.argv[1:2] == ["_child"]:
        with open(os.devnull, "w") as devnull:
            real_stdout, sys.stdout = sys.stdout, devnull  # the console backend's e-mails
            try:
                ms = child(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
            finally:
                sys.stdout = real_stdout
        print(f"{ms:.3f}")
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--creates", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="retorno-bench-rollup-cost-"))
    env = bench_run.engine_env("sqlite", var_dir)
    bench_run.prepare_quietly(env, args.orders, var_dir)
    prepared = var_dir / "bench.sqlite3"
    results: dict[str, list[float]] = {"false": [], "true": []}
    for round_ in range(args.rounds):
        modes = ["false", "true"] if round_ % 2 == 0 else ["true", "false"]
        for rollups in modes:
            run_dir = var_dir / f"run-{round_}-{rollups}"
            run_dir.mkdir()
            shutil.copy(prepared, run_dir / "bench.sqlite3")
            run_env = {
                **bench_run.engine_env("sqlite", run_dir),
                "RETORNO_ANALYTICS_ROLLUPS": rollups,
                "RETORNO_INPROCESS_JOBS": "sync",
                "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            }
            done = subprocess.run(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "_child",
                    str(args.orders),
                    str(args.creates),
                    str(round_),
                ],
                env=run_env,
                cwd=ROOT,
                check=True,
                timeout=1200,
                capture_output=True,
                text=True,
            )
            ms = float(done.stdout.strip().splitlines()[-1])
            results[rollups].append(ms)
            print(
                f"round {round_ + 1} rollups={rollups:5s} {ms:7.3f} ms CPU per create", flush=True
            )
    off, on = (statistics.median(results[m]) for m in ("false", "true"))
    print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        f"create + its jobs, median of {args.rounds} rounds: rollups off {off:.3f} ms, "
        f"on {on:.3f} ms: {(on / off - 1) * 100:+.1f} % (target ≤ +10 %)"
    )


if __name__ == "__main__":
    main()
