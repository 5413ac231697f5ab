"""Supplier quality: which returned units are confirmed defects."""

from __future__ import annotations

from decimal import Decimal

# The reasons that say the product itself was at fault.
DEFECT_REASONS = frozenset({"defective", "damaged", "missing_parts"})
# The grade that confirms it at inspection.
CONFIRMING_GRADE = "damaged"
# A supplier is over threshold when its confirmed defects pass this share of units sold.
DEFAULT_DEFECT_THRESHOLD = Decimal("0.02")


def confirmed_defect(reason: str, grade: str, *, reason_confirmed: bool = False) -> bool:
    """Whether an inspected unit counts as a defect of the product: returned as defective,
    damaged or with missing parts and graded damaged, or one the inspector marked as
    confirming the shopper's defect reason. A shopper's word alone never counts."""
    if reason not in DEFECT_REASONS:
        return False
    return grade == CONFIRMING_GRADE or reason_confirmed
