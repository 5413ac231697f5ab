"""The comment classifier: its evaluation on held-out families, and its speed in process.

    .venv/bin/python bench/classifier.py            # print the figures
    .venv/bin/python bench/classifier.py --write    # and write them into docs/insight.md

Evaluation: the recipe trained on the corpus's train and dev families, classifying the held-out
test families and the blind families (retorno/insight/evaluation.py). Accuracy counts an
abstention as an error; precision is measured on the answered comments only.

Speed: the shipped model (retorno/insight/shipped_model.json) loaded from disk in a fresh
interpreter (time and memory it adds), then every corpus comment classified one at a time, in
several rounds; the p50 and p99 of one comment, in CPU time of the thread (what the work costs,
whatever else the shared machine runs) and in wall-clock time. Nothing leaves the process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: import `retorno` from the repo root

DOC = ROOT / "docs" / "insight.md"
SPEED_BEGIN = "<!-- speed:begin (written by bench/classifier.py) -->"
SPEED_END = "<!-- speed:end -->"
ROUNDS = 5

# Run in a fresh interpreter: what loading the shipped model costs, in time and memory (the
# memory run traces allocations, which slows it, so time is measured in a run of its own).
_LOAD_PROBE = """
import json, sys, time, tracemalloc
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
trace = sys.argv[1] == "memory"
if trace:
    tracemalloc.start()
before = rss_mb()
started = time.perf_counter()
from retorno.insight.classifying import shipped_model
model = shipped_model()
elapsed = time.perf_counter() - started
result = {"load_seconds": elapsed, "rss_growth_mb": rss_mb() - before,
          "features": len(model.weights), "version": model.version}
if trace:
    result["traced_mb"] = tracemalloc.get_traced_memory()[0] / 2**20
print(json.dumps(result))
"""


def _probe(mode: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _LOAD_PROBE, mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def measure_load() -> dict[str, float]:
    """Load time (the best of three fresh interpreters) and memory (traced, and RSS growth)."""
    timed = [_probe("time") for _ in range(3)]
    best = min(timed, key=lambda run: run["load_seconds"])
    memory = _probe("memory")
    return {**best, "traced_mb": memory["traced_mb"]}


def measure_speed() -> dict[str, float]:
    from retorno.domain.insight.classifier import classify
    from retorno.insight.classifying import shipped_model
    from retorno.insight.training import load_corpus

    model = shipped_model()
    texts = [example.text for example in load_corpus()]
    for text in texts[:50]:
        classify(text, model)  # warm up
    wall, cpu = [], []
    for _ in range(ROUNDS):
        for text in texts:
            started, started_cpu = time.perf_counter(), time.thread_time()
            classify(text, model)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
    wall.sort()
    cpu.sort()
    return {
        "comments": len(wall),
        "p50_ms": statistics.median(wall),
        "p99_ms": wall[int(len(wall) * 0.99) - 1],
        "max_ms": wall[-1],
        "cpu_p50_ms": statistics.median(cpu),
        "cpu_p99_ms": cpu[int(len(cpu) * 0.99) - 1],
    }


def render_speed(load: dict[str, float], speed: dict[str, float]) -> str:
    return "\n".join(
        [
            SPEED_BEGIN,
            "",
            "| figure | measured | target |",
            "| --- | ---: | ---: |",
            "| model load (fresh interpreter, import and JSON, best of 3) | "
            f"{load['load_seconds']:.2f} s | < 1 s |",
            f"| memory the loaded model holds (traced) | {load['traced_mb']:.1f} MB | < 100 MB |",
            f"| process memory growth while loading (RSS) | {load['rss_growth_mb']:.1f} MB "
            "| < 100 MB |",
            f"| one comment, CPU time, p50 ({int(speed['comments'])} classifications) | "
            f"{speed['cpu_p50_ms']:.2f} ms | |",
            f"| one comment, CPU time, p99 | {speed['cpu_p99_ms']:.2f} ms | ≤ 5 ms |",
            f"| one comment, wall clock, p50 | {speed['p50_ms']:.2f} ms | |",
            f"| one comment, wall clock, p99 | {speed['p99_ms']:.2f} ms | ≤ 5 ms |",
            f"| one comment, wall clock, slowest | {speed['max_ms']:.2f} ms | |",
            "",
            f"Model `{load['version']}`, {int(load['features'])} features.",
            "",
            SPEED_END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="write the figures into docs")
    args = parser.parse_args()

    from retorno.insight import evaluation

    started = time.perf_counter()
    result = evaluation.run()
    block = evaluation.render(result)
    print(block)
    print(f"\n(evaluation took {time.perf_counter() - started:.1f} s)\n")
    load = measure_load()
    speed = measure_speed()
    speed_block = render_speed(load, speed)
    print(speed_block)
    if args.write:
        document = DOC.read_text(encoding="utf-8")
        document = evaluation.replace_block(document, block)
        start = document.index(SPEED_BEGIN)
        end = document.index(SPEED_END) + len(SPEED_END)
        document = document[:start] + speed_block + document[end:]
        DOC.write_text(document, encoding="utf-8")
        print(f"\nwrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
