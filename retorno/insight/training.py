"""Training the comment classifier: the shipped corpus, its split, and the recipe.

Django-free: the bench script, the tests and `retorno insight train` all call it. Only this
module imports scikit-learn; what it produces is a JSON artefact that the pure-Python model
(retorno/domain/insight/model.py) reads, so classifying never loads scikit-learn.

The corpus (corpus/comments.jsonl) holds one labelled comment per line, in phrasing families
("es-small-zip": comments that say the same thing in similar words). A family's group is its
name without the language ("small-zip"): a comment and its translation share a group, and each
line records the split of its group (train, dev, test or blind), so the evaluation never tests
a model on a paraphrase it was trained on. docs/insight.md says how each split was used.

    python -m retorno.insight.training      # rebuild the shipped model from the corpus
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retorno.domain.insight.classifier import classify
from retorno.domain.insight.evaluation import Outcome, Report, report
from retorno.domain.insight.features import (
    Features,
    document_frequencies,
    extract,
    inverse_document_frequency,
    weigh,
)
from retorno.domain.insight.model import ARTEFACT_FORMAT, LinearModel
from retorno.domain.insight.rules import find_hits
from retorno.domain.insight.text import words
from retorno.domain.returns.reasons import REASONS

HERE = Path(__file__).resolve().parent
CORPUS_PATH = HERE / "corpus" / "comments.jsonl"
SHIPPED_MODEL_PATH = HERE / "shipped_model.json"
LABELS: tuple[str, ...] = tuple(REASONS)
SPLITS: tuple[str, ...] = ("train", "dev", "test", "blind")


@dataclass(frozen=True)
class Example:
    id: str
    family: str
    language: str
    reason: str
    text: str
    split: str = "train"
    weight: float = 1.0

    @property
    def group(self) -> str:
        """The family without its language: translations share a group."""
        return self.family.split("-", 1)[1]


@dataclass(frozen=True)
class Recipe:
    """How a model is trained. `threshold`: the classifier answers only when its best reason is
    at least this likely; at 0.5 an answer is more likely right than all the others together."""

    c: float = 8.0
    block_weights: dict[str, float] = field(
        default_factory=lambda: {"c": 1.0, "w": 0.8, "r": 1.2, "l": 0.6}
    )
    min_df: int = 2
    threshold: float = 0.5
    # Each example with a rule phrase is also trained on without it, at this weight: the model
    # must learn to read words too, or "no phrase matched" would simply mean "other".
    without_rules_weight: float = 0.5


RECIPE = Recipe()


def load_corpus(path: Path = CORPUS_PATH) -> list[Example]:
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["reason"] not in REASONS:
            raise ValueError(f"{path.name}:{number}: unknown reason {row['reason']!r}")
        if row["split"] not in SPLITS:
            raise ValueError(f"{path.name}:{number}: unknown split {row['split']!r}")
        examples.append(
            Example(
                row["id"],
                row["family"],
                row["language"],
                row["reason"],
                row["text"],
                split=row["split"],
            )
        )
    return examples


def digest(path: Path = CORPUS_PATH) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def by_split(examples: Iterable[Example]) -> dict[str, list[Example]]:
    """The corpus's own split, by group (see docs/insight.md)."""
    found: dict[str, list[Example]] = {name: [] for name in SPLITS}
    for example in examples:
        found[example.split].append(example)
    return found


def evaluation_sets(
    examples: Iterable[Example],
) -> tuple[list[Example], list[Example], list[Example]]:
    """(what the evaluated model trains on: train and dev, the held-out test, the blind set)."""
    parts = by_split(examples)
    return parts["train"] + parts["dev"], parts["test"], parts["blind"]


def featurise(text: str) -> Features:
    tokens = words(text)
    return extract(tokens, find_hits(" ".join(tokens)))


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def fit(
    examples: Sequence[Example],
    recipe: Recipe = RECIPE,
    *,
    version: str,
    trained: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Train on `examples` and return the artefact (a JSON-ready dict)."""
    # scikit-learn only trains: classifying never imports it, so it is loaded here, on demand.
    from scipy.sparse import csr_matrix

    # (scipy above and scikit-learn here: both for training only.)
    from sklearn.linear_model import LogisticRegression

    documents = [featurise(example.text) for example in examples]
    labels = [example.reason for example in examples]
    weights = [example.weight for example in examples]
    if recipe.without_rules_weight > 0:
        for example, document in zip(examples, list(documents), strict=True):
            rules = tuple(name for name in document.rules if not name.startswith("r:"))
            if rules != document.rules:
                documents.append(Features(document.chars, document.words, rules))
                labels.append(example.reason)
                weights.append(example.weight * recipe.without_rules_weight)
    total, frequencies = document_frequencies(documents)
    idf = {
        name: (1.0 if name[:2] in ("r:", "l:") else inverse_document_frequency(total, count))
        for name, count in frequencies.items()
        if name[:2] in ("r:", "l:") or count >= recipe.min_df
    }
    names = sorted(idf)
    column = {name: index for index, name in enumerate(names)}
    data, rows, columns = [], [], []
    for row, document in enumerate(documents):
        for name, value in weigh(document, idf, recipe.block_weights).items():
            rows.append(row)
            columns.append(column[name])
            data.append(value)
    matrix = csr_matrix((data, (rows, columns)), shape=(len(documents), len(names)))
    present = sorted(set(labels), key=LABELS.index)
    model = LogisticRegression(C=recipe.c, solver="newton-cg", max_iter=1000)
    model.fit(matrix, labels, sample_weight=weights)
    order = [list(model.classes_).index(label) for label in present]
    coef = model.coef_[order]
    features = {
        name: [_round(idf[name]), *(_round(float(coef[k, j])) for k in range(len(present)))]
        for j, name in enumerate(names)
        if any(abs(coef[k, j]) >= 1e-6 for k in range(len(present)))
    }
    return {
        "format": ARTEFACT_FORMAT,
        "version": version,
        "classes": present,
        "threshold": recipe.threshold,
        "block_weights": dict(recipe.block_weights),
        "intercepts": [_round(float(model.intercept_[k])) for k in order],
        "features": features,
        "trained": {"examples": len(examples), "c": recipe.c, "min_df": recipe.min_df}
        | (trained or {}),
    }


def evaluate(model: LinearModel, examples: Sequence[Example]) -> Report:
    """Classify each example as a shopper wrote it (language detected) and report."""
    outcomes = []
    for example in examples:
        prediction = classify(example.text, model)
        outcomes.append(
            Outcome(example.reason, prediction.reason, prediction.abstained, example.language)
        )
    return report(outcomes, LABELS)


def shipped_version(corpus_digest: str) -> str:
    return f"shipped-{corpus_digest[:12]}"


def build_shipped(path: Path = CORPUS_PATH) -> dict[str, Any]:
    """The model Retorno ships: the recipe trained on the whole corpus."""
    corpus_digest = digest(path)
    examples = load_corpus(path)
    return fit(
        examples,
        version=shipped_version(corpus_digest),
        trained={"corpus_sha256": corpus_digest, "labels": Counter(e.reason for e in examples)},
    )


def write_artefact(artefact: dict[str, Any], path: Path = SHIPPED_MODEL_PATH) -> None:
    path.write_text(json.dumps(artefact, sort_keys=True, separators=(",", ":")) + "\n")


def read_artefact(path: Path = SHIPPED_MODEL_PATH) -> dict[str, Any]:
    artefact: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return artefact


if __name__ == "__main__":
    # python -m retorno.insight.training: rebuild the shipped model from the corpus.
    write_artefact(build_shipped())
    print(f"wrote {SHIPPED_MODEL_PATH}")
