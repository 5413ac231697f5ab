"""Phrase rules: negation, precedence, and the table itself."""

from __future__ import annotations

import re

import pytest

from retorno.domain.insight.rules import PRECEDENCE, RULES, find_hits, leading_reason
from retorno.domain.insight.text import normalise
from retorno.domain.returns.reasons import REASONS


def standing(text):
    return {hit.reason for hit in find_hits(normalise(text)) if not hit.negated}


def leading(text):
    return leading_reason(find_hits(normalise(text)))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("no me queda pequeño, me queda grande", "too_large"),
        ("not too small, way too big", "too_large"),
        ("No es que me quede grande, al contrario, me queda apretado", "too_small"),
        ("no funciona y llegó tarde", "defective"),
        ("Llegó tarde y encima con la caja rota", "damaged"),
        ("me queda grande y ya no lo necesito", "too_large"),
        ("Pedí una M y me llegó una XL", "wrong_item"),
        ("lo pedí para Nochebuena y vino en enero", "arrived_late"),
        ("ordered the suit for graduation and it came two days later", "arrived_late"),
        ("looks so much cheaper than the photos", "not_as_described"),
        ("faltan los tornillos", "missing_parts"),
        ("lo encontré más barato en Amazon", "better_price"),
        ("changed my mind", "changed_mind"),
    ],
)
def test_the_reason_the_rules_put_first(text, reason):
    assert leading(text) == reason


def test_a_negated_phrase_counts_against_its_reason():
    hits = find_hits(normalise("no me queda pequeño"))
    assert [(hit.reason, hit.negated) for hit in hits] == [("too_small", True)]
    assert leading_reason(hits) is None


def test_a_negation_does_not_reach_past_the_phrase_it_belongs_to():
    hits = find_hits(normalise("no funciona y llegó tarde"))
    assert {(hit.reason, hit.negated) for hit in hits} == {
        ("defective", False),
        ("arrived_late", False),
    }


def test_a_size_word_describing_a_flaw_is_not_about_the_fit():
    assert standing("a very small scratch on the screen") == set()
    assert "too_large" not in standing("there is a huge dent in the door")


def test_the_precedence_lists_every_leaf_once():
    assert sorted(PRECEDENCE) == sorted(REASONS)


def test_every_reason_but_other_has_phrases_in_both_languages():
    covered = {(rule.reason, rule.language) for rule in RULES}
    for reason in REASONS:
        assert {(reason, "es"), (reason, "en")} <= covered


def test_no_pattern_carries_a_formatted_python_value():
    """Quantifiers written inside f-strings must be doubled ({{0,3}}); single braces turn into a
    Python tuple ("(0, 3)") and the pattern silently means something else."""
    for rule in RULES:
        assert not re.search(r"\(\d+, \d+\)", rule.pattern.pattern), rule.pattern.pattern[:80]
        # A doubled backslash inside a raw string would match a backslash, never a word.
        assert "\\\\" not in rule.pattern.pattern, rule.pattern.pattern[:80]
