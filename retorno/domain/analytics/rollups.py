"""What one order adds to the analytics rollups: a pure function of the order's facts.

The rollups are sums per store × day × dimension × key (docs/analytics.md, "Rollups"). An
order is the unit they are kept by: its lines are what was sold, its returns what came back,
and an order returned twice is still one order returned. `order_contribution` turns the facts
of one order into rows; the rollups are the sum of every order's rows. Keeping them is then a
difference: when an order changes, what it added before is taken away and what it adds now is
added (`contribution_diff`), so applying the same state twice changes nothing, and a rebuild
(the sum over every order, from the source tables) equals any sequence of changes applied one
by one.

Amounts are whole ten-thousandths of the currency (the precision of the money columns), so
sums are exact on every database.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from retorno.domain.analytics.fit import direction_of
from retorno.domain.analytics.quality import DEFECT_REASONS

SCALE = 10_000  # amounts are kept as whole ten-thousandths
# The definition of the rows: raised by any change of what a contribution holds (a dimension, a
# key, what a figure counts), so that every store's rollups are rebuilt before they are next
# read or counted (retorno.analytics.rollups.rollups_ready).
# 2: cycle_all folded into cycle_method, monthly cycle histograms; 3: the carriers' figures.
ROLLUPS_VERSION = 3


def scaled(value: Decimal | int | float | str | None) -> int:
    """An amount as whole ten-thousandths."""
    if value is None:
        return 0
    return int((Decimal(str(value)) * SCALE).to_integral_value())


def unscaled(value: int) -> Decimal:
    return Decimal(value) / SCALE


class Basis(StrEnum):
    """Which day a row is counted on: returned by request day, returned by order day, or sold
    (always by order day); a month's sums of the first two (the row's day is the month's
    first), kept for the cycle-time histograms only."""

    REQUEST = "r"
    ORDER = "o"
    SOLD = "s"
    REQUEST_MONTH = "R"
    ORDER_MONTH = "O"


MONTH_OF = {
    Basis.REQUEST.value: Basis.REQUEST_MONTH.value,
    Basis.ORDER.value: Basis.ORDER_MONTH.value,
}


# Dimensions over what came back that also have sales to compare with.
SOLD_DIMENSIONS = ("product", "variant", "category", "supplier", "tier", "region", "channel")
# Dimensions of the returned items (per return: one row per key its items have).
ITEM_DIMENSIONS = (*SOLD_DIMENSIONS, "reason", "product_reason")
# Dimensions of the return itself.
RETURN_DIMENSIONS = ("carrier", "resolution", "outcome")
RECOVERY_DIMENSIONS = ("disposition", "recovery_category", "grade")
COST_KEYS = ("labels", "refunds", "shipping", "fees")
SEPARATOR = "\t"  # between the keys of a many-key dimension (product_reason, …)
# Refund cycle time: the stages (named as the panel names them) whose durations are kept, and
# the ways the panel splits returns; per split a dimension `cycle_<split>`.
STAGES = (
    "request_to_scan",
    "scan_to_warehouse",
    "warehouse_to_inspected",
    "inspected_to_refunded",
    "request_to_refunded",
)
# No `all`: every return has one method, so the whole is the sum of the method's segments.
CYCLE_SPLITS = ("method", "resolution", "tier")
CYCLE_COUNT = "n"  # the first part of a segment's count key (the histograms' is a stage)
# Durations are kept as whole tenths of a day, the precision the panel shows: rounding is
# monotone, so the nearest-rank percentile of the rounded durations is the rounded percentile
# of the exact ones, and a year's histogram has a few hundred keys, not one per return.
SECONDS_PER_TENTH = 8640


@dataclass(frozen=True, slots=True)
class LineFacts:
    id: int
    product: str
    title: str
    sku: str
    category: str
    supplier: str
    units: int
    paid: int  # ten-thousandths


@dataclass(frozen=True, slots=True)
class ItemFacts:
    line_id: int
    reason: str
    units: int
    value: int  # paid value requested, ten-thousandths
    rejected: bool = False
    size: str = ""  # the size ordered (the line's `size` option), "" when none
    exchanged_size: str = ""  # the size exchanged to, "" when not exchanged
    confirmed: int = 0  # units inspection confirmed as the reason says (quality.confirmed_defect)


@dataclass(frozen=True, slots=True)
class InspectionFacts:
    category: str
    grade: str
    disposition: str  # blank until staff set it
    units: int
    value: int  # unit value × units, ten-thousandths
    recovered: int  # ten-thousandths


@dataclass(frozen=True, slots=True)
class ShipmentFacts:
    """A shipment of the return booked with a carrier account: the carrier panel's facts."""

    carrier: str
    label: bool  # a label or drop-off code the shopper takes to the carrier
    scanned: bool  # the carrier scanned it at least once
    transit: float | None  # seconds from its first scan to the warehouse, None until both
    # The return's first pickup attempt, when it was one of this shipment's: its carrier (the
    # attempt's account) and whether it succeeded.
    first_pickup: str = ""
    first_pickup_ok: bool = False


@dataclass(frozen=True, slots=True)
class ReturnFacts:
    id: int
    day: date  # the request's local day
    counted: bool  # not rejected or cancelled
    tier: str  # frozen at the request
    resolution: str
    method: str
    carrier: str  # of the latest booked shipment, "" when none
    items: tuple[ItemFacts, ...] = ()
    inspections: tuple[InspectionFacts, ...] = ()
    review_reasons: tuple[tuple[str, ...], ...] = ()  # one tuple per time it was held
    overrides: tuple[tuple[str, str], ...] = ()  # (rule, agent) per override
    labels: int = 0  # what the store paid the carriers for its shipments
    refunds: int = 0  # paid back (succeeded refunds), ten-thousandths
    shipping: int = 0  # original shipping refunded, part of refunds
    fees: int = 0  # restocking and return-shipping fees kept from refunds
    # Seconds each of STAGES took, None when it has not both ends in order.
    stage_seconds: tuple[float | None, ...] = ()
    shipments: tuple[ShipmentFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class OrderFacts:
    id: int
    day: date  # the order's local day (placed)
    tier: str
    region: str
    channel: str
    lines: tuple[LineFacts, ...] = ()
    returns: tuple[ReturnFacts, ...] = ()


@dataclass(slots=True)
class Figures:
    """What a row counts. `returns` and `orders` count distinct returns and orders (an order
    counts on the day of its first return with the key); units; `value` the paid value (for a
    recovery row: the value inspected); `extra` the value recovered (recovery rows only)."""

    returns: int = 0
    orders: int = 0
    units: int = 0
    value: int = 0
    extra: int = 0

    def add(self, other: Figures, sign: int = 1) -> None:
        if sign == 1:
            self.returns += other.returns
            self.orders += other.orders
            self.units += other.units
            self.value += other.value
            self.extra += other.extra
            return
        self.returns += sign * other.returns
        self.orders += sign * other.orders
        self.units += sign * other.units
        self.value += sign * other.value
        self.extra += sign * other.extra

    def as_tuple(self) -> tuple[int, int, int, int, int]:
        return (self.returns, self.orders, self.units, self.value, self.extra)

    def is_zero(self) -> bool:
        return not any(self.as_tuple())


# (basis, day, dimension, key)
RowKey = tuple[str, date, str, str]
Contribution = dict[RowKey, Figures]


@dataclass
class _Rows:
    rows: Contribution = field(default_factory=lambda: defaultdict(Figures))

    def add(self, key: RowKey, **figures: int) -> None:
        self.rows[key].add(Figures(**figures))


def _line_keys(line: LineFacts, order: OrderFacts) -> dict[str, str]:
    return {
        "product": line.product,
        "variant": line.sku,
        "category": line.category,
        "supplier": line.supplier,
        "tier": order.tier,
        "region": order.region,
        "channel": order.channel,
    }


def order_contribution(order: OrderFacts) -> Contribution:
    """Every row the order adds to: its sales and what came back of it."""
    return contribution_sum([sold_contribution(order), returned_contribution(order)])


def sold_contribution(order: OrderFacts) -> Contribution:
    """The rows of the order's sales (basis `s`, on the order's day)."""
    out = _Rows()
    _sold(order, out)
    return dict(out.rows)


def returned_contribution(order: OrderFacts) -> Contribution:
    """The rows of each counted return of the order (its items, outcome, exceptions, costs and
    recovered value), on the request's day and on the order's; an order counts once per key,
    on the day of its first return with that key."""
    total: Contribution = defaultdict(Figures)
    returned_add(total, order)
    return {key: figures for key, figures in total.items() if not figures.is_zero()}


def returned_add(total: dict[RowKey, Figures], order: OrderFacts, sign: int = 1) -> None:
    """Add the order's returned rows (returned_contribution) to `total`, times `sign`, without
    building them apart first (what keeping the rollups does per order: − before, + now)."""
    lines = {line.id: line for line in order.lines}
    first_return_day: dict[tuple[str, str, str], date] = {}
    for ret in sorted(order.returns, key=lambda r: (r.day, r.id)):
        if not ret.counted:
            continue
        # The same rows on both days: computed once.
        rows, keys, histograms = _returned(ret, order, lines)
        for basis, day in ((Basis.REQUEST.value, ret.day), (Basis.ORDER.value, order.day)):
            for (dimension, key), figures in rows.items():
                total[(basis, day, dimension, key)].add(figures, sign)
            for dimension, key in keys:
                first_return_day.setdefault((basis, dimension, key), day)
            # The histograms on the day's month too: a year reads 12 rows a key, not 365.
            month, first = MONTH_OF[basis], day.replace(day=1)
            for (dimension, key), units in histograms.items():
                figures = total[(basis, day, dimension, key)]
                figures.units += sign * units
                total[(month, first, dimension, key)].units += sign * units
    for (row_basis, dimension, key), day in first_return_day.items():
        total[(row_basis, day, dimension, key)].orders += sign


def _sold(order: OrderFacts, out: _Rows) -> None:
    seen: set[tuple[str, str]] = set()
    for line in order.lines:
        for dimension, key in (("all", ""), *_line_keys(line, order).items()):
            first = (dimension, key) not in seen
            seen.add((dimension, key))
            out.add(
                (Basis.SOLD, order.day, dimension, key),
                orders=1 if first else 0,
                units=line.units,
                value=line.paid,
            )


def _returned(
    ret: ReturnFacts, order: OrderFacts, lines: Mapping[int, LineFacts]
) -> tuple[dict[tuple[str, str], Figures], set[tuple[str, str]], dict[tuple[str, str], int]]:
    """The rows of one counted return, per (dimension, key) (on whichever day they are
    counted); the pairs it counts as a return, for counting orders; and its cycle-time
    histogram rows (units only), kept on the day and on its month."""
    rows: dict[tuple[str, str], Figures] = defaultdict(Figures)
    keys: set[tuple[str, str]] = set()

    def count(dimension: str, key: str, units: int = 0, value: int = 0, extra: int = 0) -> None:
        pair = (dimension, key)
        figures = rows[pair]
        if pair not in keys:
            keys.add(pair)
            figures.returns += 1
        figures.units += units
        figures.value += value
        figures.extra += extra

    def once(dimension: str, key: str) -> None:
        rows[(dimension, key)].returns += 1

    items = [i for i in ret.items if not i.rejected and i.line_id in lines]
    units, value = sum(i.units for i in items), sum(i.value for i in items)
    count("all", "", units, value)
    for item in items:
        line = lines[item.line_id]
        item_keys = {
            **_line_keys(line, order),
            "tier": ret.tier,
            "reason": item.reason,
            "product_reason": f"{line.product}{SEPARATOR}{item.reason}",
        }
        for dimension in ITEM_DIMENSIONS:
            count(dimension, item_keys[dimension], item.units, item.value)
        _fit_rows(item, line, count)
        if item.reason in DEFECT_REASONS and line.supplier:
            count(
                "defect",
                f"{line.supplier}{SEPARATOR}{line.product}",
                units=item.units,
                extra=item.confirmed,
            )
    count("carrier", ret.carrier, units, value)
    count("resolution", ret.resolution, units, value)
    count("outcome", "keep" if ret.method == "keep" else ret.resolution, units, value)
    for reasons in ret.review_reasons:
        once("review", "")
        for reason in reasons:
            once("review_reason", reason)
    for rule, agent in ret.overrides:
        once("override_rule", rule)
        once("override_agent", agent)
    for key, amount in zip(
        COST_KEYS, (ret.labels, ret.refunds, ret.shipping, ret.fees), strict=True
    ):
        if amount:
            count("cost", key, value=amount)
    for inspection in ret.inspections:
        if not inspection.disposition:
            continue
        for dimension, key in zip(
            RECOVERY_DIMENSIONS,
            (inspection.disposition, inspection.category, inspection.grade),
            strict=True,
        ):
            count(
                dimension,
                key,
                units=inspection.units,
                value=inspection.value,
                extra=inspection.recovered,
            )
    histograms = _cycle_rows(ret, rows)
    _carrier_rows(ret, rows, histograms)
    return rows, keys, histograms


def _fit_rows(item: ItemFacts, line: LineFacts, count: Any) -> None:
    """Runs small / runs large (`fit`, per product): units = sized items, value = those that
    say small, extra = large; `fit_kept`, per product, size ordered and size kept: exchanges."""
    if not item.size:
        return
    direction = direction_of(item.reason, item.size, item.exchanged_size)
    count("fit", line.product, units=1, value=int(direction > 0), extra=int(direction < 0))
    if item.exchanged_size and item.exchanged_size != item.size:
        key = SEPARATOR.join((line.product, item.size, item.exchanged_size))
        count("fit_kept", key, units=1)


def stage_tenths(seconds: float) -> int:
    """A duration as the whole tenths of a day the panel shows (rounded as `round(x, 1)`)."""
    return round(round(seconds / 86400, 1) * 10)


def _cycle_rows(
    ret: ReturnFacts, rows: dict[tuple[str, str], Figures]
) -> dict[tuple[str, str], int]:
    """Refund cycle time: per split, the returns of each segment (key `n<TAB>segment`, in
    `rows`) and a histogram of each stage's durations (`stage<TAB>segment<TAB>tenths`,
    units = returns; returned apart, as it is kept by month too)."""
    segments = {
        "method": ret.method or "-",
        "resolution": ret.resolution or "-",
        "tier": ret.tier or "-",
    }
    tenths = [
        (stage, str(stage_tenths(seconds)))
        for stage, seconds in zip(STAGES, ret.stage_seconds, strict=False)
        if seconds is not None
    ]
    histograms: dict[tuple[str, str], int] = {}
    for split in CYCLE_SPLITS:
        dimension, segment = f"cycle_{split}", segments[split]
        rows[(dimension, f"{CYCLE_COUNT}{SEPARATOR}{segment}")].returns += 1
        for stage, bucket in tenths:
            histograms[(dimension, SEPARATOR.join((stage, segment, bucket)))] = 1
    return histograms


def _carrier_rows(
    ret: ReturnFacts, rows: dict[tuple[str, str], Figures], histograms: dict[tuple[str, str], int]
) -> None:
    """Carriers, per carrier: `carrier_ship` (returns = shipments, units = labels and drop-off
    codes issued, extra = those the carrier scanned), `carrier_pickup` (units = first pickup
    attempts, extra = those that succeeded) and the histogram `carrier_transit` (key
    `carrier<TAB>tenths`, units = shipments: days from the first scan to the warehouse, in
    tenths as the panel shows them)."""
    for shipment in ret.shipments:
        ship = rows[("carrier_ship", shipment.carrier)]
        ship.returns += 1
        if shipment.label:
            ship.units += 1
            ship.extra += int(shipment.scanned)
        if shipment.first_pickup:
            pickup = rows[("carrier_pickup", shipment.first_pickup)]
            pickup.units += 1
            pickup.extra += int(shipment.first_pickup_ok)
        if shipment.transit is not None:
            key = f"{shipment.carrier}{SEPARATOR}{stage_tenths(shipment.transit)}"
            histograms[("carrier_transit", key)] = histograms.get(("carrier_transit", key), 0) + 1


def month_split(start: date, end: date) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """How to read the days start..end (both included) from daily and monthly rows: the days
    read one by one (at most the partial months at the two edges), and the first and last day
    of the whole months between them, read as monthly rows (None when no month is whole)."""
    first = start if start.day == 1 else _next_month(start)
    stop = (end + timedelta(days=1)).replace(day=1)  # the first day after the whole months
    if first >= stop:
        return [(start, end)], None
    edges = []
    if start < first:
        edges.append((start, first - timedelta(days=1)))
    if stop <= end:
        edges.append((stop, end))
    return edges, (first, stop - timedelta(days=1))


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def histogram_percentile(counts: Mapping[int, int], q: float) -> int | None:
    """The nearest-rank `q` percentile (0 < q ≤ 100) of values given as value -> how many
    (retorno.domain.analytics.stats.percentile without the list); None when there are none."""
    if not 0 < q <= 100:
        raise ValueError("q is in (0, 100]")
    n = sum(c for c in counts.values() if c > 0)
    if not n:
        return None
    rank = max(1, math.ceil(q / 100 * n))
    seen = 0
    for value in sorted(counts):
        seen += max(counts[value], 0)
        if seen >= rank:
            return value
    raise AssertionError("the ranks add up to n")  # pragma: no cover


def contribution_sum(contributions: Iterable[Mapping[RowKey, Figures]]) -> Contribution:
    """The rows of many orders added up (what a rebuild writes)."""
    total: Contribution = defaultdict(Figures)
    for contribution in contributions:
        for key, figures in contribution.items():
            total[key].add(figures)
    return {key: figures for key, figures in total.items() if not figures.is_zero()}


def contribution_diff(old: Mapping[RowKey, Figures], new: Mapping[RowKey, Figures]) -> Contribution:
    """What to add to the rollups when an order that added `old` now adds `new`."""
    diff: Contribution = defaultdict(Figures)
    for key, figures in new.items():
        diff[key].add(figures)
    for key, figures in old.items():
        diff[key].add(figures, -1)
    return {key: figures for key, figures in diff.items() if not figures.is_zero()}


def facts_dump(order: OrderFacts) -> dict[str, Any]:
    """What the order's returned rows are computed from, as JSON (kept per order with returns,
    to take its rows away when it changes): the lines its returns name, and the returns."""
    named = {item.line_id for ret in order.returns for item in ret.items}
    return {
        "id": order.id,
        "day": order.day.isoformat(),
        "tier": order.tier,
        "region": order.region,
        "channel": order.channel,
        "lines": [
            [ln.id, ln.product, ln.title, ln.sku, ln.category, ln.supplier, ln.units, ln.paid]
            for ln in order.lines
            if ln.id in named
        ],
        "returns": [
            [
                r.id,
                r.day.isoformat(),
                r.counted,
                r.tier,
                r.resolution,
                r.method,
                r.carrier,
                [
                    [
                        i.line_id,
                        i.reason,
                        i.units,
                        i.value,
                        i.rejected,
                        i.size,
                        i.exchanged_size,
                        i.confirmed,
                    ]
                    for i in r.items
                ],
                [
                    [i.category, i.grade, i.disposition, i.units, i.value, i.recovered]
                    for i in r.inspections
                ],
                [list(reasons) for reasons in r.review_reasons],
                [list(o) for o in r.overrides],
                [r.labels, r.refunds, r.shipping, r.fees],
                list(r.stage_seconds),
                [list(astuple_shipment(x)) for x in r.shipments],
            ]
            for r in order.returns
        ],
    }


def astuple_shipment(shipment: ShipmentFacts) -> tuple[Any, ...]:
    return (
        shipment.carrier,
        shipment.label,
        shipment.scanned,
        shipment.transit,
        shipment.first_pickup,
        shipment.first_pickup_ok,
    )


def facts_load(data: Mapping[str, Any]) -> OrderFacts:
    return OrderFacts(
        id=int(data["id"]),
        day=date.fromisoformat(data["day"]),
        tier=data["tier"],
        region=data["region"],
        channel=data["channel"],
        lines=tuple(LineFacts(*line) for line in data["lines"]),
        returns=tuple(
            ReturnFacts(
                id=r[0],
                day=date.fromisoformat(r[1]),
                counted=r[2],
                tier=r[3],
                resolution=r[4],
                method=r[5],
                carrier=r[6],
                items=tuple(ItemFacts(*i) for i in r[7]),
                inspections=tuple(InspectionFacts(*i) for i in r[8]),
                review_reasons=tuple(tuple(x) for x in r[9]),
                overrides=tuple((o[0], o[1]) for o in r[10]),
                labels=r[11][0],
                refunds=r[11][1],
                shipping=r[11][2],
                fees=r[11][3],
                # Facts kept before the cycle times were (the rows they added had none).
                stage_seconds=tuple(r[12]) if len(r) > 12 else (),
                shipments=tuple(ShipmentFacts(*x) for x in r[13]) if len(r) > 13 else (),
            )
            for r in data["returns"]
        ),
    )
