"""When a refund may be paid: the policy's refund timing against the milestones a return reached.

The policy (per tier, per reason) picks one of four moments. Milestones are ordered, and a later
milestone implies the earlier ones: a parcel handed in at the warehouse counter is received
without ever having a carrier scan, and must not wait for a scan that will never come.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from enum import StrEnum

from retorno.domain.errors import DomainError


class RefundTiming(StrEnum):
    """The policy's `refund_timing` values (see retorno.domain.policies.document.REFUND_TIMINGS)."""

    ON_APPROVAL = "on_approval"
    ON_FIRST_SCAN = "on_first_scan"
    ON_RECEIPT = "on_receipt"
    ON_INSPECTION = "on_inspection"


class Milestone(StrEnum):
    """What has happened to a return so far, earliest first."""

    APPROVED = "approved"
    FIRST_SCAN = "first_scan"
    RECEIVED = "received"
    INSPECTED = "inspected"


class TimingError(DomainError):
    code = "invalid_refund_timing"


_ORDER: dict[Milestone, int] = {milestone: rank for rank, milestone in enumerate(Milestone)}
_TIMING_MILESTONE: dict[RefundTiming, Milestone] = {
    RefundTiming.ON_APPROVAL: Milestone.APPROVED,
    RefundTiming.ON_FIRST_SCAN: Milestone.FIRST_SCAN,
    RefundTiming.ON_RECEIPT: Milestone.RECEIVED,
    RefundTiming.ON_INSPECTION: Milestone.INSPECTED,
}
# Timings that pay before the goods are counted in: the refund is bounded by approved units.
PAYS_BEFORE_RECEIPT: frozenset[RefundTiming] = frozenset(
    {RefundTiming.ON_APPROVAL, RefundTiming.ON_FIRST_SCAN}
)


def as_timing(value: RefundTiming | str) -> RefundTiming:
    """`value` as a RefundTiming; TimingError("invalid_refund_timing") for unknown names."""
    try:
        return RefundTiming(value)
    except ValueError:
        raise TimingError(f"Unknown refund timing {value!r}.") from None


def as_milestone(value: Milestone | str) -> Milestone:
    """`value` as a Milestone; TimingError("invalid_milestone") for unknown names."""
    try:
        return Milestone(value)
    except ValueError:
        raise TimingError(f"Unknown milestone {value!r}.", code="invalid_milestone") from None


def refund_due(timing: RefundTiming | str, milestone: Milestone | str) -> bool:
    """True when a return whose latest milestone is `milestone` may be refunded under `timing`.

    `milestone` is the furthest point reached; reaching a later one counts as reaching every
    earlier one (received implies first scan).
    """
    required = _TIMING_MILESTONE[as_timing(timing)]
    return _ORDER[as_milestone(milestone)] >= _ORDER[required]


def pays_before_receipt(timing: RefundTiming | str) -> bool:
    """True when `timing` pays before units are counted in, so approved units bound the refund."""
    return as_timing(timing) in PAYS_BEFORE_RECEIPT


def return_refund_timing(line_timings: Iterable[RefundTiming | str | None]) -> RefundTiming:
    """The refund timing of a whole return: the latest of its lines' timings.

    A category or reason rule may give some lines an earlier timing than others; the return is
    refunded in one go, so the most careful timing wins. Unknown or missing values are ignored
    and a return with none is refunded on receipt (the default policy's timing).
    """
    known = [RefundTiming(t) for t in line_timings if t in _TIMING_MILESTONE]
    if not known:
        return RefundTiming.ON_RECEIPT
    return max(known, key=lambda timing: _ORDER[_TIMING_MILESTONE[timing]])


# Rough durations used to estimate a milestone that has not happened yet. They only shape an
# estimate for the shopper; once the milestone happens its real date replaces them.
REVIEW_DAYS = 2
COLLECTION_DAYS = 2
TRANSIT_DAYS = 3
INSPECTION_DAYS = 2
# Days from a refund being issued to the money showing on the shopper's statement; store credit
# is in the wallet the moment it is issued.
REFUND_PROCESSING_DAYS = 3


def expected_money_on(
    timing: RefundTiming | str,
    *,
    requested_on: date,
    reached: Mapping[Milestone, date],
    pickup_on: date | None = None,
    store_credit: bool = False,
) -> date:
    """The day the shopper can expect their money: the day the milestone `timing` waits for is
    reached (its real date from `reached`, else an estimate from the milestones before it), plus
    the bank's processing days for a refund to the original payment (none for store credit).

    `reached` maps the milestones that happened to their (store-local) day; `pickup_on` is the
    booked pickup day, the best estimate of the first scan before it happens.
    """
    # Reaching a later milestone counts as reaching the earlier ones, on the same day.
    known: dict[Milestone, date] = {}
    later: date | None = None
    for milestone in reversed(Milestone):
        later = reached.get(milestone) or later
        if later is not None:
            known[milestone] = later
    approved = known.get(Milestone.APPROVED) or requested_on + timedelta(days=REVIEW_DAYS)
    scanned = (
        known.get(Milestone.FIRST_SCAN) or pickup_on or approved + timedelta(days=COLLECTION_DAYS)
    )
    received = known.get(Milestone.RECEIVED) or scanned + timedelta(days=TRANSIT_DAYS)
    inspected = known.get(Milestone.INSPECTED) or received + timedelta(days=INSPECTION_DAYS)
    due = {
        Milestone.APPROVED: approved,
        Milestone.FIRST_SCAN: scanned,
        Milestone.RECEIVED: received,
        Milestone.INSPECTED: inspected,
    }[_TIMING_MILESTONE[as_timing(timing)]]
    return due + timedelta(days=0 if store_credit else REFUND_PROCESSING_DAYS)
