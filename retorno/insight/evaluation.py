"""The classifier's evaluation, as bench/classifier.py prints it and docs/insight.md keeps it.

The recipe (training.RECIPE) is trained on the corpus's train and dev families and evaluated on
the held-out test families and on the blind families. `render` gives the markdown that sits in
docs/insight.md between the evaluation markers; a test recomputes it and fails when the docs
disagree. Django-free.
"""

from __future__ import annotations

from dataclasses import dataclass

from retorno.domain.insight.evaluation import ABSTAINED, Figures, Report
from retorno.domain.insight.model import LinearModel
from retorno.insight import training

BEGIN = "<!-- evaluation:begin (written by bench/classifier.py) -->"
END = "<!-- evaluation:end -->"
TARGETS = {"accuracy": 0.85, "per_language": 0.80, "precision_answered": 0.92}


@dataclass(frozen=True)
class Evaluation:
    trained_on: int
    test: Report
    blind: Report
    threshold: float


def run() -> Evaluation:
    """Train the recipe on train + dev, classify the test and blind families."""
    training_set, test, blind = training.evaluation_sets(training.load_corpus())
    artefact = training.fit(training_set, version="evaluation")
    model = LinearModel.from_artefact(artefact)
    return Evaluation(
        trained_on=len(training_set),
        test=training.evaluate(model, test),
        blind=training.evaluate(model, blind),
        threshold=model.threshold,
    )


def _figures_row(name: str, figures: Figures) -> str:
    return (
        f"| {name} | {figures.count} | {figures.accuracy:.3f} | {figures.macro_f1:.3f} | "
        f"{figures.coverage:.3f} | {figures.precision_answered:.3f} |"
    )


def _figures_table(report: Report) -> list[str]:
    lines = [
        "| comments | n | accuracy | macro-F1 | coverage | precision when answering |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        _figures_row("all", report.overall),
    ]
    lines += [_figures_row(language, figures) for language, figures in report.by_language]
    return lines


def _confusion(report: Report) -> list[str]:
    short = {label: label.replace("_", " ") for label in report.labels}
    header = "| truth \\ answer | " + " | ".join(short[label] for label in report.labels)
    lines = [header + f" | {ABSTAINED} |", "| --- |" + " ---: |" * (len(report.labels) + 1)]
    for label, row in zip(report.labels, report.confusion, strict=True):
        cells = " | ".join(str(count) if count else "·" for count in row)
        lines.append(f"| {short[label]} | {cells} |")
    return lines


def _per_reason(report: Report) -> list[str]:
    lines = ["| reason | n | precision | recall | F1 |", "| --- | ---: | ---: | ---: | ---: |"]
    for reason, precision, recall, f1, count in report.by_reason:
        lines.append(f"| `{reason}` | {count} | {precision:.3f} | {recall:.3f} | {f1:.3f} |")
    return lines


def _verdict(report: Report) -> list[str]:
    overall = report.overall
    checks = [
        ("accuracy (abstentions count as errors)", overall.accuracy, TARGETS["accuracy"]),
        ("precision when answering", overall.precision_answered, TARGETS["precision_answered"]),
    ]
    checks += [
        (f"accuracy, {language}", figures.accuracy, TARGETS["per_language"])
        for language, figures in report.by_language
    ]
    return [
        f"- {name}: {value:.3f} against ≥ {target:.2f}: {'met' if value >= target else 'MISSED'}"
        for name, value, target in checks
    ]


def render(evaluation: Evaluation) -> str:
    """The markdown block of the evaluation (between BEGIN and END, markers included)."""
    test, blind = evaluation.test, evaluation.blind
    lines = [
        BEGIN,
        "",
        f"Trained on {evaluation.trained_on} comments (train and dev families); answers need a "
        f"confidence of {evaluation.threshold:.2f}.",
        "",
        f"### Held-out test families ({test.overall.count} comments)",
        "",
        *_figures_table(test),
        "",
        "Against the targets:",
        "",
        *_verdict(test),
        "",
        "Per reason:",
        "",
        *_per_reason(test),
        "",
        "Confusion matrix (rows: the true reason; columns: the answer):",
        "",
        *_confusion(test),
        "",
        f"### Blind families ({blind.overall.count} comments)",
        "",
        *_figures_table(blind),
        "",
        *_verdict(blind),
        "",
        "Confusion matrix:",
        "",
        *_confusion(blind),
        "",
        END,
    ]
    return "\n".join(lines)


def replace_block(document: str, block: str) -> str:
    """`document` with its evaluation block replaced by `block` (markers included)."""
    start = document.index(BEGIN)
    end = document.index(END, start) + len(END)
    return document[:start] + block + document[end:]


def current_block(document: str) -> str:
    start = document.index(BEGIN)
    return document[start : document.index(END, start) + len(END)]
