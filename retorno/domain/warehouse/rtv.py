"""Return-to-vendor: supplier deadlines and how units gather into batches.

Suppliers accept defective goods back for a number of days ("terms"); a unit that misses the
deadline is money lost. Units are batched per supplier (and per warehouse they ship from), and a
batch must leave by the earliest deadline of its units.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from retorno.domain.errors import DomainError


class RtvError(DomainError):
    code = "invalid_rtv"


def require_aware(value: object, name: str, error: type[DomainError]) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise error(f"{name} must be a timezone-aware datetime.", code="invalid_datetime")
    return value


@dataclass(frozen=True, slots=True, order=True)
class RtvBatchKey:
    """Units with equal keys travel in one batch. Codes are compared case-insensitively and
    without surrounding spaces, since they are typed by people and imported from catalogs."""

    supplier: str
    warehouse: str = ""


def rtv_batch_key(supplier: str, warehouse: str = "") -> RtvBatchKey:
    """The batch key of a unit from `supplier` held at `warehouse`; RtvError("unknown_supplier")
    when the supplier is blank (such a unit cannot be sent back and needs a person)."""
    if not isinstance(supplier, str) or not supplier.strip():
        raise RtvError("The unit has no supplier to return it to.", code="unknown_supplier")
    return RtvBatchKey(supplier.strip().casefold(), (warehouse or "").strip().casefold())


def rtv_deadline(received_at: datetime, supplier_terms_days: int) -> datetime:
    """When a unit received at `received_at` must have left for its supplier.

    Counted in whole days from receipt, same time of day; `supplier_terms_days` ≥ 0. Aware
    datetimes only (RtvError "invalid_datetime").
    """
    require_aware(received_at, "received_at", RtvError)
    if (
        isinstance(supplier_terms_days, bool)
        or not isinstance(supplier_terms_days, int)
        or supplier_terms_days < 0
    ):
        raise RtvError(
            "Supplier terms must be a non-negative number of days.", code="invalid_terms"
        )
    return received_at + timedelta(days=supplier_terms_days)


def batch_deadline(unit_deadlines: Iterable[datetime]) -> datetime:
    """A batch's deadline: the earliest of its units' (RtvError "empty_batch" for none)."""
    deadlines = list(unit_deadlines)
    if not deadlines:
        raise RtvError("A batch without units has no deadline.", code="empty_batch")
    return min(deadlines)


def rtv_overdue(deadline: datetime, now: datetime) -> bool:
    """True once `now` is past `deadline` (the supplier may refuse the goods)."""
    require_aware(deadline, "deadline", RtvError)
    require_aware(now, "now", RtvError)
    return now > deadline
