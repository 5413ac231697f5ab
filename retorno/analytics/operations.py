"""How fast returns move: refund cycle time per stage, the warehouse's aging, the carriers'
pickups, labels and transit, and the exceptions to the policy (reviews and overrides).

Times come from the return's trail (the first event of each kind) and from the carriers'
tracking events, kept in the rollups; a stage counts for a return only when both its ends
happened, in order.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Min

from retorno.analytics import cube
from retorno.analytics.rollup_facts import STAGE_EVENTS
from retorno.analytics.scope import Scope
from retorno.analytics.tables import Table, table
from retorno.domain.analytics.rates import Rate, rate
from retorno.domain.analytics.rollups import (
    CYCLE_COUNT,
    SEPARATOR,
    Figures,
    histogram_percentile,
)
from retorno.domain.analytics.rollups import STAGES as STAGE_NAMES
from retorno.domain.analytics.stats import AGE_BUCKETS, age_bucket
from retorno.domain.days import local_day
from retorno.domain.returns.events import EventKind
from retorno.returns.models import ReturnEvent

# (stage, from event, to event); "request_to_refunded" runs from the request to the refund.
STAGES: tuple[tuple[str, str, str], ...] = tuple(
    (name, str(start), str(end))
    for name, (start, end) in zip(STAGE_NAMES, STAGE_EVENTS, strict=True)
)
SEGMENTS = ("all", "method", "resolution", "tier")


@dataclass(frozen=True)
class StageFigure:
    stage: str
    returns: int
    p50_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class CycleSegment:
    segment: str
    returns: int
    stages: list[StageFigure]


@dataclass(frozen=True)
class CycleTimes:
    scope: Scope
    segment_by: str
    segments: list[CycleSegment]

    def table(self) -> Table:
        return table(
            ("segment", "stage", "returns", "p50_days", "p90_days"),
            [
                (s.segment, f.stage, f.returns, f.p50_days, f.p90_days)
                for s in self.segments
                for f in s.stages
            ],
        )


def cycle_times(scope: Scope, *, segment_by: str = "all") -> CycleTimes:
    """p50 and p90 of each stage, overall or per method, resolution or tier: one range read of
    the rollups (`cycle_<segment_by>`: the returns of each segment and a histogram of each
    stage's durations in tenths of a day, retorno.domain.analytics.rollups)."""
    if segment_by not in SEGMENTS:
        segment_by = "all"
    # The whole is the sum of the methods' segments (every return has one method).
    whole = segment_by == "all"
    counts: Counter[str] = Counter()
    histograms: dict[str, dict[str, Counter[int]]] = defaultdict(lambda: defaultdict(Counter))
    for key, f in cube.histogram_sums(
        scope, "cycle_method" if whole else f"cycle_{segment_by}"
    ).items():
        parts = key.split(SEPARATOR)
        if parts[0] == CYCLE_COUNT:
            counts["all" if whole else SEPARATOR.join(parts[1:])] += f.returns
        elif f.units:
            stage, tenths = parts[0], int(parts[-1])
            segment = "all" if whole else SEPARATOR.join(parts[1:-1])
            histograms[segment][stage][tenths] += f.units
    segments = [
        CycleSegment(
            segment,
            counts[segment],
            [_stage(stage, histograms[segment][stage]) for stage, _, _ in STAGES],
        )
        for segment in sorted((s for s in counts if counts[s] > 0), key=lambda s: (-counts[s], s))
    ]
    return CycleTimes(scope, segment_by, segments)


def _stage(stage: str, histogram: Counter[int]) -> StageFigure:
    return StageFigure(
        stage, sum(histogram.values()), _tenths_days(histogram, 50), _tenths_days(histogram, 90)
    )


@dataclass(frozen=True)
class Aging:
    buckets: list[tuple[str, int]]
    total: int
    oldest: list[tuple[str, int]]  # (rma, days) of the oldest waiting

    def table(self) -> Table:
        return table(("days_waiting", "returns"), self.buckets)


def warehouse_aging(scope: Scope, *, now: datetime) -> Aging:
    """Returns received and not yet inspected, now, by local days since their first receipt:
    one query (the period does not apply: this is today's backlog)."""
    tz = scope.store.timezone
    today = local_day(now, tz)
    waiting = (
        ReturnEvent.objects.filter(
            store=scope.store, kind=EventKind.RECEIVED, return_request__status="received"
        )
        .values("return_request__rma")
        .annotate(at=Min("created_at"))
        .values_list("return_request__rma", "at")
    )
    ages = [(rma, (today - local_day(at, tz)).days) for rma, at in waiting]
    counts = Counter(age_bucket(days) for _, days in ages)
    return Aging(
        [(label, counts[label]) for label, _, _ in AGE_BUCKETS],
        len(ages),
        sorted(ages, key=lambda a: -a[1])[:10],
    )


@dataclass(frozen=True)
class CarrierFigure:
    carrier: str
    pickups: int
    pickup_first_attempt: Rate
    labels: int
    labels_used: Rate
    transit_p50_days: float | None
    transit_p90_days: float | None
    filter: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CarrierReport:
    scope: Scope
    carriers: list[CarrierFigure]

    def table(self) -> Table:
        return table(
            (
                "carrier",
                "pickups",
                "first_attempt_success",
                "labels",
                "labels_used",
                "transit_p50_days",
                "transit_p90_days",
            ),
            [
                (
                    c.carrier,
                    c.pickups,
                    c.pickup_first_attempt,
                    c.labels,
                    c.labels_used,
                    c.transit_p50_days,
                    c.transit_p90_days,
                )
                for c in self.carriers
            ],
        )


def carrier_report(scope: Scope) -> CarrierReport:
    """Per carrier, for the shipments of the scope's returns: first pickup attempts that
    succeeded, labels and drop-off codes that got a first scan, and days from the first scan to
    the warehouse. Three range reads of the rollups (`carrier_ship`, `carrier_pickup`, and the
    histogram `carrier_transit`, read by month for the period's whole months)."""
    shipped = cube.sums(scope, "carrier_ship")
    pickups = cube.sums(scope, "carrier_pickup")
    transit: dict[str, Counter[int]] = defaultdict(Counter)
    for key, f in cube.histogram_sums(scope, "carrier_transit").items():
        carrier, tenths = key.rsplit(SEPARATOR, 1)
        if f.units:
            transit[carrier][int(tenths)] += f.units
    figures = []
    for carrier in sorted(c for c, f in shipped.items() if f.returns > 0):
        ship, pickup = shipped[carrier], pickups.get(carrier) or Figures()
        figures.append(
            CarrierFigure(
                carrier,
                pickup.units,
                rate(pickup.extra, pickup.units),
                ship.units,
                rate(ship.extra, ship.units),
                _tenths_days(transit[carrier], 50),
                _tenths_days(transit[carrier], 90),
                {**scope.as_params(), "carrier": carrier, "counted": "1"},
            )
        )
    return CarrierReport(scope, figures)


def _tenths_days(histogram: Counter[int], q: float) -> float | None:
    tenths = histogram_percentile(histogram, q)
    return None if tenths is None else tenths / 10


@dataclass(frozen=True)
class Exceptions:
    scope: Scope
    returns: int
    reviews: int
    review_share: Rate
    review_reasons: list[tuple[str, int]]
    overrides_by_rule: list[tuple[str, int]]
    overrides_by_agent: list[tuple[str, int]]

    def table(self) -> Table:
        rows = [("manual_reviews", "", self.reviews)]
        rows += [("review_reason", r, n) for r, n in self.review_reasons]
        rows += [("override_rule", r, n) for r, n in self.overrides_by_rule]
        rows += [("override_agent", a, n) for a, n in self.overrides_by_agent]
        return table(("figure", "key", "count"), rows)


def policy_exceptions(scope: Scope) -> Exceptions:
    """Returns held for a person's review (and why), and decisions overridden, by the rule
    given and by the agent: five range reads of the rollups."""
    total = cube.total(scope).returns
    reviews = cube.total(scope, "review").returns

    def ranked(dimension: str) -> list[tuple[str, int]]:
        counts = {k: f.returns for k, f in cube.sums(scope, dimension).items() if f.returns}
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    return Exceptions(
        scope,
        total,
        reviews,
        rate(reviews, total),
        ranked("review_reason"),
        ranked("override_rule"),
        ranked("override_agent"),
    )
