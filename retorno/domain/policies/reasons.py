"""Every reason the policy engine can give, in one table.

Interfaces translate by `code` and fill the template with `params`; the English `message` is the
fallback and what the API returns. Adding a code means adding a row here and to docs/policies.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a line cannot be returned, or why a return needs a person. Stable `code`, English
    `message`, and the values the message was built from (as sorted `(name, value)` pairs)."""

    code: str
    message: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def params_dict(self) -> dict[str, str]:
        return dict(self.params)


# Reasons that make a line not returnable (eligibility).
NOT_DELIVERED = "not_delivered"
FINAL_SALE = "final_sale"
EXCLUDED_CATEGORY = "excluded_category"
EXCLUDED_TAG = "excluded_tag"
DISCOUNT_ABOVE_LIMIT = "discount_above_limit"
EXCLUDED_BY_RULE = "excluded_by_rule"
WINDOW_EXPIRED = "window_expired"
ALREADY_RETURNED = "already_returned"
# Reasons that make a request invalid for a line (the request, not the item, is at fault).
UNKNOWN_LINE = "unknown_line"
QUANTITY_EXCEEDS_RETURNABLE = "quantity_exceeds_returnable"
RESOLUTION_NOT_ALLOWED = "resolution_not_allowed"
# Reasons that send a return to a person.
VALUE_ABOVE_REVIEW_THRESHOLD = "value_above_review_threshold"
REASON_REQUIRES_REVIEW = "reason_requires_review"
ALWAYS_REVIEW = "always_review"

MESSAGES: MappingProxyType[str, str] = MappingProxyType(
    {
        NOT_DELIVERED: "This item has not been delivered yet, so it cannot be returned.",
        FINAL_SALE: "This item was sold as final sale and cannot be returned.",
        EXCLUDED_CATEGORY: "Items in the category “{category}” cannot be returned.",
        EXCLUDED_TAG: "Items marked “{tag}” cannot be returned.",
        DISCOUNT_ABOVE_LIMIT: (
            "This item was discounted by more than {max_percent}% and cannot be returned."
        ),
        EXCLUDED_BY_RULE: "This item cannot be returned under the store's return policy.",
        WINDOW_EXPIRED: "The return window for this item ended on {date}.",
        ALREADY_RETURNED: "Every unit of this item has already been returned or is being returned.",
        UNKNOWN_LINE: "This item is not part of the order.",
        QUANTITY_EXCEEDS_RETURNABLE: (
            "You asked to return {requested} of this item, but only {returnable} can be returned."
        ),
        RESOLUTION_NOT_ALLOWED: "“{resolution}” is not available for this item.",
        VALUE_ABOVE_REVIEW_THRESHOLD: (
            "Returns worth more than {threshold} {currency} are checked by our team."
        ),
        REASON_REQUIRES_REVIEW: "Returns for the reason “{reason}” are checked by our team.",
        ALWAYS_REVIEW: "Returns of this item are checked by our team.",
    }
)

# Codes a policy rule may give with `"returnable": false`: exclusions only, never request errors.
# The engine fills `category` from the line, so excluded_category reads well from a rule too.
RULE_REASON_CODES: frozenset[str] = frozenset({EXCLUDED_BY_RULE, FINAL_SALE, EXCLUDED_CATEGORY})


def reason(code: str, **params: object) -> Reason:
    """Build the Reason for `code` with its English message. Raises KeyError for unknown codes
    (a programming error: every code belongs in MESSAGES)."""
    texts = {name: str(value) for name, value in params.items()}
    # format_map with a default keeps a rule-given code usable even if a param is missing.
    message = MESSAGES[code].format_map(_Blank(texts))
    return Reason(code=code, message=message, params=tuple(sorted(texts.items())))


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "…"
