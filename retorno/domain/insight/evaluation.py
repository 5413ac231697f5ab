"""The figures of an evaluation, computed from (truth, answer, abstained, language) outcomes.

Accuracy counts an abstention as an error: a comment the classifier did not sort is a comment
a person still has to read. Precision is measured on the answered comments only, coverage is
the share answered. Macro-F1 averages the F1 of every reason (an abstention is a miss for the
true reason and a prediction of none). The confusion matrix has a row per true reason and a
column per answer, with "abstained" as the last column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ABSTAINED = "abstained"


@dataclass(frozen=True, slots=True)
class Outcome:
    truth: str
    answer: str
    abstained: bool
    language: str


@dataclass(frozen=True, slots=True)
class Figures:
    count: int
    accuracy: float
    macro_f1: float
    coverage: float
    precision_answered: float


@dataclass(frozen=True, slots=True)
class Report:
    overall: Figures
    by_language: tuple[tuple[str, Figures], ...]
    by_reason: tuple[tuple[str, float, float, float, int], ...]  # reason, precision, recall, f1, n
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]  # rows: truth in `labels`; columns: labels + abstained


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def per_reason(
    outcomes: Sequence[Outcome], labels: Sequence[str]
) -> list[tuple[str, float, float, float, int]]:
    rows = []
    for label in labels:
        truly = [o for o in outcomes if o.truth == label]
        answered_as = [o for o in outcomes if not o.abstained and o.answer == label]
        hits = sum(1 for o in answered_as if o.truth == label)
        precision = _ratio(hits, len(answered_as))
        recall = _ratio(hits, len(truly))
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append((label, precision, recall, f1, len(truly)))
    return rows


def figures(outcomes: Sequence[Outcome], labels: Sequence[str]) -> Figures:
    answered = [o for o in outcomes if not o.abstained]
    correct = sum(1 for o in answered if o.answer == o.truth)
    present = [label for label in labels if any(o.truth == label for o in outcomes)]
    reasons = per_reason(outcomes, present)
    return Figures(
        count=len(outcomes),
        accuracy=_ratio(correct, len(outcomes)),
        macro_f1=sum(row[3] for row in reasons) / len(reasons) if reasons else 0.0,
        coverage=_ratio(len(answered), len(outcomes)),
        precision_answered=_ratio(correct, len(answered)),
    )


def report(outcomes: Sequence[Outcome], labels: Sequence[str]) -> Report:
    """Every figure of the evaluation, overall and per language, with the confusion matrix."""
    languages = sorted({o.language for o in outcomes})
    columns = [*labels, ABSTAINED]
    index = {label: position for position, label in enumerate(columns)}
    matrix = [[0] * len(columns) for _ in labels]
    row_of = {label: position for position, label in enumerate(labels)}
    for o in outcomes:
        column = index[ABSTAINED] if o.abstained else index[o.answer]
        matrix[row_of[o.truth]][column] += 1
    return Report(
        overall=figures(outcomes, labels),
        by_language=tuple(
            (language, figures([o for o in outcomes if o.language == language], labels))
            for language in languages
        ),
        by_reason=tuple(per_reason(outcomes, labels)),
        labels=tuple(labels),
        confusion=tuple(tuple(row) for row in matrix),
    )
