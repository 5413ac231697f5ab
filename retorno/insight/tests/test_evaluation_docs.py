"""docs/insight.md shows the figures the evaluation gives today."""

from __future__ import annotations

from pathlib import Path

from retorno.insight import evaluation

DOC = Path(__file__).resolve().parents[3] / "docs" / "insight.md"


def test_the_docs_show_the_evaluation_as_it_is():
    written = evaluation.current_block(DOC.read_text(encoding="utf-8"))
    assert written == evaluation.render(evaluation.run()), (
        "the evaluation changed: run `.venv/bin/python bench/classifier.py --write`"
    )


def test_replacing_the_block_keeps_the_rest_of_the_page():
    page = f"intro\n{evaluation.BEGIN}\nold\n{evaluation.END}\noutro\n"
    new = f"{evaluation.BEGIN}\nnew\n{evaluation.END}"
    assert evaluation.replace_block(page, new) == f"intro\n{new}\noutro\n"
