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
    CSV_RESPONSE,
    PeriodOut,
    PeriodQuery,
    RateOut,
    analytics_scope,
    csv_response,
    period_body,
    rate_body,
)
from retorno.api.v1.routers.common import ERRORS

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


@router.get(
    "/costs",
    response={200: CostsOut, **ERRORS},
    by_alias=True,
    summary="Cost per return: labels, refunds, shipping refunded, fees charged; net",
    openapi_extra=CSV_RESPONSE,
)
def cost_per_return(request: HttpRequest, query: Query[PeriodQuery]):
    """What the period's returns cost the store, in total and per return counted: carrier
    labels and pickups, refunds before fees (with the original shipping refunded within them),
    the fees shoppers were charged, and the net (labels + refunds − fees)."""
    figures = costs.costs(analytics_scope(request, query))
    if query.format == "csv":
        return csv_response(figures.table(), "costs")
    return costs_body(figures)


@router.get(
    "/recovery",
    response={200: RecoveryOut, **ERRORS},
    by_alias=True,
    summary="Recovered value by disposition, category and grade, and the recovery rate",
    openapi_extra=CSV_RESPONSE,
)
def recovered_value(request: HttpRequest, query: Query[PeriodQuery]):
    """The value the dispositions of the period's inspected units recover, against the value
    of those units (the recovery rate; null under 30 units)."""
    figures = costs.recovery(analytics_scope(request, query))
    if query.format == "csv":
        return csv_response(figures.table(), "recovery")
    return recovery_body(figures)
