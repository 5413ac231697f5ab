"""The shipped corpus: big enough, balanced, every leaf covered, split by group with no
near-duplicate across the split."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest

from retorno.domain.insight.text import normalise
from retorno.domain.returns.reasons import REASONS
from retorno.insight import training

NEAR_DUPLICATE = 0.8


@pytest.fixture(scope="module")
def corpus():
    return training.load_corpus()


def test_at_least_800_comments_half_spanish_half_english(corpus):
    assert len(corpus) >= 800
    languages = Counter(example.language for example in corpus)
    assert set(languages) == {"es", "en"}
    assert abs(languages["es"] - languages["en"]) <= 0.05 * len(corpus)


def test_every_leaf_is_covered_in_both_languages_on_both_sides(corpus):
    training_set, test, _ = training.evaluation_sets(corpus)
    for part, least in ((training_set, 25), (test, 3)):
        counts = Counter((example.language, example.reason) for example in part)
        for language in ("es", "en"):
            for reason in REASONS:
                assert counts[(language, reason)] >= least, (language, reason, part is test)


def test_rows_are_well_formed_and_unique():
    ids, texts = set(), set()
    for line in training.CORPUS_PATH.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert set(row) == {"id", "family", "language", "reason", "text", "split"}
        assert row["family"].startswith(f"{row['language']}-")
        assert row["id"].startswith(row["family"])
        assert row["id"] not in ids
        assert row["text"].strip()
        assert row["text"] not in texts
        ids.add(row["id"])
        texts.add(row["text"])


def test_a_group_has_one_reason_and_one_split_translations_included(corpus):
    reason_of: dict[str, str] = {}
    split_of: dict[str, str] = {}
    for example in corpus:
        assert reason_of.setdefault(example.family, example.reason) == example.reason
        assert split_of.setdefault(example.group, example.split) == example.split
    translated = [g for g in split_of if f"es-{g}" in reason_of and f"en-{g}" in reason_of]
    assert len(translated) > 50


def _grams(text: str) -> Counter[str]:
    padded = f" {normalise(text)} "
    return Counter(padded[i : i + 4] for i in range(len(padded) - 3))


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return sum(v * b[k] for k, v in a.items()) / norm if norm else 0.0


def test_no_held_out_comment_nearly_repeats_a_training_one(corpus):
    training_set, test, blind = training.evaluation_sets(corpus)
    trained = [_grams(example.text) for example in training_set]
    closest = max(
        (max(_cosine(_grams(example.text), other) for other in trained), example.text)
        for example in test + blind
    )
    assert closest[0] < NEAR_DUPLICATE, closest


def test_the_similarity_measure_catches_a_paraphrase_with_a_typo():
    assert _cosine(_grams("no es como en la fto"), _grams("No es como en la foto")) > 0.99
    assert _cosine(_grams("me queda grande"), _grams("llegó tarde")) < NEAR_DUPLICATE
