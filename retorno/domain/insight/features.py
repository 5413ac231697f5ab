"""What the statistical model reads in a comment: three blocks of named features.

- "c:" character n-grams (3 to 5 letters, inside words padded with a space) of the normalised
  comment: they survive typos, missing accents and the other language's spelling of a root
  ("pequen", "small", "defect").
- "w:" words and pairs of words ("w:me+queda"), where a word governed by a negation carries "no_"
  ("no me queda pequeño" gives "no_pequeno", so "pequeno" alone keeps its meaning).
- "r:" the phrase rules (rules.py): each reason with a standing phrase, each reason only
  negated, and the reason the rules put first.
- "l:" the word families present (lexicons.py).

`weigh` turns the names into the numbers the model multiplies: within the "c" and "w" blocks
term frequency (1 + ln n) times inverse document frequency, scaled to unit length; rule and
word-family features are their block's weight. Training (retorno/insight/training.py) and prediction both call it, so the
numbers can never differ between the two.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from retorno.domain.insight.lexicons import families
from retorno.domain.insight.rules import NEGATION_STOPS, NEGATORS, RuleHit, leading_reason

CHAR_NGRAMS = (3, 5)
NEGATION_REACH = 3
BLOCKS = ("c", "w", "r", "l")
# Words too common to say anything, in either language, skipped as single-word features
# (they stay inside pairs and character n-grams).
_STOPWORDS = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "un",
        "una",
        "de",
        "del",
        "al",
        "y",
        "o",
        "que",
        "en",
        "es",
        "lo",
        "se",
        "por",
        "con",
        "para",
        "su",
        "a",
        "le",
        "me",
        "mi",
        "the",
        "a",
        "an",
        "of",
        "and",
        "or",
        "to",
        "in",
        "is",
        "it",
        "i",
        "my",
        "this",
        "that",
        "for",
        "on",
        "with",
        "was",
        "be",
        "at",
    ]
)


@dataclass(frozen=True, slots=True)
class Features:
    """The feature names of one comment, by block, with repeats (term frequency)."""

    chars: tuple[str, ...]
    words: tuple[str, ...]
    rules: tuple[str, ...]

    def all(self) -> tuple[str, ...]:
        return self.chars + self.words + self.rules


def char_features(tokens: Sequence[str]) -> list[str]:
    low, high = CHAR_NGRAMS
    found: list[str] = []
    for token in tokens:
        if token == ".":
            continue
        padded = f" {token} "
        for size in range(low, high + 1):
            found.extend(f"c:{padded[i : i + size]}" for i in range(len(padded) - size + 1))
    return found


def marked_words(tokens: Sequence[str]) -> list[str]:
    """The tokens with "no_" on those a negation governs (up to NEGATION_REACH words after a
    negator, stopping at a clause end or a contrast word)."""
    marked: list[str] = []
    reach = 0
    for token in tokens:
        if token in NEGATION_STOPS:
            reach = 0
            marked.append(token)
        elif token in NEGATORS:
            reach = NEGATION_REACH
            marked.append(token)
        elif reach > 0:
            reach -= 1
            marked.append(f"no_{token}")
        else:
            marked.append(token)
    return marked


def word_features(tokens: Sequence[str]) -> list[str]:
    marked = marked_words(tokens)
    found = [f"w:{word}" for word in marked if word != "." and word not in _STOPWORDS]
    found.extend(
        f"w:{first}+{second}"
        for first, second in pairwise(marked)
        if first != "." and second != "."
    )
    return found


def rule_features(hits: Sequence[RuleHit]) -> list[str]:
    standing = sorted({hit.reason for hit in hits if not hit.negated})
    negated_only = sorted({hit.reason for hit in hits if hit.negated} - set(standing))
    found = [f"r:{reason}" for reason in standing]
    found.extend(f"r:not_{reason}" for reason in negated_only)
    leading = leading_reason(tuple(hits))
    if leading is not None:
        found.append(f"r:top_{leading}")
    return found


def extract(tokens: Sequence[str], hits: Sequence[RuleHit]) -> Features:
    """Every feature of a comment, from its normalised tokens and its rule hits."""
    return Features(
        chars=tuple(char_features(tokens)),
        words=tuple(word_features(tokens)),
        rules=tuple(rule_features(hits) + families(tokens)),
    )


def document_frequencies(documents: Iterable[Features]) -> tuple[int, Counter[str]]:
    """How many documents there are and in how many each feature appears."""
    counts: Counter[str] = Counter()
    total = 0
    for features in documents:
        total += 1
        counts.update(set(features.all()))
    return total, counts


def inverse_document_frequency(total: int, frequency: int) -> float:
    """Smoothed: ln((1 + n) / (1 + df)) + 1, so a feature in every document still counts."""
    return math.log((1 + total) / (1 + frequency)) + 1.0


def weigh(
    features: Features,
    idf: Mapping[str, float],
    block_weights: Mapping[str, float],
) -> dict[str, float]:
    """The comment as a sparse vector: feature name → value, known features only."""
    vector: dict[str, float] = {}
    for block, names in (("c", features.chars), ("w", features.words)):
        weighted = {
            name: (1.0 + math.log(count)) * idf[name]
            for name, count in Counter(names).items()
            if name in idf
        }
        norm = math.sqrt(sum(value * value for value in weighted.values()))
        if norm > 0:
            scale = block_weights[block] / norm
            for name, value in weighted.items():
                vector[name] = value * scale
    for name in set(features.rules):
        if name in idf:
            vector[name] = block_weights[name[0]]
    return vector
