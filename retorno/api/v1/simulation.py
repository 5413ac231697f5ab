"""The policy simulator's request and answer in the API (`POST /api/v1/policy/simulate`), built
from the same figures the policy editor's simulator shows (retorno.analytics.simulator)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from retorno.analytics.simulator import SimulationReport
from retorno.api.v1.periods import PeriodFields, PeriodOut
from retorno.domain.policies import Reason
from retorno.domain.policies.simulation import OUTCOMES, Replayed, totals_change

OutcomeCode = Literal["approve", "review", "reject"]


class SimulateIn(PeriodFields):
    document: dict[str, Any] = Field(
        description="The draft policy document (the same format as `PUT /policy`)."
    )
    basis: Literal["request", "order"] = Field(
        "request", description="Replay the requests made in the period, or those of its orders."
    )
    top_tiers: Annotated[
        list[Annotated[str, Field(max_length=40)]] | None,
        Field(
            None,
            max_length=20,
            description="Tiers whose newly refused customers are highlighted; default the "
            "highest tier Retorno knows (bronze < silver < gold < platinum < vip) in the period.",
        ),
    ] = None


class AmountOut(Schema):
    currency: str
    amount: Decimal


class MatrixCellOut(Schema):
    old: OutcomeCode = Field(description="The outcome under the policy in force.")
    new: OutcomeCode = Field(description="The outcome under the draft.")
    count: int
    value: list[AmountOut] = Field(description="Paid value of the units requested.")


class RuleFiredOut(Schema):
    rule_id: str
    description: str
    old: int = Field(description="Requests it fired for under the policy in force.")
    new: int = Field(description="Requests it fires for under the draft.")
    change: int


class MoneyChangeOut(Schema):
    old: list[AmountOut]
    new: list[AmountOut]
    change: list[AmountOut]


class WorkloadOut(Schema):
    old: int
    new: int
    change: int


class TierOut(Schema):
    tier: str
    top: bool
    requests: int
    old_rejected: int
    new_rejected: int
    newly_refused: int
    newly_reviewed: int
    newly_approved: int


class ReasonGivenOut(Schema):
    code: str
    message: str
    params: dict[str, str]


class ReplayedOut(Schema):
    outcome: OutcomeCode
    rules: list[str]
    fees: Decimal
    refund: Decimal
    reasons: list[ReasonGivenOut]


class ChangeOut(Schema):
    rma: str
    tier: str
    requested_at: datetime
    currency: str
    value: Decimal
    days_since_delivery: int | None
    old: ReplayedOut
    new: ReplayedOut


class ChangesOut(Schema):
    total: int
    listed: list[ChangeOut] = Field(description="The first changes in request order.")


class WindowOut(Schema):
    days: int
    starts: Literal["delivery", "order"]


class HistogramBarOut(Schema):
    days: int
    requests: int


class DaysSinceDeliveryOut(Schema):
    histogram: list[HistogramBarOut]
    not_delivered: int
    old_window: WindowOut
    new_window: WindowOut


class ReplayCheckOut(Schema):
    checked: int = Field(description="Requests decided under the version in force.")
    mismatches: int = Field(
        description="Of those, requests whose recorded outcome the replay does not give again."
    )


class SimulationOut(Schema):
    period: PeriodOut
    policy_version_in_force: int | None
    requests: int
    matrix: list[MatrixCellOut]
    rules: list[RuleFiredOut]
    fees: MoneyChangeOut
    refunds: MoneyChangeOut
    manual_reviews: WorkloadOut
    tiers: list[TierOut]
    top_tier_newly_refused: int
    changes: ChangesOut
    days_since_delivery: DaysSinceDeliveryOut
    replay_check: ReplayCheckOut
    notes: list[str] = Field(
        description="Facts that could not be replayed as they were: `signals_not_replayed` "
        "(abuse signals are not recomputed for past requests)."
    )


def _amounts(totals: dict[str, Decimal]) -> list[dict[str, Any]]:
    return [{"currency": c, "amount": totals[c]} for c in sorted(totals)]


def _money(old: dict[str, Decimal], new: dict[str, Decimal]) -> dict[str, Any]:
    return {
        "old": _amounts(old),
        "new": _amounts(new),
        "change": _amounts(totals_change(old, new)),
    }


def _reason(reason: Reason) -> dict[str, Any]:
    return {"code": reason.code, "message": reason.message, "params": reason.params_dict}


def _replayed(replayed: Replayed) -> dict[str, Any]:
    return {
        "outcome": replayed.outcome.value,
        "rules": list(replayed.rules),
        "fees": replayed.fees,
        "refund": replayed.refund,
        "reasons": [_reason(r) for r in replayed.reasons],
    }


def simulation_body(report: SimulationReport) -> dict[str, Any]:
    sim = report.simulation
    period = report.scope.period
    return {
        "period": {
            "from": period.start,
            "to": period.end,
            "days": period.days,
            "basis": period.basis.value,
        },
        "policy_version_in_force": report.in_force_version,
        "requests": sim.requests,
        "matrix": [
            {
                "old": a.value,
                "new": b.value,
                "count": sim.matrix[(a, b)].count,
                "value": _amounts(sim.matrix[(a, b)].value),
            }
            for a in OUTCOMES
            for b in OUTCOMES
        ],
        "rules": [
            {
                "rule_id": r.rule_id,
                "description": r.description,
                "old": r.old,
                "new": r.new,
                "change": r.change,
            }
            for r in sim.rules
        ],
        "fees": _money(sim.fees_old, sim.fees_new),
        "refunds": _money(sim.refunds_old, sim.refunds_new),
        "manual_reviews": {
            "old": sim.reviews_old,
            "new": sim.reviews_new,
            "change": sim.reviews_new - sim.reviews_old,
        },
        "tiers": [
            {
                "tier": t.tier,
                "top": t.top,
                "requests": t.requests,
                "old_rejected": t.old_rejected,
                "new_rejected": t.new_rejected,
                "newly_refused": t.newly_refused,
                "newly_reviewed": t.newly_reviewed,
                "newly_approved": t.newly_approved,
            }
            for t in sim.tiers
        ],
        "top_tier_newly_refused": sim.top_tier_refused,
        "changes": {
            "total": sim.changed,
            "listed": [
                {
                    "rma": c.key,
                    "tier": c.tier,
                    "requested_at": c.requested_at,
                    "currency": c.currency,
                    "value": c.value,
                    "days_since_delivery": c.days_since_delivery,
                    "old": _replayed(c.old),
                    "new": _replayed(c.new),
                }
                for c in sim.changes
            ],
        },
        "days_since_delivery": {
            "histogram": [{"days": d, "requests": n} for d, n in sim.days_since_delivery.items()],
            "not_delivered": sim.not_delivered,
            "old_window": {"days": sim.old_window.days, "starts": sim.old_window.starts},
            "new_window": {"days": sim.new_window.days, "starts": sim.new_window.starts},
        },
        "replay_check": {"checked": sim.replay_checked, "mismatches": sim.replay_mismatches},
        "notes": list(report.notes),
    }
