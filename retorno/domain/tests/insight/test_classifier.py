"""classify() with a small hand-made model: answers, abstentions, the explanation."""

from __future__ import annotations

import math

import pytest

from retorno.domain.insight.classifier import classify
from retorno.domain.insight.evaluation import ABSTAINED, Outcome, report
from retorno.domain.insight.features import extract, marked_words, weigh
from retorno.domain.insight.model import LinearModel, ModelArtefactError
from retorno.domain.insight.rules import find_hits
from retorno.domain.insight.text import words

CLASSES = ["too_small", "too_large", "other"]


def model(threshold: float = 0.5) -> LinearModel:
    """Rule features decide; the word "grande" leans to too_large; nothing else is known."""
    return LinearModel.from_artefact(
        {
            "format": 1,
            "version": "test-1",
            "classes": CLASSES,
            "threshold": threshold,
            "block_weights": {"c": 1.0, "w": 1.0, "r": 1.0, "l": 1.0},
            "intercepts": [0.0, 0.0, 0.5],
            "features": {
                "r:too_small": [1.0, 4.0, -2.0, -2.0],
                "r:too_large": [1.0, -2.0, 4.0, -2.0],
                "w:grande": [1.5, -0.5, 1.0, -0.5],
            },
        }
    )


def test_the_answer_has_exactly_the_documented_fields():
    answer = classify("Me queda grande", model()).as_dict()
    assert list(answer) == [
        "reason",
        "group",
        "confidence",
        "language",
        "abstained",
        "explanation",
        "size_direction",
        "model_version",
    ]
    assert answer["reason"] == "too_large"
    assert answer["group"] == "size"
    assert answer["language"] == "es"
    assert answer["abstained"] is False
    assert answer["size_direction"] == -1
    assert answer["model_version"] == "test-1"
    assert answer["explanation"][0] == {
        "kind": "phrase",
        "text": "me queda grande",
        "reason": "too_large",
        "weight": None,
    }


def test_negation_turns_the_answer_around():
    answer = classify("no me queda pequeño, me queda grande", model())
    assert answer.reason == "too_large"
    assert answer.size_direction == -1
    answer = classify("not too big at all, it's way too small", model())
    assert answer.reason == "too_small"
    assert answer.size_direction == 1


def test_below_the_threshold_it_abstains_with_its_best_guess():
    answer = classify("algo grande tal vez", model(threshold=0.9))
    assert answer.abstained
    assert answer.reason == "other"
    assert answer.group == "other"
    assert answer.best_guess == "too_large"
    assert answer.explanation[0].kind == "note"
    assert answer.explanation[0].reason == "too_large"
    assert answer.confidence < 0.9


def test_another_language_or_no_words_is_an_abstention():
    for text in ("Je le renvoie, la taille est trop petite", "👍", ""):
        answer = classify(text, model())
        assert answer.abstained
        assert answer.reason == "other"
    assert classify("Es ist leider zu klein, ich möchte es zurückgeben", model()).language == (
        "other"
    )


def test_the_callers_language_wins_over_detection():
    assert classify("XL", model(), language="es").language == "es"
    assert classify("me queda grande", model(), language="pt").abstained


def test_probabilities_are_a_softmax_of_the_scores():
    the_model = model()
    vector = the_model.vector(extract(words("grande"), ()))
    assert set(vector) == {"w:grande"}
    assert vector["w:grande"] == pytest.approx(1.0)  # a block alone is of unit length
    probabilities = the_model.probabilities(vector)
    scores = [-0.5, 1.0, 0.0]
    total = sum(math.exp(s) for s in scores)
    assert probabilities == pytest.approx([math.exp(s) / total for s in scores])


def test_negated_words_are_marked_until_a_clause_ends():
    assert marked_words(["no", "me", "queda", "pequeno", ".", "me", "queda"]) == [
        "no",
        "no_me",
        "no_queda",
        "no_pequeno",
        ".",
        "me",
        "queda",
    ]


def test_weighing_knows_only_the_models_features():
    tokens = words("me queda grande")
    features = extract(tokens, find_hits(" ".join(tokens)))
    assert "r:too_large" in features.rules
    assert "r:top_too_large" in features.rules
    vector = weigh(features, {"r:too_large": 1.0}, {"c": 1, "w": 1, "r": 2.0, "l": 1})
    assert vector == {"r:too_large": 2.0}


def test_a_malformed_artefact_is_refused():
    with pytest.raises(ModelArtefactError):
        LinearModel.from_artefact({"format": 1, "classes": ["a"]})
    artefact = {
        "format": 1,
        "version": "x",
        "classes": CLASSES,
        "threshold": 0.5,
        "block_weights": {"c": 1, "w": 1, "r": 1, "l": 1},
        "intercepts": [0, 0, 0],
        "features": {"w:x": [1.0, 0.0]},
    }
    with pytest.raises(ModelArtefactError):
        LinearModel.from_artefact(artefact)


def test_evaluation_counts_abstentions_as_errors_and_reports_precision_on_answers():
    outcomes = [
        Outcome("too_small", "too_small", False, "es"),
        Outcome("too_small", "other", True, "es"),
        Outcome("too_large", "too_large", False, "en"),
        Outcome("too_large", "too_small", False, "en"),
    ]
    result = report(outcomes, CLASSES)
    assert result.overall.accuracy == 0.5
    assert result.overall.coverage == 0.75
    assert result.overall.precision_answered == pytest.approx(2 / 3)
    by_language = dict(result.by_language)
    assert by_language["es"].accuracy == 0.5
    assert by_language["es"].precision_answered == 1.0
    assert by_language["en"].coverage == 1.0
    # too_small: precision 1/2, recall 1/2; too_large: precision 1, recall 1/2.
    assert result.overall.macro_f1 == pytest.approx((0.5 + 2 / 3) / 2)
    abstained = len(CLASSES)
    assert result.confusion[0][abstained] == 1
    assert result.confusion[1][0] == 1
    assert ABSTAINED == "abstained"
