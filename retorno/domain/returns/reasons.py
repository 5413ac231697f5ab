"""The shopper's return reasons: a two-level taxonomy with stable codes.

The leaf `code` is what a return item records and what policies match on (`reason_in`,
`fee_waived_reasons`, `review_reasons`). Groups only organise the choice for the shopper.
Interfaces translate labels by code; the English labels here are the fallback.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class ReturnReason:
    """A leaf reason. `size_direction`: +1 when a bigger size would fit (too small), -1 when a
    smaller one would, 0 otherwise. Which reasons need a photo is the store's policy
    (`photo_required_reasons`)."""

    code: str
    group: str
    label: str
    size_direction: int = 0


@dataclass(frozen=True, slots=True)
class ReasonGroup:
    code: str
    label: str
    reasons: tuple[ReturnReason, ...]


TAXONOMY: tuple[ReasonGroup, ...] = (
    ReasonGroup(
        "size",
        "Size or fit",
        (
            ReturnReason("too_small", "size", "Too small", size_direction=1),
            ReturnReason("too_large", "size", "Too large", size_direction=-1),
        ),
    ),
    ReasonGroup(
        "quality",
        "Quality",
        (
            ReturnReason("defective", "quality", "Defective"),
            ReturnReason("damaged", "quality", "Damaged in transit"),
            ReturnReason("missing_parts", "quality", "Parts or accessories missing"),
        ),
    ),
    ReasonGroup(
        "not_as_described",
        "Not as described",
        (ReturnReason("not_as_described", "not_as_described", "Not as described"),),
    ),
    ReasonGroup(
        "wrong_item",
        "Wrong item sent",
        (ReturnReason("wrong_item", "wrong_item", "Wrong item sent"),),
    ),
    ReasonGroup(
        "changed_mind",
        "No longer wanted",
        (
            ReturnReason("changed_mind", "changed_mind", "Changed my mind"),
            ReturnReason("better_price", "changed_mind", "Found a better price"),
            ReturnReason("arrived_late", "changed_mind", "Arrived too late"),
        ),
    ),
    ReasonGroup("other", "Other", (ReturnReason("other", "other", "Other"),)),
)

REASONS: MappingProxyType[str, ReturnReason] = MappingProxyType(
    {reason.code: reason for group in TAXONOMY for reason in group.reasons}
)


# Shopify's `ReturnReason` enum (Admin GraphQL) for each leaf, and back. Shopify asks for a note
# with OTHER, so leaves it has no value for travel as OTHER with their label as the note.
SHOPIFY_RETURN_REASONS: MappingProxyType[str, str] = MappingProxyType(
    {
        "too_small": "SIZE_TOO_SMALL",
        "too_large": "SIZE_TOO_LARGE",
        "defective": "DEFECTIVE",
        "damaged": "DEFECTIVE",
        "missing_parts": "OTHER",
        "not_as_described": "NOT_AS_DESCRIBED",
        "wrong_item": "WRONG_ITEM",
        "changed_mind": "UNWANTED",
        "better_price": "UNWANTED",
        "arrived_late": "OTHER",
        "other": "OTHER",
    }
)
FROM_SHOPIFY_RETURN_REASON: MappingProxyType[str, str] = MappingProxyType(
    {
        "SIZE_TOO_SMALL": "too_small",
        "SIZE_TOO_LARGE": "too_large",
        "DEFECTIVE": "defective",
        "NOT_AS_DESCRIBED": "not_as_described",
        "WRONG_ITEM": "wrong_item",
        "UNWANTED": "changed_mind",
        "COLOR": "changed_mind",
        "STYLE": "changed_mind",
        "OTHER": "other",
        "UNKNOWN": "other",
    }
)


def get_reason(code: str) -> ReturnReason | None:
    """The leaf reason for `code`, or None when it is not part of the taxonomy."""
    return REASONS.get(code)


def size_direction(code: str) -> int:
    reason = REASONS.get(code)
    return reason.size_direction if reason is not None else 0


# Letter sizes in the order they grow; anything else is ordered by its leading number.
_LETTER_SIZES = ("XXXS", "XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "4XL", "5XL")
_LEADING_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)")


def size_rank(size: str) -> float | None:
    """A number that grows with the size ("S" < "M", "38" < "39", "90 cm" < "135 cm"); None
    when the text is not a size we can order."""
    text = size.strip().upper()
    if text in _LETTER_SIZES:
        return float(_LETTER_SIZES.index(text))
    match = _LEADING_NUMBER.match(text)
    if match:
        return float(match.group(1).replace(",", "."))
    return None


def next_size(current: str, candidates: list[str], direction: int) -> str | None:
    """The closest size to `current` in `direction` (+1 bigger, -1 smaller) among `candidates`,
    or None when there is none (or the sizes cannot be ordered)."""
    here = size_rank(current)
    if here is None or direction == 0:
        return None
    ranked = [(rank, size) for size in candidates if (rank := size_rank(size)) is not None]
    if direction > 0:
        bigger = [item for item in ranked if item[0] > here]
        return min(bigger)[1] if bigger else None
    smaller = [item for item in ranked if item[0] < here]
    return max(smaller)[1] if smaller else None


def fitting_size(
    *, returned_size: str, reason: str, exchanged_to_size: str = "", sizes: Sequence[str] = ()
) -> str:
    """The size that fits the shopper, as a return tells it: the size they exchange to; else,
    when the item was too small or too large, the next size of its product (`sizes`) in that
    direction; else the returned item's own size, which fitted. "" when no size is known."""
    if exchanged_to_size:
        return exchanged_to_size
    if not returned_size:
        return ""
    direction = size_direction(reason)
    if direction == 0:
        return returned_size
    return next_size(returned_size, list(sizes), direction) or ""
