"""Bilingual phrase rules: what a shopper's words say about the reason, and why.

Each rule is a regular expression over the normalised comment (see text.py: lowercase ASCII
words, clause ends as "."). A hit records the phrase as it matched: that phrase is the
explanation a person reads. A phrase that a negation governs ("no me queda pequeño", "not too
small") is kept as a negated hit, which counts against its reason instead of for it.

When one comment gives several reasons, the one the store has to act on wins (PRECEDENCE):
the store's faults (wrong item, damaged, missing parts, defective, not as described, late)
before the shopper's (size, price, change of mind). The corpus is labelled by the same order
(docs/insight.md), and the statistical model learns how far to trust each rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retorno.domain.insight.rules_table import RULES as _RULE_TABLE

PRECEDENCE: tuple[str, ...] = (
    "wrong_item",
    "damaged",
    "missing_parts",
    "defective",
    "not_as_described",
    "arrived_late",
    "too_small",
    "too_large",
    "better_price",
    "changed_mind",
    "other",
)

NEGATORS = frozenset({"no", "not", "never", "nunca", "ni", "tampoco", "jamas", "nor", "nothing"})
# Words that end the reach of a negation, besides clause ends.
NEGATION_STOPS = frozenset(
    {
        ".",
        "pero",
        "sino",
        "aunque",
        "y",
        "e",
        "ademas",
        "encima",
        "but",
        "although",
        "though",
        "however",
        "instead",
        "rather",
        "and",
        "plus",
        "also",
    }
)
NEGATION_REACH = 3


@dataclass(frozen=True, slots=True)
class Rule:
    reason: str
    language: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class RuleHit:
    """One phrase found in a comment: its reason, the language of the rule, the phrase as
    normalised, and whether a negation governs it."""

    reason: str
    language: str
    phrase: str
    negated: bool
    start: int


def _compile() -> tuple[Rule, ...]:
    compiled = []
    for reason, language, patterns in _RULE_TABLE:
        for pattern in patterns:
            compiled.append(
                Rule(reason, language, re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])"))
            )
    return tuple(compiled)


RULES: tuple[Rule, ...] = _compile()


def _negated(normalised: str, start: int, reach_from: int) -> bool:
    """Whether a negator stands within NEGATION_REACH words before `start` (and after
    `reach_from`, where the phrase before it ends: "no funciona y llegó tarde" negates
    nothing), with no clause end, "and" or contrast word ("pero", "but") between them."""
    before = normalised[reach_from:start].split()
    for word in reversed(before[-NEGATION_REACH:]):
        if word in NEGATION_STOPS:
            return False
        if word in NEGATORS:
            return True
    return False


def find_hits(normalised: str) -> tuple[RuleHit, ...]:
    """Every rule phrase in the normalised comment, in order of appearance. Where two phrases
    of one reason overlap, the longer one is kept."""
    found = [
        (rule, match.start(), match.group(0).strip())
        for rule in RULES
        for match in rule.pattern.finditer(normalised)
        if match.group(0).strip()
    ]
    hits: list[RuleHit] = []
    for rule, start, phrase in found:
        reach_from = max(
            (other + len(text) for _, other, text in found if other + len(text) <= start),
            default=0,
        )
        hits.append(
            RuleHit(
                reason=rule.reason,
                language=rule.language,
                phrase=phrase,
                negated=_negated(normalised, start, reach_from),
                start=start,
            )
        )
    hits.sort(key=lambda hit: (hit.start, -len(hit.phrase)))
    kept: list[RuleHit] = []
    for hit in hits:
        end = hit.start + len(hit.phrase)
        if any(
            other.reason == hit.reason
            and other.start <= hit.start
            and end <= other.start + len(other.phrase)
            for other in kept
        ):
            continue
        kept.append(hit)
    return tuple(kept)


def leading_reason(hits: tuple[RuleHit, ...]) -> str | None:
    """The reason the rules put first: among the reasons with a phrase not negated, the one
    earliest in PRECEDENCE; None when no phrase stands."""
    standing = {hit.reason for hit in hits if not hit.negated}
    for reason in PRECEDENCE:
        if reason in standing:
            return reason
    return None


def rules_language(hits: tuple[RuleHit, ...]) -> str | None:
    """The language most of the phrases found are written in, if they agree."""
    languages = [hit.language for hit in hits]
    if not languages:
        return None
    ranked = sorted(
        {lang: languages.count(lang) for lang in languages}.items(), key=lambda i: -i[1]
    )
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]
