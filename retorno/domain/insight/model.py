"""A trained linear model, read from its artefact and applied in pure Python.

The artefact is a JSON document (written by retorno/insight/training.py):

    {"format": 1, "version": "...", "classes": [...], "threshold": 0.6,
     "block_weights": {"c": 1.0, "w": 1.0, "r": 1.0},
     "intercepts": [...one per class],
     "features": {"c: pe": [idf, weight for class 0, weight for class 1, ...], ...},
     "trained": {...what it was trained on}}

Multinomial logistic regression: the score of a class is its intercept plus the sum of
value × weight over the comment's features; probabilities are the softmax of the scores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from retorno.domain.errors import DomainError
from retorno.domain.insight.features import BLOCKS, Features, weigh

ARTEFACT_FORMAT = 1


class ModelArtefactError(DomainError):
    code = "invalid_model"


@dataclass(frozen=True, slots=True)
class LinearModel:
    version: str
    classes: tuple[str, ...]
    threshold: float
    block_weights: Mapping[str, float]
    intercepts: tuple[float, ...]
    idf: Mapping[str, float]
    weights: Mapping[str, tuple[float, ...]]
    trained: Mapping[str, Any]

    @classmethod
    def from_artefact(cls, artefact: Mapping[str, Any]) -> LinearModel:
        """Read an artefact; ModelArtefactError when its shape is not the one written."""
        try:
            if artefact["format"] != ARTEFACT_FORMAT:
                raise ModelArtefactError(f"Unknown model format {artefact['format']!r}.")
            classes = tuple(str(name) for name in artefact["classes"])
            width = len(classes)
            idf: dict[str, float] = {}
            weights: dict[str, tuple[float, ...]] = {}
            for name, row in artefact["features"].items():
                if len(row) != width + 1:
                    raise ModelArtefactError(f"Feature {name!r} has {len(row)} numbers.")
                idf[name] = float(row[0])
                weights[name] = tuple(float(value) for value in row[1:])
            intercepts = tuple(float(value) for value in artefact["intercepts"])
            block_weights = {block: float(artefact["block_weights"][block]) for block in BLOCKS}
            if len(intercepts) != width or width < 2:
                raise ModelArtefactError("The model needs one intercept per class.")
            return cls(
                version=str(artefact["version"]),
                classes=classes,
                threshold=float(artefact["threshold"]),
                block_weights=MappingProxyType(block_weights),
                intercepts=intercepts,
                idf=MappingProxyType(idf),
                weights=MappingProxyType(weights),
                trained=MappingProxyType(dict(artefact.get("trained", {}))),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelArtefactError(f"The model artefact is malformed: {exc!r}") from None

    def vector(self, features: Features) -> dict[str, float]:
        return weigh(features, self.idf, self.block_weights)

    def probabilities(self, vector: Mapping[str, float]) -> tuple[float, ...]:
        """One probability per class (in `classes` order), summing to 1."""
        scores = list(self.intercepts)
        width = len(scores)
        for name, value in vector.items():
            row = self.weights[name]
            for index in range(width):
                scores[index] += value * row[index]
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return tuple(value / total for value in exps)

    def contributions(
        self, vector: Mapping[str, float], class_index: int
    ) -> list[tuple[str, float]]:
        """Each feature's push towards `class_index` against the average class, largest first."""
        width = len(self.classes)
        pushes = []
        for name, value in vector.items():
            row = self.weights[name]
            pushes.append((name, value * (row[class_index] - sum(row) / width)))
        pushes.sort(key=lambda item: (-item[1], item[0]))
        return pushes
