"""The return policy engine: a policy document, the facts of an order, and `decide()`.

Compile a policy once per version with `parse_policy(document)`, then call
`decide(policy, order, customer, request, now)` for each request. See docs/policies.md.
"""

from retorno.domain.documents import FieldError
from retorno.domain.policies.decision import Decision, LineDecision, Outcome, RuleFired
from retorno.domain.policies.document import (
    POLICY_SCHEMA,
    PolicyDocumentError,
    complete_policy_document,
    default_policy_document,
    parse_policy,
)
from retorno.domain.policies.engine import decide
from retorno.domain.policies.facts import (
    CustomerFacts,
    FactsError,
    LineFacts,
    OrderFacts,
    RequestedItem,
    RequestFacts,
)
from retorno.domain.policies.model import Policy
from retorno.domain.policies.reasons import MESSAGES, Reason

__all__ = [
    "MESSAGES",
    "POLICY_SCHEMA",
    "CustomerFacts",
    "Decision",
    "FactsError",
    "FieldError",
    "LineDecision",
    "LineFacts",
    "OrderFacts",
    "Outcome",
    "Policy",
    "PolicyDocumentError",
    "Reason",
    "RequestFacts",
    "RequestedItem",
    "RuleFired",
    "complete_policy_document",
    "decide",
    "default_policy_document",
    "parse_policy",
]
