"""The phrases a person is shown: the rules' phrases, then the model's telling words."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.insight.classifier import Evidence
from retorno.domain.insight.phrases import GLUE_WORDS, telling_phrases


def phrase(text: str) -> Evidence:
    return Evidence("phrase", text, reason="too_small")


def feature(text: str, weight: float = 0.1) -> Evidence:
    return Evidence("feature", text, reason="too_small", weight=weight)


def test_glue_words_single_letters_and_words_a_phrase_said_are_left_out():
    shown = telling_phrases(
        [
            phrase("no es la talla que pedi"),
            phrase("pedi una m y llego"),
            feature("pedi"),
            feature("l"),
            feature("no no es"),
            feature("from the"),
            feature("talla"),
            feature("otra talla"),
        ]
    )
    assert shown == ["no es la talla que pedi", "pedi una m y llego", "otra talla"]


def test_without_a_rule_phrase_the_models_telling_words_are_shown():
    shown = telling_phrases([feature("its"), feature("huge"), feature("on me"), feature("huge")])
    assert shown == ["huge"]


def test_notes_and_other_reasons_are_not_phrases():
    assert telling_phrases([Evidence("note", "below threshold"), Evidence("also", "roto")]) == []


@given(
    st.lists(
        st.builds(
            Evidence,
            st.sampled_from(["phrase", "feature", "also", "note"]),
            st.text(alphabet="abcdemnolpqrstu ", min_size=1, max_size=20),
        ),
        max_size=12,
    ),
    st.integers(min_value=0, max_value=8),
)
def test_phrases_are_unique_bounded_and_never_only_glue(evidence, limit):
    shown = telling_phrases(evidence, limit=limit)
    assert len(shown) <= limit
    assert len(set(shown)) == len(shown)
    texts = {e.text for e in evidence if e.kind in ("phrase", "feature")}
    assert set(shown) <= texts
    rule_phrases = {e.text for e in evidence if e.kind == "phrase"}
    for text in set(shown) - rule_phrases:
        assert any(t not in GLUE_WORDS and len(t) >= 3 for t in text.split())
