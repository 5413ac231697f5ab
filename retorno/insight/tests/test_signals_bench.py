"""The abuse signals against generated histories whose truth is known: docs/insight.md shows
what bench/signals.py measures, and the measure itself finds each kind of abuser."""

from __future__ import annotations

from bench import signals as bench


def test_the_docs_show_the_figures_the_bench_gives():
    document = bench.DOC.read_text(encoding="utf-8")
    written = document[document.index(bench.BEGIN) : document.index(bench.END) + len(bench.END)]
    assert written == bench.render(bench.measure(4000, 13), 4000, 13), (
        "the signals changed: run `.venv/bin/python bench/signals.py --write`"
    )


def test_every_signal_finds_most_of_its_abusers_and_fires_mostly_on_them():
    rows = {row["signal"]: row for row in bench.measure(1500, 7)}
    for signal, row in rows.items():
        assert row["abusers"] > 20, signal
        assert row["recall"] >= 0.5, (signal, row)
        assert row["hits"] >= 0.35 * row["fired"], (signal, row)
