"""Policy rules described in the reader's language: the default policy's rules (as Retorno wrote
them) through the label table's kind "policy_rule"; any other as the store wrote it."""

from __future__ import annotations

from retorno.core.labels import POLICY_RULE
from retorno.domain.policies import default_policy_document

_DEFAULT_RULE_DESCRIPTIONS = {
    str(rule["id"]): str(rule.get("description", ""))
    for rule in default_policy_document().get("rules", [])
    if rule.get("id") in POLICY_RULE
}


def rule_description(rule_id: str, description: str) -> str:
    """A policy rule's description as staff of the active language read it."""
    if description and description == _DEFAULT_RULE_DESCRIPTIONS.get(rule_id):
        return str(POLICY_RULE[rule_id])
    return description
