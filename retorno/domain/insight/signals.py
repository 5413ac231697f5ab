"""Abuse signals: what a customer's history says, each with the evidence behind it.

Signals inform; they never refuse a return by themselves. A store may use them as policy
conditions (`signal_any` in a rule's `when`: send to review, waive nothing, ask for photos).
Every signal is a pure function of the customer's history and `now` (docs/insight.md):

- serial_returner: over the last 12 months, item return rate ≥ 50% and at least 5 returns.
- bracketing: at least two sizes or colours of one product in one order, at least one returned.
- wardrobing: a unit graded worn ("used") or with its tags removed, of an event-type category,
  requested back within a few days of delivery.
- empty_box: a parcel whose weight is outside the tolerance of what was shipped, a unit whose
  serial did not match, or another SKU than the one sold came back (a swap).
- false_claims: at least 3 "never arrived" and damage claims over the last 12 months.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType


class SignalCode(StrEnum):
    SERIAL_RETURNER = "serial_returner"
    BRACKETING = "bracketing"
    WARDROBING = "wardrobing"
    EMPTY_BOX = "empty_box"
    FALSE_CLAIMS = "false_claims"


SIGNAL_CODES: tuple[str, ...] = tuple(code.value for code in SignalCode)
WORN_GRADE = "used"
WRONG_ITEM_GRADE = "wrong_item"
TAGS_CHECKS = frozenset({"tags", "tags_attached", "tags_on", "labels_attached"})
CLAIM_NEVER_ARRIVED = "never_arrived"
DAMAGE_CLAIMS = frozenset({"damaged_in_transit"})


@dataclass(frozen=True, slots=True)
class Thresholds:
    window_days: int = 365
    serial_return_rate: float = 0.5
    serial_min_returns: int = 5
    wardrobing_max_days: int = 7
    event_categories: frozenset[str] = frozenset(
        {"dresses", "formalwear", "occasion", "party", "suits", "costumes", "evening", "eventwear"}
    )
    weight_tolerance_share: float = 0.2
    weight_tolerance_grams: int = 50
    false_claims_min: int = 3


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class LineFact:
    """An order line: which product and which size/colour of it, how many were bought, and how
    many units open or finished returns hold."""

    line_id: str
    product_key: str
    variant_key: str
    category: str
    quantity: int
    returned_quantity: int = 0
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OrderFact:
    order_id: str
    number: str
    placed_at: datetime
    delivered_at: datetime | None
    lines: tuple[LineFact, ...]


@dataclass(frozen=True, slots=True)
class ReturnedUnit:
    """An inspected unit of a returned line (one grade per inspection)."""

    rma: str
    line_id: str
    category: str
    reason: str
    requested_at: datetime
    delivered_at: datetime | None
    grade: str
    failed_checks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReturnFact:
    """A return that was not cancelled or rejected, with what receiving found."""

    rma: str
    order_id: str
    requested_at: datetime
    units: int
    reasons: tuple[str, ...] = ()
    expected_weight_grams: int | None = None
    measured_weight_grams: int | None = None
    serial_matches: bool | None = None
    unexpected_skus: tuple[str, ...] = ()
    units_missing: int = 0


@dataclass(frozen=True, slots=True)
class ClaimFact:
    number: str
    reason: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class History:
    orders: tuple[OrderFact, ...] = ()
    returns: tuple[ReturnFact, ...] = ()
    inspected: tuple[ReturnedUnit, ...] = ()
    claims: tuple[ClaimFact, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """One fact behind a signal: a stable `code` interfaces translate, its values, and the
    return or order it is about."""

    code: str
    params: Mapping[str, str]
    reference: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "params": dict(self.params), "reference": self.reference}


@dataclass(frozen=True, slots=True)
class Signal:
    """Whether the signal holds, how strongly (0–1, to sort by), and the evidence."""

    code: str
    fired: bool
    score: float
    evidence: tuple[Evidence, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "fired": self.fired,
            "score": round(self.score, 3),
            "evidence": [item.as_dict() for item in self.evidence],
        }


def _params(**values: object) -> Mapping[str, str]:
    return MappingProxyType({name: str(value) for name, value in values.items()})


def _recent(moment: datetime, now: datetime, thresholds: Thresholds) -> bool:
    return now - timedelta(days=thresholds.window_days) <= moment <= now


def serial_returner(
    history: History, now: datetime, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Signal:
    """Units returned out of units bought, over the orders placed in the window, and how many
    returns were opened on them."""
    orders = {o.order_id: o for o in history.orders if _recent(o.placed_at, now, thresholds)}
    bought = sum(line.quantity for order in orders.values() for line in order.lines)
    returned = sum(
        min(line.returned_quantity, line.quantity)
        for order in orders.values()
        for line in order.lines
    )
    returns = [r for r in history.returns if r.order_id in orders]
    rate = returned / bought if bought else 0.0
    fired = (
        bought > 0
        and rate >= thresholds.serial_return_rate
        and len(returns) >= thresholds.serial_min_returns
    )
    evidence = (
        Evidence(
            "return_rate",
            _params(
                returned=returned,
                bought=bought,
                percent=round(rate * 100),
                returns=len(returns),
                days=thresholds.window_days,
            ),
        ),
    )
    return Signal(SignalCode.SERIAL_RETURNER, fired, min(1.0, rate), evidence)


def _option(line: LineFact, names: Iterable[str]) -> str:
    for name in names:
        for key, value in line.options.items():
            if key.casefold() == name:
                return str(value).strip().casefold()
    return ""


_SIZE_NAMES = ("size", "talla", "talle", "length", "width")
_COLOUR_NAMES = ("colour", "color", "shade")


def bracketed_products(
    order: OrderFact, extra_returned: frozenset[str] = frozenset()
) -> list[tuple[str, tuple[str, ...]]]:
    """The products bought in two or more sizes or colours in `order` of which at least one
    line is returned (or asked back now: `extra_returned` line ids), with their variants."""
    by_product: dict[str, list[LineFact]] = {}
    for line in order.lines:
        by_product.setdefault(line.product_key, []).append(line)
    found = []
    for product, lines in by_product.items():
        sizes = {_option(line, _SIZE_NAMES) for line in lines} - {""}
        colours = {_option(line, _COLOUR_NAMES) for line in lines} - {""}
        variants = {line.variant_key for line in lines}
        if len(variants) < 2 or (len(sizes) < 2 and len(colours) < 2):
            continue
        if any(line.returned_quantity > 0 or line.line_id in extra_returned for line in lines):
            found.append((product, tuple(sorted(variants))))
    return found


def bracketing(
    history: History,
    now: datetime,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    *,
    requested: tuple[str, frozenset[str]] | None = None,
) -> Signal:
    """Orders of the window where one product came in several sizes or colours and some of it
    went back. `requested` (order id, line ids) counts a return being asked for now."""
    evidence = []
    orders = [o for o in history.orders if _recent(o.placed_at, now, thresholds)]
    for order in orders:
        extra = requested[1] if requested and requested[0] == order.order_id else frozenset()
        for _product, variants in bracketed_products(order, extra):
            evidence.append(
                Evidence(
                    "bracketed_order",
                    _params(order=order.number, variants=", ".join(variants)),
                    reference=order.number,
                )
            )
    bracketed_orders = {item.reference for item in evidence}
    score = len(bracketed_orders) / len(orders) if orders else 0.0
    return Signal(SignalCode.BRACKETING, bool(evidence), min(1.0, score), tuple(evidence))


def wardrobing(
    history: History, now: datetime, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Signal:
    """Units of an event-type category, asked back within a few days of delivery, found worn or
    with their tags removed."""
    evidence = []
    event_units = 0
    for unit in history.inspected:
        if not _recent(unit.requested_at, now, thresholds):
            continue
        if unit.category.casefold() not in thresholds.event_categories:
            continue
        event_units += 1
        worn = unit.grade == WORN_GRADE
        tags_off = bool(TAGS_CHECKS & set(unit.failed_checks))
        if not (worn or tags_off) or unit.delivered_at is None:
            continue
        days = (unit.requested_at - unit.delivered_at).days
        if days <= thresholds.wardrobing_max_days:
            evidence.append(
                Evidence(
                    "worn_and_returned" if worn else "tags_removed_and_returned",
                    _params(rma=unit.rma, category=unit.category, days=days),
                    reference=unit.rma,
                )
            )
    score = len(evidence) / event_units if event_units else 0.0
    return Signal(SignalCode.WARDROBING, bool(evidence), score, tuple(evidence))


def weight_off(expected: int | None, measured: int | None, thresholds: Thresholds) -> bool:
    """Whether a parcel's weight is outside the tolerance of what was shipped: more than the
    larger of the share and the grams away (only when both weights are known)."""
    if not expected or measured is None:
        return False
    tolerance = max(expected * thresholds.weight_tolerance_share, thresholds.weight_tolerance_grams)
    return abs(measured - expected) > tolerance


def empty_box(
    history: History, now: datetime, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Signal:
    """Returns whose parcel weighed what it should not, whose serial did not match, or that
    brought back another SKU (unexpected at receiving with units missing, or graded as another
    item than the line's when the shopper did not say it was the wrong one)."""
    evidence = []
    checked = 0
    recent = [r for r in history.returns if _recent(r.requested_at, now, thresholds)]
    for ret in recent:
        checked += ret.measured_weight_grams is not None or ret.serial_matches is not None
        if weight_off(ret.expected_weight_grams, ret.measured_weight_grams, thresholds):
            evidence.append(
                Evidence(
                    "weight_off",
                    _params(
                        rma=ret.rma,
                        expected=ret.expected_weight_grams,
                        measured=ret.measured_weight_grams,
                    ),
                    reference=ret.rma,
                )
            )
        if ret.serial_matches is False:
            evidence.append(Evidence("serial_mismatch", _params(rma=ret.rma), reference=ret.rma))
        if ret.unexpected_skus and ret.units_missing:
            evidence.append(
                Evidence(
                    "sku_swapped",
                    _params(rma=ret.rma, skus=", ".join(ret.unexpected_skus)),
                    reference=ret.rma,
                )
            )
    for unit in history.inspected:
        if (
            _recent(unit.requested_at, now, thresholds)
            and unit.grade == WRONG_ITEM_GRADE
            and unit.reason != "wrong_item"
        ):
            evidence.append(
                Evidence("other_item_returned", _params(rma=unit.rma), reference=unit.rma)
            )
    flagged = {item.reference for item in evidence}
    score = len(flagged) / max(checked, len(flagged), 1)
    return Signal(SignalCode.EMPTY_BOX, bool(evidence), min(1.0, score), tuple(evidence))


def false_claims(
    history: History, now: datetime, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Signal:
    """ "Never arrived" and damage claims, and returns asked back as damaged, over the window."""
    evidence = [
        Evidence(
            "never_arrived_claim" if claim.reason == CLAIM_NEVER_ARRIVED else "damage_claim",
            _params(claim=claim.number),
            reference=claim.number,
        )
        for claim in history.claims
        if _recent(claim.created_at, now, thresholds)
        and (claim.reason == CLAIM_NEVER_ARRIVED or claim.reason in DAMAGE_CLAIMS)
    ]
    evidence += [
        Evidence("damaged_return", _params(rma=ret.rma), reference=ret.rma)
        for ret in history.returns
        if _recent(ret.requested_at, now, thresholds) and "damaged" in ret.reasons
    ]
    fired = len(evidence) >= thresholds.false_claims_min
    score = min(1.0, len(evidence) / (2 * thresholds.false_claims_min))
    return Signal(SignalCode.FALSE_CLAIMS, fired, score, tuple(evidence))


def customer_signals(
    history: History,
    now: datetime,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    *,
    requested: tuple[str, frozenset[str]] | None = None,
) -> tuple[Signal, ...]:
    """Every signal, in SignalCode order, fired or not. `requested` (order id, line ids) counts
    a return being asked for now in bracketing."""
    return (
        serial_returner(history, now, thresholds),
        bracketing(history, now, thresholds, requested=requested),
        wardrobing(history, now, thresholds),
        empty_box(history, now, thresholds),
        false_claims(history, now, thresholds),
    )


def fired_codes(signals: Iterable[Signal]) -> frozenset[str]:
    """The codes of the signals that hold: what a policy's `signal_any` is matched against."""
    return frozenset(signal.code for signal in signals if signal.fired)
