"""What a person is shown of why a comment reads as it does: the rule phrases that decided,
then the model's words that carry meaning. The model also leans on glue words ("me", "on me",
"from the", a negated "no me") and single letters ("l" from "pedí una M y llegó una L"); they
help it decide but tell a reader nothing, so panels and the return page leave them out."""

from __future__ import annotations

from collections.abc import Iterable

from retorno.domain.insight.classifier import Evidence

# Spanish and English words that only hold a sentence together (normalised: no accents).
_GLUE = (
    "a al cada con de del el en es esta este la las le lo los me mi mis muy no nos o para pero "
    "por que se su te un una uno y ya "
    "an and are as at be but by did do does for from had has have i in is it its me my of "
    "on one so than that the this to too was were with you your not"
)
GLUE_WORDS = frozenset(_GLUE.split())
MIN_LETTERS = 3


def _telling(text: str) -> bool:
    tokens = text.split()
    return any(token not in GLUE_WORDS and len(token) >= MIN_LETTERS for token in tokens)


def telling_phrases(explanation: Iterable[Evidence], limit: int = 5) -> list[str]:
    """The rule phrases, then the model's telling words and pairs of words not already said by
    a phrase kept, without repeats, at most `limit`."""
    evidence = list(explanation)
    phrases = [e.text for e in evidence if e.kind == "phrase"]
    words = [e.text for e in evidence if e.kind == "feature" and _telling(e.text)]
    kept: list[str] = []
    said: set[str] = set()
    for text in phrases + words:
        tokens = set(text.split())
        if text in kept or (text in words and tokens <= said):
            continue
        kept.append(text)
        said |= tokens
    return kept[:limit]
