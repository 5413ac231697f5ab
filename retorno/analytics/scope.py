"""What every figure is asked for: a store, a period of its local days counted by order date or
by request date, and the previous period to compare with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from retorno.core.errors import Unprocessable
from retorno.domain.analytics.periods import Basis, Period, PeriodError, last_days
from retorno.domain.days import local_day
from retorno.stores.models import Store

DEFAULT_DAYS = 90
# The periods the pages offer (the API takes any `from`/`to`).
PRESET_DAYS = (30, 90, 365)


@dataclass(frozen=True)
class Scope:
    store: Store
    period: Period

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return self.period.bounds(self.store.timezone)

    @property
    def basis(self) -> Basis:
        return self.period.basis

    def previous(self) -> Scope:
        return Scope(self.store, self.period.previous())

    def as_params(self) -> dict[str, str]:
        """The query parameters that ask for this scope again (drill-downs, exports)."""
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "basis": self.period.basis.value,
        }


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Unprocessable(
            f"{name!r} must be a day written YYYY-MM-DD.", code="invalid_period"
        ) from None


def scope_from_params(*, store: Store, params: Mapping[str, str], now: datetime) -> Scope:
    """The scope that query parameters ask for: `from` and `to` (local days, both included),
    or `days` ending today (default DEFAULT_DAYS); `basis` `request` (default) or `order`.
    Unprocessable (`invalid_period`) for anything else."""
    basis_text = (params.get("basis") or Basis.REQUEST.value).strip()
    if basis_text not in {b.value for b in Basis}:
        raise Unprocessable("'basis' is 'order' or 'request'.", code="invalid_period")
    basis = Basis(basis_text)
    today = local_day(now, store.timezone)
    try:
        if params.get("from") or params.get("to"):
            start = _day(params.get("from") or "", "from")
            end = _day(params.get("to") or today.isoformat(), "to")
            return Scope(store, Period(start, end, basis))
        days_text = params.get("days") or str(DEFAULT_DAYS)
        if not days_text.isdigit():
            raise Unprocessable("'days' is a whole number of days.", code="invalid_period")
        return Scope(store, last_days(today, int(days_text), basis))
    except PeriodError as exc:
        raise Unprocessable(str(exc), code=exc.code) from None
