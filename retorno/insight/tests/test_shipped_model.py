"""The committed model is the recipe trained on the committed corpus.

How fast it loads is measured in bench/classifier.py, not here.
"""

from __future__ import annotations

import pytest

from retorno.domain.insight.classifier import classify
from retorno.domain.insight.model import LinearModel
from retorno.insight import classifying, training


@pytest.fixture(scope="module")
def artefact():
    return training.read_artefact()


def test_the_shipped_model_was_built_from_the_corpus_as_it_is(artefact):
    assert artefact["trained"]["corpus_sha256"] == training.digest(), (
        "the corpus changed: rebuild with `python -m retorno.insight.training`"
    )
    assert artefact["version"] == training.shipped_version(training.digest())
    assert artefact["threshold"] == training.RECIPE.threshold


def test_retraining_from_the_corpus_gives_the_same_answers(artefact):
    rebuilt = LinearModel.from_artefact(training.build_shipped())
    shipped = LinearModel.from_artefact(artefact)
    for example in training.load_corpus():
        a, b = classify(example.text, shipped), classify(example.text, rebuilt)
        assert (a.reason, a.abstained) == (b.reason, b.abstained), example.text
        assert a.confidence == pytest.approx(b.confidence, abs=1e-3)


def test_classifying_never_imports_scikit_learn():
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from retorno.insight.classifying import classify_comment\n"
        "classify_comment('me queda grande')\n"
        "print(any(name.split('.')[0] in ('sklearn', 'scipy') for name in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_shipped_model_reads_shoppers(artefact):
    answers = {
        "Me queda pequeño, pedí mi talla de siempre": "too_small",
        "way too big, swimming in it": "too_large",
        "no me queda pequeño, me queda grande": "too_large",
        "dejó de funcionar a la semana": "defective",
        "arrived with the box crushed and the mug smashed": "damaged",
        "faltan los tornillos": "missing_parts",
        "Pedí el negro y me mandaron el azul": "wrong_item",
        "nothing like the photos": "not_as_described",
        "lo encontré más barato en otra tienda": "better_price",
        "llegó después del cumpleaños": "arrived_late",
        "changed my mind": "changed_mind",
    }
    model = classifying.shipped_model()
    for text, reason in answers.items():
        answer = classify(text, model)
        assert (answer.reason, answer.abstained) == (reason, False), text
