"""Replay return requests under a draft policy and compare with the policy in force.

Each case is a request as it was made: the order's lines with their prices, the customer's tier,
the items, reasons and resolution, and the clock at the request's own time. Both policies decide
it through `decide()`, the engine every request goes through, so the figures say exactly what
the draft would have changed. Pure: no I/O, same inputs give the same `Simulation`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from retorno.domain.policies.decision import Decision, Outcome
from retorno.domain.policies.engine import decide
from retorno.domain.policies.facts import CustomerFacts, OrderFacts, RequestFacts
from retorno.domain.policies.model import Policy
from retorno.domain.policies.reasons import Reason
from retorno.domain.returns.amounts import return_amounts

OUTCOMES: tuple[Outcome, ...] = (Outcome.APPROVE, Outcome.REVIEW, Outcome.REJECT)
# Tiers Retorno knows, lowest first: the default "top tier" is the highest of them in the period.
KNOWN_TIER_RANK: tuple[str, ...] = ("bronze", "silver", "gold", "platinum", "vip")
# How many changed requests a simulation lists (all are counted).
DEFAULT_CHANGE_LIMIT = 200
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayCase:
    """One request as it was made.

    `now` is the request's time on the store's wall clock. `value` is the paid value of the
    units asked for (the return's amount as recorded). `shipping_refund` is the outbound
    shipping this return could give back if a policy refunds it (zero when another return of the
    order held it). `recorded` is the outcome recorded at the time, `recorded_in_force` whether
    that decision was made under the policy now in force (only those are expected to replay to
    the same outcome).
    """

    key: str
    order: OrderFacts
    customer: CustomerFacts
    request: RequestFacts
    now: datetime
    value: Decimal
    shipping_refund: Decimal = _ZERO
    recorded: Outcome | None = None
    recorded_in_force: bool = False


@dataclass(frozen=True, slots=True)
class Replayed:
    """What one policy made of one case."""

    outcome: Outcome
    rules: tuple[str, ...]  # rule ids that fired, each once, in policy order of firing
    fees: Decimal
    refund: Decimal
    reasons: tuple[Reason, ...]  # why refused (per line), then why held for review
    window_days: frozenset[int]  # the windows that applied to the requested lines


@dataclass(frozen=True, slots=True)
class Change:
    """A request whose outcome differs under the draft."""

    key: str
    tier: str
    requested_at: datetime
    currency: str
    value: Decimal
    days_since_delivery: int | None
    old: Replayed
    new: Replayed


@dataclass(slots=True)
class Cell:
    count: int = 0
    value: dict[str, Decimal] = field(default_factory=dict)

    def add(self, currency: str, amount: Decimal) -> None:
        self.count += 1
        self.value[currency] = self.value.get(currency, _ZERO) + amount


@dataclass(slots=True)
class RuleCount:
    rule_id: str
    description: str
    old: int = 0
    new: int = 0

    @property
    def change(self) -> int:
        return self.new - self.old


@dataclass(slots=True)
class TierFigure:
    tier: str
    top: bool
    requests: int = 0
    old_rejected: int = 0
    new_rejected: int = 0
    newly_refused: int = 0
    newly_reviewed: int = 0
    newly_approved: int = 0


@dataclass(frozen=True, slots=True)
class Window:
    days: int
    starts: str  # "delivery" or "order"


@dataclass(slots=True)
class Simulation:
    """Every figure of a replay. Amounts are per currency (a store may sell in several)."""

    requests: int
    matrix: dict[tuple[Outcome, Outcome], Cell]
    rules: list[RuleCount]
    fees_old: dict[str, Decimal]
    fees_new: dict[str, Decimal]
    refunds_old: dict[str, Decimal]
    refunds_new: dict[str, Decimal]
    reviews_old: int
    reviews_new: int
    tiers: list[TierFigure]
    changes: list[Change]
    changed: int
    days_since_delivery: dict[int, int]
    not_delivered: int
    old_window: Window
    new_window: Window
    replay_checked: int
    replay_mismatches: int

    def outcome_count(self, outcome: Outcome, *, new: bool) -> int:
        return sum(
            cell.count
            for (old, nxt), cell in self.matrix.items()
            if (nxt if new else old) is outcome
        )

    @property
    def top_tier_refused(self) -> int:
        return sum(tier.newly_refused for tier in self.tiers if tier.top)


def replay_one(policy: Policy, case: ReplayCase) -> tuple[Decision, Replayed]:
    """The decision `policy` gives `case` at the request's own time, with its money."""
    decision = decide(policy, case.order, case.customer, case.request, case.now)
    fees = refund = _ZERO
    if decision.outcome is not Outcome.REJECT:
        resolution = case.request.resolution
        amounts = return_amounts(
            items_amount=decision.return_value,
            restocking_fee=decision.restocking_fee,
            return_shipping_fee=decision.return_shipping_fee,
            shipping_refund=case.shipping_refund if decision.refund_shipping else _ZERO,
            bonus_percent=_ZERO,
            kept=decision.kept_by_shopper(resolution),
            currency=decision.currency,
            resolution=resolution,
        )
        fees = amounts.restocking_fee_amount + amounts.return_shipping_fee_amount
        refund = amounts.refund_amount
    reasons: list[Reason] = []
    windows: set[int] = set()
    for line in decision.lines:
        reasons.extend(line.reasons)
        if line.window_ends_at is not None:
            windows.add(_window_days(case.order, line.window_ends_at))
    reasons.extend(decision.review_reasons)
    rules = tuple(dict.fromkeys(fired.rule_id for fired in decision.trace))
    return decision, Replayed(
        outcome=decision.outcome,
        rules=rules,
        fees=fees,
        refund=refund,
        reasons=tuple(reasons),
        window_days=frozenset(windows),
    )


def _window_days(order: OrderFacts, ends_at: datetime) -> int:
    start = order.delivered_at or order.placed_at
    return (ends_at - start).days


def days_since_delivery(case: ReplayCase) -> int | None:
    delivered = case.order.delivered_at
    return None if delivered is None else (case.now - delivered).days


def top_tiers_of(tiers: Iterable[str]) -> frozenset[str]:
    """The highest tier Retorno knows among `tiers` (none when no known tier is there)."""
    present = {tier.strip().lower() for tier in tiers}
    for tier in reversed(KNOWN_TIER_RANK):
        if tier in present:
            return frozenset({tier})
    return frozenset()


def simulate(
    old: Policy,
    new: Policy,
    cases: Iterable[ReplayCase],
    *,
    top_tiers: frozenset[str] | None = None,
    change_limit: int = DEFAULT_CHANGE_LIMIT,
) -> Simulation:
    """Replay every case under `old` (the policy in force) and `new` (the draft).

    `top_tiers` are the tiers whose newly refused customers the page highlights (default: the
    highest known tier among the cases). Changes are listed in request order up to
    `change_limit`; `changed` counts them all.
    """
    matrix = {(a, b): Cell() for a in OUTCOMES for b in OUTCOMES}
    rules: dict[str, RuleCount] = {}
    _describe(rules, old)
    _describe(rules, new)
    fees_old: dict[str, Decimal] = {}
    fees_new: dict[str, Decimal] = {}
    refunds_old: dict[str, Decimal] = {}
    refunds_new: dict[str, Decimal] = {}
    tiers: dict[str, TierFigure] = {}
    changes: list[Change] = []
    histogram: Counter[int] = Counter()
    requests = changed = not_delivered = checked = mismatches = 0
    for case in cases:
        requests += 1
        currency = case.order.currency
        _, before = replay_one(old, case)
        _, after = replay_one(new, case)
        matrix[(before.outcome, after.outcome)].add(currency, case.value)
        for rule_id in before.rules:
            rules[rule_id].old += 1
        for rule_id in after.rules:
            rules[rule_id].new += 1
        _add(fees_old, currency, before.fees)
        _add(fees_new, currency, after.fees)
        _add(refunds_old, currency, before.refund)
        _add(refunds_new, currency, after.refund)
        tier = _tier(tiers, case.customer.tier)
        tier.requests += 1
        tier.old_rejected += before.outcome is Outcome.REJECT
        tier.new_rejected += after.outcome is Outcome.REJECT
        if before.outcome is not after.outcome:
            tier.newly_refused += after.outcome is Outcome.REJECT
            tier.newly_reviewed += after.outcome is Outcome.REVIEW
            tier.newly_approved += after.outcome is Outcome.APPROVE
        days = days_since_delivery(case)
        if days is None:
            not_delivered += 1
        else:
            histogram[days] += 1
        if case.recorded is not None and case.recorded_in_force:
            checked += 1
            mismatches += case.recorded is not before.outcome
        if before.outcome is not after.outcome:
            changed += 1
            if len(changes) < change_limit:
                changes.append(
                    Change(
                        key=case.key,
                        tier=case.customer.tier,
                        requested_at=case.now,
                        currency=currency,
                        value=case.value,
                        days_since_delivery=days,
                        old=before,
                        new=after,
                    )
                )
    wanted_top = top_tiers if top_tiers is not None else top_tiers_of(tiers)
    for name, figure in tiers.items():
        figure.top = name.strip().lower() in wanted_top or name in wanted_top
    return Simulation(
        requests=requests,
        matrix=matrix,
        rules=sorted(
            (count for count in rules.values() if count.old or count.new),
            key=lambda count: (-abs(count.change), -max(count.old, count.new), count.rule_id),
        ),
        fees_old=fees_old,
        fees_new=fees_new,
        refunds_old=refunds_old,
        refunds_new=refunds_new,
        reviews_old=sum(cell.count for (a, _), cell in matrix.items() if a is Outcome.REVIEW),
        reviews_new=sum(cell.count for (_, b), cell in matrix.items() if b is Outcome.REVIEW),
        tiers=sorted(tiers.values(), key=_tier_order),
        changes=changes,
        changed=changed,
        days_since_delivery=dict(sorted(histogram.items())),
        not_delivered=not_delivered,
        old_window=_base_window(old),
        new_window=_base_window(new),
        replay_checked=checked,
        replay_mismatches=mismatches,
    )


def _describe(rules: dict[str, RuleCount], policy: Policy) -> None:
    for rule in policy.rules:
        found = rules.get(rule.rule_id)
        if found is None:
            rules[rule.rule_id] = RuleCount(rule.rule_id, rule.description)
        elif not found.description:
            found.description = rule.description


def _add(totals: dict[str, Decimal], currency: str, amount: Decimal) -> None:
    totals[currency] = totals.get(currency, _ZERO) + amount


def _tier(tiers: dict[str, TierFigure], name: str) -> TierFigure:
    found = tiers.get(name)
    if found is None:
        found = tiers[name] = TierFigure(tier=name, top=False)
    return found


def _tier_order(figure: TierFigure) -> tuple[int, int, str]:
    name = figure.tier.strip().lower()
    rank = KNOWN_TIER_RANK.index(name) if name in KNOWN_TIER_RANK else -1
    return (not figure.top, -rank, figure.tier)


def _base_window(policy: Policy) -> Window:
    return Window(days=int(policy.base["window_days"]), starts=str(policy.base["window_starts"]))


def rule_windows(policy: Policy) -> Sequence[tuple[str, int]]:
    """Rules that give their own window: (rule id, days), in policy order."""
    return [
        (rule.rule_id, int(rule.overrides["window_days"]))
        for rule in policy.rules
        if "window_days" in rule.overrides
    ]


def totals_change(old: Mapping[str, Decimal], new: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """new − old per currency."""
    return {c: new.get(c, _ZERO) - old.get(c, _ZERO) for c in sorted({*old, *new})}
