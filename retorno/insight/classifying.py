"""The models the classifier answers with, loaded once per process. Django-free.

The shipped model is the JSON artefact committed beside this module (built from the corpus by
`python -m retorno.insight.training`); nothing is downloaded or trained at run time. A store's
own model (`retorno insight train --store SLUG`) is an artefact of the same shape kept in the
database; callers hand it over and it is cached by version.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from retorno.domain.insight.classifier import Prediction, classify
from retorno.domain.insight.model import LinearModel
from retorno.insight.training import SHIPPED_MODEL_PATH


@functools.cache
def shipped_model() -> LinearModel:
    """The shipped model, read from its artefact on first use (a fraction of a second)."""
    with SHIPPED_MODEL_PATH.open(encoding="utf-8") as handle:
        return LinearModel.from_artefact(json.load(handle))


_STORE_MODELS: dict[str, LinearModel] = {}
_STORE_MODELS_KEPT = 32


def cached_store_model(version: str) -> LinearModel | None:
    return _STORE_MODELS.get(version)


def model_from_artefact(artefact: Mapping[str, Any]) -> LinearModel:
    """A store model, parsed once per version (a handful are kept per process)."""
    version = str(artefact.get("version", ""))
    model = _STORE_MODELS.get(version)
    if model is None:
        model = LinearModel.from_artefact(artefact)
        if len(_STORE_MODELS) >= _STORE_MODELS_KEPT:
            _STORE_MODELS.pop(next(iter(_STORE_MODELS)))
        _STORE_MODELS[version] = model
    return model


def classify_comment(
    text: str,
    *,
    language: str | None = None,
    model: LinearModel | None = None,
    default_language: str = "en",
) -> Prediction:
    """Classify with `model`, or the shipped one."""
    return classify(
        text,
        model or shipped_model(),
        language=language,
        default_language=default_language,
    )
