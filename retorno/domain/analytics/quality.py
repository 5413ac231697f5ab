"""Supplier quality: which returned units are confirmed defects, and when a supplier's rates
cross the thresholds its store set."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

# The reasons that say the product itself was at fault.
DEFECT_REASONS = frozenset({"defective", "damaged", "missing_parts"})
# The grade that confirms it at inspection.
CONFIRMING_GRADE = "damaged"
# A supplier is over threshold when its confirmed defects pass this share of units sold, unless
# the store set its own threshold for that supplier.
DEFAULT_DEFECT_THRESHOLD = Decimal("0.02")
# The days a supplier's alert looks back over, ending today.
ALERT_WINDOW_DAYS = 90


def confirmed_defect(reason: str, grade: str, *, reason_confirmed: bool = False) -> bool:
    """Whether an inspected unit counts as a defect of the product: returned as defective,
    damaged or with missing parts and graded damaged, or one the inspector marked as
    confirming the shopper's defect reason. A shopper's word alone never counts."""
    if reason not in DEFECT_REASONS:
        return False
    return grade == CONFIRMING_GRADE or reason_confirmed


class SignalKind(StrEnum):
    """What a supplier's threshold is set on."""

    RETURN_RATE = "return_rate"
    DEFECT_RATE = "defect_rate"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """A supplier's thresholds as fractions (0.05 is 5 %); None where the store set none (the
    defect rate then falls back to DEFAULT_DEFECT_THRESHOLD, the return rate has none)."""

    return_rate: Decimal | None = None
    defect_rate: Decimal | None = None

    def for_kind(self, kind: SignalKind) -> Decimal | None:
        if kind is SignalKind.RETURN_RATE:
            return self.return_rate
        return DEFAULT_DEFECT_THRESHOLD if self.defect_rate is None else self.defect_rate


class ThresholdError(ValueError):
    code = "invalid_threshold"


def threshold_from_percent(text: str | Decimal | None) -> Decimal | None:
    """A threshold given as a percentage ("2.5", blank for none) as a fraction (0.025).
    ThresholdError outside 0 < p ≤ 100."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        percent = Decimal(str(text).strip().replace(",", "."))
    except ArithmeticError:
        raise ThresholdError("A threshold is a percentage such as 2.5.") from None
    if not percent.is_finite() or percent <= 0 or percent > 100:
        raise ThresholdError("A threshold is a percentage above 0 and at most 100.")
    return (percent / 100).quantize(Decimal("0.0001"))


def crossed(value: Decimal | None, threshold: Decimal | None) -> bool:
    """Whether a rate is over its threshold. A rate without enough data (None) or a supplier
    without a threshold never is."""
    return value is not None and threshold is not None and value > threshold


@dataclass(frozen=True, slots=True)
class AlertChanges:
    """What to do with a supplier's alerts after a check: open (and send) these kinds, close
    those (the rate came back under its threshold, so a later crossing alerts again)."""

    open: frozenset[SignalKind]
    close: frozenset[SignalKind]


def alert_changes(*, open_now: Iterable[SignalKind], over: Iterable[SignalKind]) -> AlertChanges:
    """An alert opens when a rate crosses its threshold and stays open, without sending again,
    for as long as it stays over; it closes when the rate is back under (or has too little data
    to say). Each crossing is sent once."""
    current = frozenset(open_now)
    crossing = frozenset(over)
    return AlertChanges(open=crossing - current, close=current - crossing)
