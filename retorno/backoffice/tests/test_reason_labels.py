"""Every leaf of the shopper's reason taxonomy has a staff label, in English and Spanish."""

from __future__ import annotations

from django.utils import translation

from retorno.core import labels
from retorno.domain.returns.reasons import REASONS


def test_every_reason_has_a_label_translated_to_spanish():
    assert set(labels.REASON) == set(REASONS)
    english = {code: labels.label("reason", code) for code in REASONS}
    with translation.override("es"):
        spanish = {code: labels.label("reason", code) for code in REASONS}
    assert sorted(code for code in REASONS if english[code] == spanish[code]) == []
    assert spanish["missing_parts"] == "Faltan piezas o accesorios"
