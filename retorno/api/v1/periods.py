"""The period every analytics figure and the policy simulator are asked for: a first and last
local day, or the last N days, counted by request date or by order date."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field


class PeriodFields(Schema):
    from_: Annotated[
        date | None,
        Field(None, alias="from", description="First local day of the period (YYYY-MM-DD)."),
    ] = None
    to: Annotated[
        date | None, Field(None, description="Last local day of the period, included; today.")
    ] = None
    days: Annotated[
        int | None,
        Field(None, ge=1, le=732, description="The last `days` days; 90 without from/to."),
    ] = None
    basis: Literal["request", "order"] = Field(
        "request", description="Count returns by their request date or their order's date."
    )

    def params(self) -> dict[str, str]:
        """The period as the query parameters the analytics scope reads."""
        found = {
            "from": self.from_.isoformat() if self.from_ else "",
            "to": self.to.isoformat() if self.to else "",
            "days": str(self.days) if self.days else "",
            "basis": self.basis,
        }
        return {k: v for k, v in found.items() if v}


# `from` is a Python keyword: the field is `from_`, and every operation whose answer holds a
# period is declared with `by_alias=True` so that the answer says `from`.
class PeriodOut(Schema):
    """The period the figures count: first and last local day, its length, its basis."""

    from_: date = Field(alias="from")
    to: date
    days: int
    basis: Literal["request", "order"]
