"""The production server under a benchmark: `retorno serve` (gunicorn) on 127.0.0.1, in a
process session of its own (so stopping it stops its workers), ready once /health answers.
Every script in bench/ that measures the server starts it here.

    with serving(env, workers=4, threads=4) as (port, server):
        ...  # http://127.0.0.1:{port}
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
RETORNO = Path(sys.executable).parent / "retorno"


def free_port() -> int:
    """A free port of 127.0.0.1: the first free one of RETORNO_BENCH_PORTS ("8800-8899") when
    set (a machine whose ports are shared out), else any."""
    first, _, last = os.environ.get("RETORNO_BENCH_PORTS", "").partition("-")
    candidates = range(int(first), int(last or first) + 1) if first else [0]
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise OSError(f"no free port in RETORNO_BENCH_PORTS={first}-{last}")


def start(
    env: Mapping[str, str],
    port: int,
    *,
    workers: int,
    threads: int | None = None,
    timeout: int | None = None,
    output: IO[Any] | None = None,
) -> subprocess.Popen[bytes]:
    """`retorno serve` on 127.0.0.1:`port` with `env`; its output to `output` (a file) or
    nowhere."""
    argv = [str(RETORNO), "serve", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--workers", str(workers)]
    if threads:
        argv += ["--threads", str(threads)]
    if timeout:
        argv += ["--timeout", str(timeout)]
    return subprocess.Popen(
        argv,
        env=dict(env),
        cwd=ROOT,
        stdout=output if output is not None else subprocess.DEVNULL,
        stderr=subprocess.STDOUT if output is not None else subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_ready(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Until /health answers 200; fails if the server exits or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited while starting; see its log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not answer /health in time")


def stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's session (gunicorn and its workers), SIGKILL if it lingers."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=25)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


@contextlib.contextmanager
def serving(
    env: Mapping[str, str],
    *,
    port: int = 0,
    workers: int,
    threads: int | None = None,
    timeout: int | None = None,
    output: IO[Any] | None = None,
    ready_timeout: float = 60,
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """The server started (on `port`, or a free one) and ready; stopped when the block ends."""
    port = port or free_port()
    server = start(env, port, workers=workers, threads=threads, timeout=timeout, output=output)
    try:
        wait_ready(port, server, ready_timeout)
        yield port, server
    finally:
        stop(server)
