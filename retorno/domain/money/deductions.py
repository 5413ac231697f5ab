"""Inspection deductions: what a unit loses from its refund because of the state it came back in.

Only damage the shopper caused lowers a refund. When the shopper's own reason already says the
item was defective, damaged in transit or the wrong item, what the warehouse sees is the store's
problem, not the shopper's, and nothing is deducted. A tier whose QC level is "lenient" is trusted
on condition. A unit that is missing or is something else altogether is a different matter (it is
not the goods that were sold), so it loses its whole value whatever the QC level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from retorno.domain.errors import DomainError
from retorno.domain.money import quantize
from retorno.domain.money._checks import require_amount
from retorno.domain.warehouse.grades import Grade, as_grade

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)

QC_LENIENT = "lenient"
QC_LEVELS: tuple[str, ...] = ("standard", QC_LENIENT)

# Reason codes of a Deduction; interfaces translate by code, the message is the English fallback.
NONE = "none"
QC_LENIENT_CODE = "qc_lenient"
NOT_SHOPPER_FAULT = "not_shopper_fault"
NO_DAMAGE = "no_damage"
SHOPPER_DAMAGE = "shopper_damage"
SIGNS_OF_USE = "signs_of_use"
ITEM_NOT_RECEIVED = "item_not_received"
DIFFERENT_ITEM_RETURNED = "different_item_returned"


class DeductionError(DomainError):
    code = "invalid_deduction"


@dataclass(frozen=True, slots=True)
class Deduction:
    """An amount taken off one refund item, with the reason the shopper is shown.

    `amount` is in minor units of the item's currency and never negative; `percent` is the share
    of the item amount it was computed from (0 when none applies).
    """

    amount: Decimal
    reason_code: str
    message: str
    percent: Decimal = _ZERO

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite() or self.amount < 0:
            raise DeductionError(
                f"A deduction must be a non-negative Decimal, not {self.amount!r}."
            )
        if not self.reason_code:
            raise DeductionError("A deduction needs a reason code.")


NO_DEDUCTION = Deduction(_ZERO, NONE, "Nothing was deducted.")


@dataclass(frozen=True, slots=True)
class DeductionRates:
    """A store's deduction percentages per grade, and the reasons that rule out shopper fault."""

    damaged_percent: Decimal = Decimal(50)
    used_percent: Decimal = _ZERO
    no_fault_reasons: frozenset[str] = field(
        default_factory=lambda: frozenset({"defective", "damaged", "missing_parts", "wrong_item"})
    )

    def __post_init__(self) -> None:
        for name in ("damaged_percent", "used_percent"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 100:
                raise DeductionError(f"{name} must be a Decimal between 0 and 100, not {value!r}.")


DEFAULT_RATES = DeductionRates()


def inspection_deduction(
    grade: Grade | str,
    qc_level: str,
    item_amount: Decimal,
    reason: str | None,
    *,
    currency: str,
    rates: DeductionRates = DEFAULT_RATES,
) -> Deduction:
    """What inspection takes off `item_amount` (the refundable amount of the inspected units).

    Precedence, first match wins: not received → everything; a different item than the line's
    → everything, unless the shopper's reason is wrong_item (then it is the item the store sent
    by mistake); a no-fault reason → nothing; QC "lenient" → nothing; damaged → damaged_percent;
    used → used_percent; new / like new → nothing. The amount is rounded to the minor unit and
    never exceeds `item_amount`. Raises GradeError for an unknown grade, DeductionError for an
    unknown QC level or an invalid amount.
    """
    grade = as_grade(grade)
    if qc_level not in QC_LEVELS:
        raise DeductionError(f"Unknown QC level {qc_level!r}.", code="invalid_qc_level")
    item_amount = require_amount(item_amount, "item_amount", currency, DeductionError)

    if grade is Grade.NOT_RECEIVED:
        return _percent_of(
            item_amount,
            _HUNDRED,
            currency,
            ITEM_NOT_RECEIVED,
            "The item did not arrive, so it cannot be refunded.",
        )
    if grade is Grade.WRONG_ITEM and reason != "wrong_item":
        return _percent_of(
            item_amount,
            _HUNDRED,
            currency,
            DIFFERENT_ITEM_RETURNED,
            "The item we received is not the item you bought.",
        )
    if reason in rates.no_fault_reasons:
        return Deduction(_ZERO, NOT_SHOPPER_FAULT, "The item's condition is not your doing.")
    if qc_level == QC_LENIENT:
        return Deduction(
            _ZERO, QC_LENIENT_CODE, "Your items are refunded without a condition check."
        )
    if grade is Grade.DAMAGED:
        return _percent_of(
            item_amount,
            rates.damaged_percent,
            currency,
            SHOPPER_DAMAGE,
            "The item came back damaged.",
        )
    if grade is Grade.USED:
        return _percent_of(
            item_amount,
            rates.used_percent,
            currency,
            SIGNS_OF_USE,
            "The item came back with signs of use.",
        )
    return Deduction(_ZERO, NO_DAMAGE, "The item came back in good condition.")


def _percent_of(
    amount: Decimal, percent: Decimal, currency: str, reason_code: str, message: str
) -> Deduction:
    if percent == 0:
        return Deduction(_ZERO, NO_DAMAGE, "The item came back in good condition.")
    deducted = min(amount, quantize(amount * percent / _HUNDRED, currency))
    return Deduction(
        deducted, reason_code, f"{message} {percent.normalize():f}% was deducted.", percent
    )
