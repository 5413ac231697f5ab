"""Carrier pickup performance measured from outcomes: first-attempt success and recovery.

The allocation strategy `best_pickup_success` ranks carriers by these figures, so they are
computed here, purely, from the attempts the logistics app records.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from retorno.domain.errors import DomainError
from retorno.domain.logistics.tracking import FailedPickupReason

_RATE_QUANTUM = Decimal("0.0001")
# z for a 95% interval: the usual choice, and what a logistics lead reading "score" expects.
_WILSON_Z = 1.96


@dataclass(frozen=True, slots=True, kw_only=True)
class PickupAttempt:
    """One pickup attempt of one shipment. `attempt_number` starts at 1 per shipment."""

    carrier: str
    shipment_ref: str
    attempt_number: int
    succeeded: bool
    failure_reason: FailedPickupReason | None = None

    def __post_init__(self) -> None:
        if self.attempt_number < 1:
            raise DomainError(
                f"attempt_number must be 1 or more, not {self.attempt_number}.",
                code="invalid_pickup_attempt",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class CarrierStats:
    """Measured pickup performance. Rates are Decimals in [0, 1] with 4 places, or None when
    nothing was measured (no division by zero passes for a number).

    `recovery_rate` = failed first attempts later picked up / failed first attempts.
    `pickup_success_score` is the lower bound of the 95% Wilson interval of the first-attempt
    success rate: it ranks 950 successes out of 1000 above 1 out of 1, which a raw rate would not.
    """

    first_attempts: int = 0
    first_attempt_successes: int = 0
    failed_first_attempts: int = 0
    recovered: int = 0
    failures_by_reason: tuple[tuple[FailedPickupReason, int], ...] = ()
    first_attempt_success_rate: Decimal | None = field(init=False)
    recovery_rate: Decimal | None = field(init=False)
    pickup_success_score: float = field(init=False)

    def __post_init__(self) -> None:
        if not 0 <= self.first_attempt_successes <= self.first_attempts:
            raise DomainError(
                "first_attempt_successes must be between 0 and first_attempts.",
                code="invalid_carrier_stats",
            )
        if self.failed_first_attempts != self.first_attempts - self.first_attempt_successes:
            raise DomainError(
                "failed_first_attempts must equal first_attempts - first_attempt_successes.",
                code="invalid_carrier_stats",
            )
        if not 0 <= self.recovered <= self.failed_first_attempts:
            raise DomainError(
                "recovered must be between 0 and failed_first_attempts.",
                code="invalid_carrier_stats",
            )
        object.__setattr__(
            self,
            "first_attempt_success_rate",
            _rate(self.first_attempt_successes, self.first_attempts),
        )
        object.__setattr__(self, "recovery_rate", _rate(self.recovered, self.failed_first_attempts))
        object.__setattr__(
            self,
            "pickup_success_score",
            _wilson_lower_bound(self.first_attempt_successes, self.first_attempts),
        )

    @classmethod
    def from_counts(
        cls, *, first_attempts: int, first_attempt_successes: int, recovered: int = 0
    ) -> CarrierStats:
        """Stats from stored counts (e.g. an analytics row), without the attempts themselves."""
        return cls(
            first_attempts=first_attempts,
            first_attempt_successes=first_attempt_successes,
            failed_first_attempts=first_attempts - first_attempt_successes,
            recovered=recovered,
        )


def pickup_stats(attempts: Iterable[PickupAttempt]) -> CarrierStats:
    """Measure pickup performance over `attempts` (usually one carrier's, over a period).

    A shipment's first attempt is its lowest attempt_number; it was recovered when its first
    attempt failed and any later attempt succeeded. Order of `attempts` does not matter.
    Pure; an empty input gives zero counts and None rates.
    """
    by_shipment: dict[tuple[str, str], list[PickupAttempt]] = {}
    for attempt in attempts:
        by_shipment.setdefault((attempt.carrier, attempt.shipment_ref), []).append(attempt)
    successes = 0
    recovered = 0
    reasons: Counter[FailedPickupReason] = Counter()
    for shipment_attempts in by_shipment.values():
        first_number = min(attempt.attempt_number for attempt in shipment_attempts)
        first = [a for a in shipment_attempts if a.attempt_number == first_number]
        # The same attempt recorded twice with different outcomes: a pickup that happened
        # did happen, so a success wins.
        if any(attempt.succeeded for attempt in first):
            successes += 1
            continue
        reason = min((a.failure_reason for a in first if a.failure_reason), default=None)
        if reason is not None:
            reasons[reason] += 1
        if any(a.succeeded and a.attempt_number > first_number for a in shipment_attempts):
            recovered += 1
    return CarrierStats(
        first_attempts=len(by_shipment),
        first_attempt_successes=successes,
        failed_first_attempts=len(by_shipment) - successes,
        recovered=recovered,
        failures_by_reason=tuple(sorted(reasons.items())),
    )


def pickup_stats_by_carrier(attempts: Iterable[PickupAttempt]) -> dict[str, CarrierStats]:
    """`pickup_stats` per carrier code, for feeding CarrierProfile.stats."""
    grouped: dict[str, list[PickupAttempt]] = {}
    for attempt in attempts:
        grouped.setdefault(attempt.carrier, []).append(attempt)
    return {carrier: pickup_stats(group) for carrier, group in sorted(grouped.items())}


def _rate(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(_RATE_QUANTUM, rounding=ROUND_HALF_UP)


def _wilson_lower_bound(successes: int, total: int) -> float:
    if total == 0:
        return 0.0
    z2 = _WILSON_Z * _WILSON_Z
    p = successes / total
    centre = p + z2 / (2 * total)
    margin = _WILSON_Z * math.sqrt((p * (1 - p) + z2 / (4 * total)) / total)
    return (centre - margin) / (1 + z2 / total)
