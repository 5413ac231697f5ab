"""Charging the shopper: the other direction of the refund ledger.

Two cases take money from the shopper through the payment adapter:

* a dearer exchange: the new variant costs more than was paid for the returned unit;
* an instant exchange whose original never comes back: the new items were shipped first, and
  after the return deadline passes without a carrier scan or a receipt, the shopper pays for
  what they kept (a "charge-back"). If the item arrives later, the charge is refunded for the
  units that came back.

A charge follows the refund ledger's states and rules (`ledger.py`): committed PENDING with its
idempotency key before the payment call, SUCCEEDED or FAILED only from the provider's answer,
FAILED → PENDING only on a finance retry, which is the only time the key changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from retorno.domain.errors import DomainError
from retorno.domain.money import quantize
from retorno.domain.money._checks import require_amount, require_aware, require_count

_ZERO = Decimal(0)
DEFAULT_INSTANT_RETURN_DAYS = 30
# Beyond a year a "deadline" is a typo in the policy, not a business rule.
MAX_INSTANT_RETURN_DAYS = 365
_MAX_ID_LENGTH = 100


class ChargeError(DomainError):
    """Codes: invalid_amount, invalid_units, invalid_datetime, invalid_charge_key."""

    code = "invalid_charge"


class ChargePurpose(StrEnum):
    """Why the shopper is charged; at most one charge of each purpose per exchange."""

    EXCHANGE_DIFFERENCE = "exchange_difference"
    UNRETURNED_ITEM = "unreturned_item"


_KEY_PARTS = {
    ChargePurpose.EXCHANGE_DIFFERENCE: "difference",
    ChargePurpose.UNRETURNED_ITEM: "unreturned",
}


def charge_idempotency_key(
    exchange_id: int | str, purpose: ChargePurpose | str, attempt: int = 1
) -> str:
    """The key sent with a charge's payment call: "retorno-charge-<exchange>-<purpose>".

    Deterministic (a re-drive after a crash sends the same key) and one per exchange and
    purpose, which is what makes "charged once per exchange" hold at the provider too.
    `attempt` is raised only when finance retries a FAILED charge ("-a<attempt>").
    """
    text = str(exchange_id)
    if (
        isinstance(exchange_id, bool)
        or not text
        or len(text) > _MAX_ID_LENGTH
        or not all(char.isalnum() or char in "-_" for char in text)
    ):
        raise ChargeError(
            f"{exchange_id!r} cannot be part of a charge key.", code="invalid_charge_key"
        )
    try:
        part = _KEY_PARTS[ChargePurpose(purpose)]
    except ValueError:
        raise ChargeError(
            f"Unknown charge purpose {purpose!r}.", code="invalid_charge_key"
        ) from None
    if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 1:
        raise ChargeError("attempt must be a positive integer.", code="invalid_charge_key")
    key = f"retorno-charge-{text}-{part}"
    return key if attempt == 1 else f"{key}-a{attempt}"


# --- instant exchanges: the deadline -------------------------------------------------------------


def instant_return_days(value: object) -> int:
    """Days the shopper has to send the original back after an instant exchange.

    `value` is the policy decision's `instant_exchange_return_days`; anything that is not a
    whole number of days between 1 and MAX_INSTANT_RETURN_DAYS (absent, a bool, a string, 0)
    falls back to DEFAULT_INSTANT_RETURN_DAYS rather than charging anyone early.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return DEFAULT_INSTANT_RETURN_DAYS
    if not 1 <= value <= MAX_INSTANT_RETURN_DAYS:
        return DEFAULT_INSTANT_RETURN_DAYS
    return value


def instant_return_due_by(reserved_at: datetime, days: int) -> datetime:
    """When the original of an instant exchange must have been sent: `days` after reservation."""
    require_aware(reserved_at, "reserved_at", ChargeError)
    require_count(days, "days", ChargeError)
    return reserved_at + timedelta(days=days)


def instant_exchange_overdue(
    due_by: datetime | None, now: datetime, *, scanned: bool, units_received: int
) -> bool:
    """True when an instant exchange's original is late and nothing says it is coming.

    Overdue means: a deadline was set, `now` is past it, no carrier ever scanned the parcel and
    no unit was received. A scan means the parcel is on its way; it is never charged for.
    """
    require_aware(now, "now", ChargeError)
    require_count(units_received, "units_received", ChargeError)
    if due_by is None:
        return False
    require_aware(due_by, "due_by", ChargeError)
    return now > due_by and not scanned and units_received == 0


# --- instant exchanges: what the shopper owes ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeptLine:
    """One exchange line, as the charge-back sees it.

    `units_shipped`: new units sent ahead. `units_received`: originals that came back for this
    line (more than shipped counts as shipped). `unit_amount`: what one kept unit costs the
    shopper: the new unit's price less any price difference already charged for it.
    """

    units_shipped: int
    units_received: int
    unit_amount: Decimal


def kept_unit_amount(
    new_unit_price: Decimal, returned_unit_paid: Decimal, *, difference_charged: bool, currency: str
) -> Decimal:
    """What one new unit costs a shopper who keeps the original too.

    They owe the new unit's price; when the dearer exchange's difference was already charged,
    that part of it is paid, so they owe the rest (which is what the original was paid).
    """
    require_amount(new_unit_price, "new_unit_price", currency, ChargeError)
    require_amount(returned_unit_paid, "returned_unit_paid", currency, ChargeError)
    paid_difference = (
        max(_ZERO, new_unit_price - returned_unit_paid) if difference_charged else _ZERO
    )
    return quantize(new_unit_price - paid_difference, currency)


def unreturned_amount(lines: Iterable[KeptLine], currency: str) -> Decimal:
    """The charge-back: every unit shipped ahead whose original did not come back, at its
    `unit_amount`. Never negative; zero once every original is back; it never grows when more
    units arrive."""
    total = _ZERO
    for line in lines:
        shipped = require_count(line.units_shipped, "units_shipped", ChargeError)
        received = require_count(line.units_received, "units_received", ChargeError)
        unit = require_amount(line.unit_amount, "unit_amount", currency, ChargeError)
        total += (shipped - min(received, shipped)) * unit
    return quantize(total, currency)


def charge_refund_amount(
    charged: Decimal, still_due: Decimal, already_refunded: Decimal, currency: str
) -> Decimal:
    """What to refund of a charge-back now that some originals came back.

    The shopper keeps paying `still_due` (the charge-back recomputed with the units received
    so far); everything above it that was not refunded yet goes back. Never negative and never
    more than what is left of the charge, so any sequence of late arrivals refunds at most the
    charge, and exactly `charged − still_due` in total.
    """
    for name, value in (
        ("charged", charged),
        ("still_due", still_due),
        ("already_refunded", already_refunded),
    ):
        require_amount(value, name, currency, ChargeError)
    left = max(_ZERO, charged - already_refunded)
    return quantize(min(left, max(_ZERO, charged - still_due - already_refunded)), currency)
