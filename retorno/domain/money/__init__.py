"""Money: currency minor units, rounding, parsing and proration (here), and the rules of what a
return or claim pays back or charges, in the modules: `refunds` (proration, caps, manual
amounts), `timing` (when a refund is due), `deductions` (inspection deductions), `ledger` (the
refund and charge states and idempotency keys), `store_credit` (the wallet), `exchange` (price
differences) and `charges` (charge-backs, keep-the-item). See docs/money.md.

Amounts are always `Decimal` paired with an ISO 4217 currency code; floats are refused because
they cannot represent most cent values exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from retorno.domain.errors import DomainError

# Minor units (digits after the decimal point) from ISO 4217. Only currencies we are ready to
# support are listed: an unknown code is far more likely a typo than a real store currency.
_CURRENCIES_BY_MINOR_UNITS = (
    (0, "CLP ISK JPY KRW PYG UGX VND XAF XOF"),
    (3, "BHD JOD KWD OMR TND"),
    (
        2,
        "AED ARS AUD BGN BOB BRL CAD CHF CNY COP CRC CZK DKK DOP EGP EUR GBP GTQ HKD HUF IDR ILS "
        "INR MAD MXN MYR NOK NZD PEN PHP PLN RON RSD SAR SEK SGD THB TRY TWD UAH USD UYU ZAR",
    ),
)
_MINOR_UNITS: dict[str, int] = {
    code: digits for digits, codes in _CURRENCIES_BY_MINOR_UNITS for code in codes.split()
}

# One quantum per currency, built once: quantize() is on the hot path of the policy engine.
_QUANTA: dict[str, Decimal] = {
    code: Decimal(1).scaleb(-digits) for code, digits in _MINOR_UNITS.items()
}


class MoneyError(DomainError):
    """A money value or currency that cannot be used. `code` is stable, `message` is English."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.message = message


def minor_units(currency: str) -> int:
    """Return how many decimal digits `currency` uses (EUR 2, JPY 0, KWD 3).

    Raises MoneyError("unknown_currency") for codes outside the supported ISO 4217 table.
    """
    try:
        return _MINOR_UNITS[currency]
    except (KeyError, TypeError):
        raise MoneyError("unknown_currency", f"Unknown currency code {currency!r}.") from None


def _quantum(currency: str) -> Decimal:
    try:
        return _QUANTA[currency]
    except (KeyError, TypeError):
        raise MoneyError("unknown_currency", f"Unknown currency code {currency!r}.") from None


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round `amount` to the minor unit of `currency`, halves away from zero (ROUND_HALF_UP).

    Raises MoneyError("invalid_amount") for NaN, infinities and values too large to represent.
    """
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise MoneyError("invalid_amount", f"{amount!r} is not a finite decimal amount.")
    # The quantum looked up here rather than through _quantum(): one call less on the policy
    # engine's hot path (a simulation quantizes millions of amounts).
    try:
        quantum = _QUANTA[currency]
    except (KeyError, TypeError):
        raise MoneyError("unknown_currency", f"Unknown currency code {currency!r}.") from None
    try:
        return amount.quantize(quantum, ROUND_HALF_UP)
    except InvalidOperation:
        raise MoneyError("invalid_amount", f"{amount} is too large to be an amount.") from None


def parse_amount(value: str | Decimal | int, currency: str) -> Decimal:
    """Parse `value` into a Decimal with exactly the minor units of `currency`.

    Accepts strings ("12.50"), Decimals and ints; refuses floats and bools (ambiguous), NaN,
    infinities, and values that would lose precision in this currency ("12.345" EUR, "1.5" JPY).
    Trailing zeros are fine ("12.500" EUR is 12.50). Negative amounts are allowed; callers that
    need a positive amount check the sign. Raises MoneyError("invalid_amount").
    """
    quantum = _quantum(currency)
    if isinstance(value, bool) or not isinstance(value, (str, Decimal, int)):
        raise MoneyError(
            "invalid_amount", f"{value!r} is not an amount; use a string or a Decimal."
        )
    try:
        amount = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise MoneyError("invalid_amount", f"{value!r} is not a decimal amount.") from None
    if not amount.is_finite():
        raise MoneyError("invalid_amount", f"{value!r} is not a finite amount.")
    try:
        rounded = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise MoneyError("invalid_amount", f"{value!r} is too large to be an amount.") from None
    if rounded != amount:
        raise MoneyError(
            "invalid_amount",
            f"{amount} has more decimals than {currency} allows ({minor_units(currency)}).",
        )
    return rounded


def allocate(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """Split `total` over `weights` so the parts add up exactly to `total` (largest remainder).

    Each part is proportional to its weight, rounded down to the minor unit; the units left over
    go one each to the parts with the largest remainders, earlier parts first on ties, so the
    result is deterministic. `total` must already be in minor units of `currency` and may be
    negative (parts then carry its sign). Weights must be finite and non-negative with a positive
    sum. Raises MoneyError("invalid_amount") or MoneyError("invalid_weights").
    """
    quantum = _quantum(currency)
    if quantize(total, currency) != total:
        raise MoneyError("invalid_amount", f"{total} has more decimals than {currency} allows.")
    if not weights:
        raise MoneyError("invalid_weights", "At least one weight is needed to allocate an amount.")
    for weight in weights:
        if isinstance(weight, bool) or not isinstance(weight, (Decimal, int)):
            raise MoneyError("invalid_weights", f"Weight {weight!r} is not a Decimal.")
        if not Decimal(weight).is_finite() or weight < 0:
            raise MoneyError(
                "invalid_weights", f"Weight {weight!r} must be finite and non-negative."
            )
    # Fractions keep the shares exact; Decimal division would round before we decide who gets
    # the leftover units.
    exact_weights = [Fraction(weight) for weight in weights]
    weight_sum = sum(exact_weights, Fraction(0))
    if weight_sum == 0:
        raise MoneyError("invalid_weights", "Weights must not all be zero.")
    sign = -1 if total < 0 else 1
    total_units = int(abs(total) / quantum)
    shares = [total_units * weight / weight_sum for weight in exact_weights]
    units = [share.numerator // share.denominator for share in shares]
    leftover = total_units - sum(units)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - units[i]), i))
    for index in by_remainder[:leftover]:
        units[index] += 1
    return [(Decimal(sign * count) * quantum).quantize(quantum) for count in units]
