"""Analytics API, the panels of the reasons and operations pages: reason mix and heat map,
retained revenue and outcomes, refund cycle time, warehouse aging, carriers and policy
exceptions, for the key's store, as JSON or (`?format=csv`) as the CSV the pages export. Each
reads the same selector as its page (retorno.analytics.mix and .operations).
Definitions: docs/analytics.md."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from retorno.analytics import mix, operations
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


class ReasonLeafOut(Schema):
    code: str
    group: str
    units: int
    share: RateOut = Field(description="Of the units returned in the period.")
    filter: dict[str, str]


class ReasonGroupOut(Schema):
    code: str
    units: int
    share: RateOut


class ReasonsOut(Schema):
    period: PeriodOut
    units: int
    other_share: RateOut = Field(description="Share of the units returned for `other`.")
    groups: list[ReasonGroupOut]
    leaves: list[ReasonLeafOut]


class HeatCellOut(Schema):
    reason: str
    units: int
    share: RateOut = Field(description="Of the product's units returned.")
    level: int = Field(description="0–4, how dark the page draws the cell.")
    filter: dict[str, str]


class HeatRowOut(Schema):
    product: str
    title: str
    units: int
    cells: list[HeatCellOut]


class HeatMapOut(Schema):
    period: PeriodOut
    reasons: list[str] = Field(description="The columns: the reasons given in the period.")
    rows: list[HeatRowOut]


class OutcomeOut(Schema):
    resolution: Literal["refund", "store_credit", "exchange", "keep"]
    returns: int
    value: str
    share: RateOut = Field(description="Of the returns counted.")
    filter: dict[str, str]


class OutcomesOut(Schema):
    period: PeriodOut
    currency: str
    returns: int
    value_returned: str
    value_retained: str
    retained: RateOut = Field(description="Retained ÷ returned value.")
    outcomes: list[OutcomeOut]


class CycleQuery(PeriodQuery):
    segment: Literal["all", "method", "resolution", "tier"] = "method"


class StageOut(Schema):
    stage: str
    returns: int
    p50_days: float | None
    p90_days: float | None


class CycleSegmentOut(Schema):
    segment: str
    returns: int
    stages: list[StageOut]


class CycleTimesOut(Schema):
    period: PeriodOut
    segment_by: str
    segments: list[CycleSegmentOut]


class AgingBucketOut(Schema):
    days_waiting: str = Field(description="`0-2`, `3-7`, `8-14` or `15+` local days.")
    returns: int


class WaitingReturnOut(Schema):
    rma: str
    days: int


class AgingOut(Schema):
    total: int
    buckets: list[AgingBucketOut]
    oldest: list[WaitingReturnOut] = Field(description="The ten waiting longest.")


class AgingQuery(Schema):
    format: Literal["json", "csv"] = "json"

    def params(self) -> dict[str, str]:
        """No period: the backlog is today's."""
        return {}


class CarrierOut(Schema):
    carrier: str
    pickups: int
    pickup_first_attempt: RateOut
    labels: int
    labels_used: RateOut
    transit_p50_days: float | None
    transit_p90_days: float | None
    filter: dict[str, str]


class CarriersOut(Schema):
    period: PeriodOut
    carriers: list[CarrierOut]


class KeyCountOut(Schema):
    key: str
    count: int


class ExceptionsOut(Schema):
    period: PeriodOut
    returns: int
    reviews: int
    review_share: RateOut
    review_reasons: list[KeyCountOut]
    overrides_by_rule: list[KeyCountOut]
    overrides_by_agent: list[KeyCountOut]


def _money(value: Any) -> str:
    return f"{value:.2f}"


def _counts(pairs: list[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"key": key, "count": count} for key, count in pairs]


def _reasons_body(figures: mix.ReasonMix) -> dict[str, Any]:
    return {
        "period": period_body(figures.scope),
        "units": figures.units,
        "other_share": rate_body(figures.other_share),
        "groups": [
            {"code": code, "units": units, "share": rate_body(share)}
            for code, units, share in figures.groups
        ],
        "leaves": [
            {
                "code": leaf.code,
                "group": leaf.group,
                "units": leaf.units,
                "share": rate_body(leaf.share),
                "filter": leaf.filter,
            }
            for leaf in figures.leaves
        ],
    }


def _heat_map_body(figures: mix.ReasonMix) -> dict[str, Any]:
    return {
        "period": period_body(figures.scope),
        "reasons": figures.heat_reasons,
        "rows": [
            {
                "product": row.product,
                "title": row.title,
                "units": row.units,
                "cells": [
                    {
                        "reason": c.reason,
                        "units": c.units,
                        "share": rate_body(c.share),
                        "level": c.level,
                        "filter": c.filter,
                    }
                    for c in row.cells
                ],
            }
            for row in figures.heat_rows
        ],
    }


def _outcomes_body(figures: mix.Outcomes) -> dict[str, Any]:
    return {
        "period": period_body(figures.scope),
        "currency": figures.scope.store.currency,
        "returns": figures.returns,
        "value_returned": _money(figures.value_returned),
        "value_retained": _money(figures.value_retained),
        "retained": rate_body(figures.retained),
        "outcomes": [
            {
                "resolution": o.resolution,
                "returns": o.returns,
                "value": _money(o.value),
                "share": rate_body(o.share),
                "filter": o.filter,
            }
            for o in figures.outcomes
        ],
    }


def _cycle_body(figures: operations.CycleTimes) -> dict[str, Any]:
    return {
        "period": period_body(figures.scope),
        "segment_by": figures.segment_by,
        "segments": [
            {"segment": s.segment, "returns": s.returns, "stages": [f.__dict__ for f in s.stages]}
            for s in figures.segments
        ],
    }


def _aging_body(figures: operations.Aging) -> dict[str, Any]:
    return {
        "total": figures.total,
        "buckets": [{"days_waiting": label, "returns": n} for label, n in figures.buckets],
        "oldest": [{"rma": rma, "days": days} for rma, days in figures.oldest],
    }


def _carriers_body(figures: operations.CarrierReport) -> dict[str, Any]:
    return {
        "period": period_body(figures.scope),
        "carriers": [
            {
                "carrier": c.carrier,
                "pickups": c.pickups,
                "pickup_first_attempt": rate_body(c.pickup_first_attempt),
                "labels": c.labels,
                "labels_used": rate_body(c.labels_used),
                "transit_p50_days": c.transit_p50_days,
                "transit_p90_days": c.transit_p90_days,
                "filter": c.filter,
            }
            for c in figures.carriers
        ],
    }


def _exceptions_body(figures: operations.Exceptions) -> dict[str, Any]:
    return {
        "period": period_body(figures.scope),
        "returns": figures.returns,
        "reviews": figures.reviews,
        "review_share": rate_body(figures.review_share),
        "review_reasons": _counts(figures.review_reasons),
        "overrides_by_rule": _counts(figures.overrides_by_rule),
        "overrides_by_agent": _counts(figures.overrides_by_agent),
    }


@figures_get(
    router,
    "/reasons",
    ReasonsOut,
    "Reason mix: units returned per reason and group, and the share of other",
)
def reason_mix(request: HttpRequest, query: Query[PeriodQuery]):
    """Units returned per reason of the taxonomy and per group, each as a share of the units
    returned in the period."""
    return figures_answer(request, query, "reasons", mix.reason_mix, _reasons_body)


@figures_get(
    router,
    "/heatmap",
    HeatMapOut,
    "Reason × product heat map of the products with most units returned",
)
def heat_map(request: HttpRequest, query: Query[PeriodQuery]):
    """The 12 products with most units returned, crossed with the reasons given in the period:
    each cell the product's units for that reason and their share of its units returned."""
    return figures_answer(
        request,
        query,
        "heatmap",
        mix.reason_mix,
        _heat_map_body,
        table=lambda figures: figures.heat_table(),
    )


@figures_get(
    router,
    "/outcomes",
    OutcomesOut,
    "Retained revenue and the outcome mix: refund, store credit, exchange, keep",
)
def outcome_mix(request: HttpRequest, query: Query[PeriodQuery]):
    """Each return counted once by outcome, and the value kept by exchanges and store credit
    against the value returned."""
    return figures_answer(request, query, "outcomes", mix.outcomes, _outcomes_body)


@figures_get(
    router,
    "/cycle-time",
    CycleTimesOut,
    "Refund cycle time: p50 and p90 days of each stage, per segment",
)
def cycle_time(request: HttpRequest, query: Query[CycleQuery]):
    """Request → first carrier scan → at the warehouse → inspected → refunded, and request →
    refunded: nearest-rank p50 and p90 in days, for all returns or per method, resolution or
    tier (by method unless asked, as on the page)."""
    return figures_answer(
        request,
        query,
        "cycle",
        lambda scope: operations.cycle_times(scope, segment_by=query.segment),
        _cycle_body,
    )


@figures_get(
    router,
    "/aging",
    AgingOut,
    "Warehouse aging: returns received and not inspected, by days waiting",
)
def warehouse_aging(request: HttpRequest, query: Query[AgingQuery]):
    """Today's backlog, whatever the period: returns received and not yet inspected, by whole
    local days since their first receipt."""
    return figures_answer(
        request,
        query,
        "aging",
        lambda scope: operations.warehouse_aging(scope, now=timezone.now()),
        _aging_body,
    )


@figures_get(
    router,
    "/carriers",
    CarriersOut,
    "Carriers: first-attempt pickup success, label usage, transit time",
)
def carriers(request: HttpRequest, query: Query[PeriodQuery]):
    """Per carrier, for the shipments of the period's returns: first pickup attempts that
    succeeded, labels that got a first scan, and days from the first scan to the warehouse."""
    return figures_answer(request, query, "carriers", operations.carrier_report, _carriers_body)


@figures_get(
    router,
    "/exceptions",
    ExceptionsOut,
    "Policy exceptions: manual reviews and overrides by rule and by agent",
)
def policy_exceptions(request: HttpRequest, query: Query[PeriodQuery]):
    """Returns held for a person's review (and why) of the returns counted, and decisions
    overridden, by the rule the agent named and by agent."""
    return figures_answer(
        request, query, "exceptions", operations.policy_exceptions, _exceptions_body
    )
