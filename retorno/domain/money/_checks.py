"""Input checks shared by the resolution modules, so every module refuses bad money the same way."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from retorno.domain.errors import DomainError
from retorno.domain.money import MoneyError, quantize


def require_amount(value: object, name: str, currency: str, error: type[DomainError]) -> Decimal:
    """Return `value` if it is a finite, non-negative Decimal already in minor units of `currency`.

    Raises `error` with code "invalid_amount" otherwise, and MoneyError("unknown_currency") for an
    unknown currency. Amounts with more decimals than the currency allows are refused rather than
    rounded: silently rounding an input is how cents get lost.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal) or not value.is_finite():
        raise error(f"{name} must be a finite Decimal, not {value!r}.", code="invalid_amount")
    if value < 0:
        raise error(f"{name} must not be negative ({value}).", code="invalid_amount")
    try:
        rounded = quantize(value, currency)
    except MoneyError as exc:
        if exc.code == "unknown_currency":
            raise
        raise error(f"{name} is too large to be an amount.", code="invalid_amount") from None
    if rounded != value:
        raise error(
            f"{name} ({value}) has more decimals than {currency} allows.", code="invalid_amount"
        )
    return value


def require_count(value: object, name: str, error: type[DomainError]) -> int:
    """Return `value` if it is a non-negative int (bools refused); raise `error` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise error(f"{name} must be a non-negative integer, not {value!r}.", code="invalid_units")
    return value


def require_aware(value: object, name: str, error: type[DomainError]) -> datetime:
    """Return `value` if it is a timezone-aware datetime; naive times are ambiguous across stores."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise error(f"{name} must be a timezone-aware datetime.", code="invalid_datetime")
    return value
