"""classify(): a shopper's comment → the return reason it gives, explained, or an abstention.

The comment is normalised, its language detected, the phrase rules run, and the linear model
scores every reason from the rule hits, words and character n-grams together. Below the
model's confidence threshold the classifier abstains: the answer is then `other` with
`abstained` true, and the explanation names the best guess for a person to weigh. A comment
in a language other than Spanish or English, or with no words, is answered the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from retorno.domain.insight.features import extract
from retorno.domain.insight.language import OTHER, SUPPORTED, detect_language, has_letters
from retorno.domain.insight.model import LinearModel
from retorno.domain.insight.rules import RuleHit, find_hits, rules_language
from retorno.domain.insight.text import words
from retorno.domain.returns.reasons import REASONS

FALLBACK_REASON = "other"
MAX_PHRASES = 3
MAX_FEATURES = 3


@dataclass(frozen=True, slots=True)
class Evidence:
    """One thing that decided: a rule `phrase`, a model `feature` (a word or pair of words),
    another reason the comment `also` gives, or a `note` (why the classifier abstained)."""

    kind: str
    text: str
    reason: str | None = None
    weight: float | None = None

    def as_dict(self) -> dict[str, Any]:
        weight = None if self.weight is None else round(self.weight, 3)
        return {"kind": self.kind, "text": self.text, "reason": self.reason, "weight": weight}


@dataclass(frozen=True, slots=True)
class Prediction:
    reason: str
    group: str
    confidence: float
    language: str
    abstained: bool
    explanation: tuple[Evidence, ...]
    size_direction: int
    model_version: str
    # Not part of the answer: the model's best reason (also when abstaining), for evaluation.
    best_guess: str

    def as_dict(self) -> dict[str, Any]:
        """The answer as the API, the command line and storage give it."""
        return {
            "reason": self.reason,
            "group": self.group,
            "confidence": round(self.confidence, 4),
            "language": self.language,
            "abstained": self.abstained,
            "explanation": [evidence.as_dict() for evidence in self.explanation],
            "size_direction": self.size_direction,
            "model_version": self.model_version,
        }


def _answer(
    reason: str,
    confidence: float,
    language: str,
    explanation: list[Evidence],
    model: LinearModel,
    *,
    abstained: bool,
    best_guess: str,
) -> Prediction:
    leaf = REASONS[reason]
    return Prediction(
        reason=reason,
        group=leaf.group,
        confidence=confidence,
        language=language,
        abstained=abstained,
        explanation=tuple(explanation),
        size_direction=leaf.size_direction,
        model_version=model.version,
        best_guess=best_guess,
    )


def _language(text: str, hint: str | None, hits: tuple[RuleHit, ...], default: str) -> str:
    if hint:
        hint = hint.strip().lower()[:2]
        return hint if hint in SUPPORTED else OTHER
    guess = detect_language(text).code
    if guess is not None:
        return guess
    return rules_language(hits) or default


def _readable(feature: str) -> str:
    """ "w:no_pequeno" → "no pequeno", "w:me+queda" → "me queda"."""
    return feature.split(":", 1)[1].replace("+", " ").replace("no_", "no ")


def classify(
    text: str,
    model: LinearModel,
    *,
    language: str | None = None,
    default_language: str = "en",
) -> Prediction:
    """Classify one comment with `model`.

    `language` is the caller's word for it ("es", "en"; another code means a language the
    classifier does not read); without it the language is detected, then taken from the
    phrases recognised, then `default_language`. Pure: same inputs, same Prediction.
    """
    tokens = words(text)
    hits = find_hits(" ".join(tokens))
    answer_language = _language(text, language, hits, default_language)
    if answer_language == OTHER:
        note = Evidence("note", "The comment is not in Spanish or English.")
        return _answer(
            FALLBACK_REASON, 0.0, OTHER, [note], model, abstained=True, best_guess=FALLBACK_REASON
        )
    if not has_letters(text):
        note = Evidence("note", "The comment has no words to read.")
        return _answer(
            FALLBACK_REASON,
            0.0,
            answer_language,
            [note],
            model,
            abstained=True,
            best_guess=FALLBACK_REASON,
        )
    vector = model.vector(extract(tokens, hits))
    probabilities = model.probabilities(vector)
    best = max(range(len(probabilities)), key=lambda index: probabilities[index])
    best_reason = model.classes[best]
    confidence = probabilities[best]
    evidence = _evidence(model, vector, best, best_reason, hits)
    if confidence < model.threshold:
        note = Evidence(
            "note",
            f"Not sure enough: the best guess, {best_reason}, has {confidence:.2f} "
            f"(answers need {model.threshold:.2f}).",
            reason=best_reason,
            weight=confidence,
        )
        return _answer(
            FALLBACK_REASON,
            confidence,
            answer_language,
            [note, *evidence],
            model,
            abstained=True,
            best_guess=best_reason,
        )
    return _answer(
        best_reason,
        confidence,
        answer_language,
        evidence,
        model,
        abstained=False,
        best_guess=best_reason,
    )


def _evidence(
    model: LinearModel,
    vector: dict[str, float],
    best: int,
    best_reason: str,
    hits: tuple[RuleHit, ...],
) -> list[Evidence]:
    """The phrases of the chosen reason, the words that pushed most towards it, and the other
    reasons the comment also gives."""
    found: list[Evidence] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.reason == best_reason and not hit.negated and hit.phrase not in seen:
            seen.add(hit.phrase)
            found.append(Evidence("phrase", hit.phrase, reason=hit.reason))
    found = found[:MAX_PHRASES]
    words_pushing = [
        (name, push)
        for name, push in model.contributions(vector, best)
        if name.startswith("w:") and push > 0
    ]
    for name, push in words_pushing[:MAX_FEATURES]:
        found.append(Evidence("feature", _readable(name), reason=best_reason, weight=push))
    also: list[str] = []
    for hit in hits:
        if hit.reason not in (best_reason, *also) and not hit.negated:
            also.append(hit.reason)
            found.append(Evidence("also", hit.phrase, reason=hit.reason))
    return found
