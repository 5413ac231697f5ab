"""The weekly digest: which week a store's digest reports and when it is due (its own Monday, in
its time zone), which reasons rose fastest, and what in the week deserves a look (anomalies).

A week is Monday to Sunday in the store's zone. On a store's Monday, from SEND_FROM_HOUR local
time, the digest of the week that just ended is due, and stays due until the next one is: a
Monday the scheduler missed (the server was down) sends it when it comes back. It is sent once
per store and week however often the job runs (the callers keep that promise with a unique row
per store and week).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from retorno.domain.analytics.rates import rate

DIGEST_WEEKDAY = 0  # Monday
SEND_FROM_HOUR = 6  # local time: the digest is waiting when the week's work starts
# A return rate up by this much (in points: 0.02 is 2 points) on the previous week is news.
RATE_JUMP = Decimal("0.02")
# A reason whose share of the units returned rose by this much is news.
REASON_JUMP = Decimal("0.05")
# Returns received this many days ago or more and still not inspected are news.
AGING_DAYS = 15


@dataclass(frozen=True, slots=True)
class DigestWeek:
    """The local days Monday `start` to Sunday `end`."""

    start: date

    def __post_init__(self) -> None:
        if self.start.weekday() != DIGEST_WEEKDAY:
            raise ValueError(f"a digest week starts on a Monday, not {self.start.isoformat()}")

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def previous(self) -> DigestWeek:
        return DigestWeek(self.start - timedelta(days=7))


def last_full_week(local_today: date) -> DigestWeek:
    """The last Monday-to-Sunday week that ended before `local_today`."""
    this_monday = local_today - timedelta(days=local_today.weekday())
    return DigestWeek(this_monday - timedelta(days=7))


def digest_due(today: date, hour: int) -> DigestWeek:
    """The latest week whose digest is due at `hour` o'clock of the local day `today` (both in
    the store's zone): from Monday SEND_FROM_HOUR on, the week that ended the day before; earlier
    on a Monday, the week before that one. A digest not sent on its Monday is still due the rest
    of the week (the caller sends each week once)."""
    week = last_full_week(today)
    if today.weekday() == DIGEST_WEEKDAY and hour < SEND_FROM_HOUR:
        return week.previous
    return week


@dataclass(frozen=True, slots=True)
class ReasonChange:
    """A reason's units returned this week and its share of all units returned, with last
    week's share; shares are None with fewer than 30 units returned in their week."""

    reason: str
    units: int
    share: Decimal | None
    previous_share: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.share is None or self.previous_share is None:
            return None
        return self.share - self.previous_share


def reason_changes(current: Mapping[str, int], previous: Mapping[str, int]) -> list[ReasonChange]:
    """Every reason returned in either week, the fastest rising first (then by units)."""
    now_total = sum(current.values())
    before_total = sum(previous.values())
    changes = [
        ReasonChange(
            reason,
            current.get(reason, 0),
            rate(current.get(reason, 0), now_total).value,
            rate(previous.get(reason, 0), before_total).value,
        )
        for reason in set(current) | set(previous)
        if current.get(reason, 0) or previous.get(reason, 0)
    ]
    return sorted(
        changes,
        key=lambda c: (
            -(c.change if c.change is not None else Decimal(-2)),
            -c.units,
            c.reason,
        ),
    )


def newly(current: Iterable[str], before: Iterable[str]) -> list[str]:
    """What is in `current` and was not in `before`, in order."""
    seen = set(before)
    return sorted(key for key in set(current) if key not in seen)


@dataclass(frozen=True, slots=True)
class Anomaly:
    """Something in the week that deserves a look. `code` says what (return_rate_up,
    reason_rising, fit_flagged, supplier_over_threshold, aging); `subject` names the reason,
    product or supplier; `value` is the figure behind it (points, a share, a count)."""

    code: str
    subject: str = ""
    value: Decimal | int | None = None
    params: dict[str, str] = field(default_factory=dict)


def anomalies(
    *,
    rate_change: Decimal | None,
    reasons: Iterable[ReasonChange],
    newly_flagged: Iterable[str],
    suppliers_over: Iterable[str],
    aging: int,
) -> list[Anomaly]:
    """What the digest calls out, most general first: the return rate up by RATE_JUMP points or
    more; each reason whose share rose by REASON_JUMP or more; each product newly flagged as
    running small or large; each supplier over a threshold; returns waiting AGING_DAYS days or
    more for inspection."""
    found = []
    if rate_change is not None and rate_change >= RATE_JUMP:
        found.append(Anomaly("return_rate_up", value=rate_change))
    for change in reasons:
        if change.change is not None and change.change >= REASON_JUMP:
            found.append(Anomaly("reason_rising", change.reason, change.change))
    found += [Anomaly("fit_flagged", product) for product in newly_flagged]
    found += [Anomaly("supplier_over_threshold", supplier) for supplier in suppliers_over]
    if aging:
        found.append(Anomaly("aging", value=aging))
    return found
