"""When a refund may be paid: the policy's refund timing against the milestones a return reached.

The policy (per tier, per reason) picks one of four moments. Milestones are ordered, and a later
milestone implies the earlier ones: a parcel handed in at the warehouse counter is received
without ever having a carrier scan, and must not wait for a scan that will never come.
"""

from __future__ import annotations

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
