"""The shopper chooses among every leaf of the taxonomy, in the language of the portal."""

from __future__ import annotations

from django.utils import translation

from retorno.core import labels
from retorno.domain.returns.reasons import REASONS, TAXONOMY
from retorno.portal import display


def _leaves(choices):
    codes = []
    for value, label in choices[1:]:
        if isinstance(label, list):
            codes += [code for code, _ in label]
        else:
            codes.append(value)
    return codes


def test_every_leaf_is_offered_once_with_a_spanish_label():
    assert sorted(_leaves(display.reason_choices())) == sorted(REASONS)
    assert set(labels.REASON) == set(REASONS)
    assert set(labels.REASON_GROUP) == {group.code for group in TAXONOMY}
    # A page requested earlier in the same thread may have left Spanish active.
    with translation.override("en"):
        english = {code: display.reason_label(code) for code in REASONS}
    with translation.override("es"):
        spanish = {code: display.reason_label(code) for code in REASONS}
        groups = [str(label) for label in labels.REASON_GROUP.values()]
        choices = display.reason_choices()
    assert sorted(code for code in REASONS if english[code] == spanish[code]) == []
    assert "Ya no lo quiero" in groups
    optgroup = dict(
        (str(label), options) for label, options in choices if isinstance(options, list)
    )
    assert [code for code, _ in optgroup["Ya no lo quiero"]] == [
        "changed_mind",
        "better_price",
        "arrived_late",
    ]
