"""Policy explanations read in the page's language: the default policy's rule descriptions come
from the one label table (kind "policy_rule"); a store's own descriptions stay as written."""

from __future__ import annotations

from django.utils import translation

from retorno.core import labels
from retorno.core.templatetags.labels import label, rule_description
from retorno.domain.policies import RuleFired, default_policy_document


def test_the_default_rules_are_described_in_spanish_on_spanish_pages():
    fired = RuleFired("gold-window", None, "Gold members have 60 days to return.")
    with translation.override("es"):
        assert rule_description(fired) == "Los miembros oro tienen 60 días para devolver."
        assert rule_description({"rule_id": fired.rule_id, "description": fired.description}) == (
            "Los miembros oro tienen 60 días para devolver."
        )
    with translation.override("en"):
        assert rule_description(fired) == "Gold members have 60 days to return."


def test_every_default_rule_has_a_label_and_a_store_text_stays_as_written():
    ids = {rule["id"] for rule in default_policy_document()["rules"]}
    assert ids == set(labels.POLICY_RULE)
    own = RuleFired("gold-window", None, "Oro: 90 días, campaña de invierno.")
    with translation.override("es"):
        assert rule_description(own) == "Oro: 90 días, campaña de invierno."


def test_review_reasons_are_labelled_not_codes():
    with translation.override("es"):
        text = label("value_above_review_threshold", "policy_reason")
    assert text
    assert "_" not in text
