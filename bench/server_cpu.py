"""CPU the server spends per request: floor write against create return, floor read against
the order and return reads; then the CPU of one confirmation e-mail job.

    .venv/bin/python bench/server_cpu.py [--engine sqlite|postgres] [--orders N] [--seconds S]
        [--rounds R] [--rollups on|off|both] [--mail M]

Prepares a database and starts `retorno serve` as bench/run.py does, drives one endpoint at a
time with the same load generator, and reads the CPU time (user + system) of the server's
process tree from /proc before and after, split into the in-process job threads and the rest. On a saturated machine the throughput ratio of two
endpoints is close to the inverse of this ratio, and, unlike req/s, it barely moves with the
noise of other processes. Each round runs floor write, create, floor read, order read, return
read back to back on each server; the last lines give the ratios over all rounds against issue
16's targets.

The e-mail job: after the servers stop, M of the confirmation messages the creates queued are
put back to "queued, not rendered" and delivered again one by one in one process
(`outbox_deliver_one`, the console backend writing to /dev/null), timing that thread's CPU.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from bench import run as bench_run  # noqa: E402
from bench import server as bench_server  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
KINDS = ("floor_write", "create", "floor_read", "order_get", "return_get")
# (endpoint, its floor, target): CPU per request at most this multiple of the floor's for the
# create, req/s at least this fraction of the floor's for the reads.
RATIOS = (
    ("create", "floor_write", "cpu", 1.5),
    ("order_get", "floor_read", "rps", 0.8),
    ("return_get", "floor_read", "rps", 0.8),
)
MAIL_TARGET_MS = 3.0


def mail_job_cpu(count: int) -> str:
    """In a child process with the engine's settings: redeliver `count` confirmation e-mails;
    the job thread's CPU per message, as a line to print."""
    import django

    django.setup()
    from retorno.core.models import OutboxMessage
    from retorno.core.outbox import outbox_deliver_one
    from retorno.notifications.models import Message

    rows = list(
        OutboxMessage.objects.filter(kind="notification.send")
        .order_by("-id")
        .values_list("id", "payload")[: count + 1]
    )
    if len(rows) < 2:
        raise SystemExit("no confirmation messages to redeliver: run the create rounds first")
    keys = [payload["dedupe_key"] for _, payload in rows]
    Message.objects.filter(dedupe_key__in=keys).update(
        status="queued", subject="", body_text="", body_html=""
    )
    OutboxMessage.objects.filter(id__in=[i for i, _ in rows]).update(status="pending", attempts=0)
    ids = [i for i, _ in rows]
    outbox_deliver_one(ids.pop())  # the first delivery of a process loads templates
    started = time.thread_time()
    outcomes = {outbox_deliver_one(i) for i in ids}
    used = time.thread_time() - started
    return (
        f"e-mail job {used / len(ids) * 1000:6.2f} ms CPU/message ({len(ids)} messages, "
        f"outcomes {sorted(map(str, outcomes))}; target ≤ {MAIL_TARGET_MS:g} ms)"
    )


def session_cpu_seconds(session_id: int) -> tuple[float, float]:
    """utime + stime of every live process of the session (the server and its workers), split
    into the in-process job threads (named `retorno-outbox…`) and everything else."""
    jobs = other = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[3]) != session_id:
                    continue
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/comm") as f:
                    name = f.read().strip()
                with open(f"/proc/{pid}/task/{tid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used = (int(fields[11]) + int(fields[12])) / TICKS
            if name.startswith("retorno-outbox"):
                jobs += used
            else:
                other += used
    return jobs, other


def main() -> None:
    if sys.argv[1:2] == ["_mail"]:
        with open(os.devnull, "w") as devnull:
            real_stdout, sys.stdout = sys.stdout, devnull  # the console backend's e-mails
            try:
                line = mail_job_cpu(int(sys.argv[2]))
            finally:
                sys.stdout = real_stdout
        print(line)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--mail", type=int, default=200, help="e-mail jobs to time (0: none)")
    parser.add_argument(
        "--rollups",
        choices=("on", "off", "both"),
        default="both",
        help="Keep the analytics rollups (RETORNO_ANALYTICS_ROLLUPS), not, or both side by side.",
    )
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix=f"retorno-bench-cpu-{args.engine}-"))
    env = bench_run.engine_env(args.engine, var_dir)
    if args.engine == "postgres":
        bench_run.pg_recreate()
    bench_run.prepare_quietly(env, args.orders, var_dir)
    modes = {"on": ["true"], "off": ["false"], "both": ["false", "true"]}[args.rollups]
    servers: dict[str, tuple[int, subprocess.Popen]] = {}
    try:
        # With --rollups both, two servers on the same prepared database, one keeping the
        # analytics rollups and one not, measured round after round in the same run.
        for rollups in modes:
            port = bench_server.free_port()
            log = open(var_dir / f"server-rollups-{rollups}.log", "w")  # noqa: SIM115
            servers[rollups] = (
                port,
                bench_server.start(
                    {**env, "RETORNO_ANALYTICS_ROLLUPS": rollups},
                    port,
                    workers=args.workers,
                    output=log,
                ),
            )
            bench_server.wait_ready(port, servers[rollups][1], timeout=300)
            bench_run.run_load(port, "floor_read", args.orders, 2.0, args.concurrency, 1.0)
        totals: dict[tuple[str, str], list[float]] = {}
        cpu: dict[tuple[str, str], list[float]] = {}
        rps: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds):
            for rollups, (port, server) in servers.items():
                for kind in KINDS:
                    if kind == "return_get" and not os.environ.get("RETORNO_BENCH_RMAS"):
                        # Read before the CPU is counted (the load processes inherit it).
                        os.environ["RETORNO_BENCH_RMAS"] = ",".join(bench_run.load_rmas(port))
                    jobs_before, other_before = session_cpu_seconds(server.pid)
                    result = bench_run.run_load(
                        port, kind, args.orders, args.seconds, args.concurrency, 0.0
                    )
                    time.sleep(0.5)  # let the in-process jobs of the last requests finish
                    jobs_after, other_after = session_cpu_seconds(server.pid)
                    sent = max(1, result["requests"] + result["errors"])
                    jobs = (jobs_after - jobs_before) / sent * 1000
                    other = (other_after - other_before) / sent * 1000
                    totals.setdefault((rollups, kind), []).append(jobs + other)
                    cpu.setdefault((rollups, kind), []).append(other)
                    rps.setdefault((rollups, kind), []).append(result["rps"])
                    print(
                        f"{args.engine} rollups={rollups:5s} {kind:12s} {result['rps']:7.1f} req/s"
                        f"  server CPU {jobs + other:6.2f} ms/request: requests {other:5.2f}, "
                        f"jobs {jobs:5.2f} ({sent} requests, {result['errors']} errors)",
                        flush=True,
                    )
        print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        for rollups in servers:
            for kind, floor, measure, target in RATIOS:
                if measure == "cpu":
                    ratio = sum(cpu[(rollups, kind)]) / sum(cpu[(rollups, floor)])
                    verdict = "met" if ratio <= target else "MISSED"
                    what, sign = f"request CPU {kind} ÷ {floor}", "≤"
                else:
                    ratio = sum(rps[(rollups, kind)]) / sum(rps[(rollups, floor)])
                    verdict = "met" if ratio >= target else "MISSED"
                    what, sign = f"req/s {kind} ÷ {floor}", "≥"
                print(
                    f"rollups={rollups:5s} {what:38s} {ratio:5.2f}  {verdict} "
                    f"(target {sign} {target:g})"
                )
        if len(servers) == 2:
            off, on = (sum(totals[(m, "create")]) for m in ("false", "true"))
            floor = sum(totals[("false", "floor_write")] + totals[("true", "floor_write")]) / 2
            print(
                f"create, all rounds: rollups off {off / args.rounds:.2f} ms, on "
                f"{on / args.rounds:.2f} ms: +{(on / off - 1) * 100:.1f} % "
                f"(floor write {floor / args.rounds:.2f} ms)"
            )
    finally:
        for _, server in servers.values():
            bench_server.stop(server)
    if args.mail:
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "_mail", str(args.mail)],
            env={**env, "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
            cwd=ROOT,
            check=True,
            timeout=600,
            stderr=subprocess.DEVNULL,
            stdout=None,
        )


if __name__ == "__main__":
    main()
