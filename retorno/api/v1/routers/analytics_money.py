"""Analytics API, money of returns: cost per return and recovered value, for the key's store,
as JSON or (`?format=csv`) as the CSV the pages export. Definitions: docs/analytics.md."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from retorno.analytics import costs
from retorno.api.v1.routers.analytics import (
    PeriodOut,
    PeriodQuery,
    RateOut,
    figures_answer,
    figures_get,
    period_body,
    rate_body,
)

router = Router(tags=["analytics"])


class CostLineOut(Schema):
    key: str = Field(
        description="`labels`, `refunds_gross` (refunds before fees), `shipping` (original "
        "shipping refunded, within refunds_gross), `fees` (charged to shoppers) or `net`."
    )
    amount: str
    returns: int = Field(description="Returns with this cost (for net: every return counted).")
    per_return: str | None = Field(
        description="amount ÷ returns counted in the period; null under 30 returns."
    )


class CostsOut(Schema):
    period: PeriodOut
    currency: str
    returns: int
    net: str
    lines: list[CostLineOut]
    filter: dict[str, str]


class RecoveryRowOut(Schema):
    key: str
    returns: int
    units: int
    value: str
    recovered: str
    recovery_rate: RateOut


class RecoveryOut(Schema):
    period: PeriodOut
    currency: str
    units: int
    value: str
    recovered: str
    recovery_rate: RateOut
    disposition: list[RecoveryRowOut]
    category: list[RecoveryRowOut]
    grade: list[RecoveryRowOut]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def costs_body(c: costs.Costs) -> dict[str, Any]:
    return {
        "period": period_body(c.scope),
        "currency": c.scope.store.currency,
        "returns": c.returns,
        "net": _money(c.net),
        "lines": [
            {
                "key": line.key,
                "amount": _money(line.amount),
                "returns": line.returns,
                "per_return": _money(line.per_return),
            }
            for line in c.lines
        ],
        "filter": c.filter,
    }


def recovery_body(r: costs.Recovery) -> dict[str, Any]:
    return {
        "period": period_body(r.scope),
        "currency": r.scope.store.currency,
        "units": r.units,
        "value": _money(r.value),
        "recovered": _money(r.recovered),
        "recovery_rate": rate_body(r.rate),
        **{
            name: [
                {
                    "key": row.key,
                    "returns": row.returns,
                    "units": row.units,
                    "value": _money(row.value),
                    "recovered": _money(row.recovered),
                    "recovery_rate": rate_body(row.rate),
                }
                for row in rows
            ]
            for name, rows in r.by.items()
        },
    }


@figures_get(
    router,
    "/costs",
    CostsOut,
    "Cost per return: labels, refunds, shipping refunded, fees charged; net",
)
def cost_per_return(request: HttpRequest, query: Query[PeriodQuery]):
    """What the period's returns cost the store, in total and per return counted: carrier
    labels and pickups, refunds before fees (with the original shipping refunded within them),
    the fees shoppers were charged, and the net (labels + refunds − fees)."""
    return figures_answer(request, query, "costs", costs.costs, costs_body)


@figures_get(
    router,
    "/recovery",
    RecoveryOut,
    "Recovered value by disposition, category and grade, and the recovery rate",
)
def recovered_value(request: HttpRequest, query: Query[PeriodQuery]):
    """The value the dispositions of the period's inspected units recover, against the value
    of those units (the recovery rate; null under 30 units)."""
    return figures_answer(request, query, "recovery", costs.recovery, recovery_body)
