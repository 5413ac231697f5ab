"""Automatic carrier allocation: filter the store's carriers for one parcel, rank the rest.

`allocate(carriers, rules, request)` is pure and explains itself: the matched rule, the
ranking with prices and transit days, and one verdict for every carrier, kept or dropped.
Rules come from `parse_allocation_rules` (rules_document.py); carriers are CarrierProfiles.
Both are compiled once and reused, so a decision does no parsing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from retorno.domain.logistics.carriers import (
    AllocationRequest,
    Capability,
    CarrierError,
    CarrierProfile,
    ReturnMethod,
)


class Strategy(enum.StrEnum):
    CHEAPEST = "cheapest"
    FASTEST = "fastest"
    BEST_PICKUP_SUCCESS = "best_pickup_success"
    FIXED_PREFERENCE = "fixed_preference"


class VerdictCode(enum.StrEnum):
    """Why a carrier was kept or dropped. Checks run in this order; the first that fails is the
    carrier's one verdict."""

    RANKED = "ranked"
    DISABLED = "disabled"
    DENIED_BY_RULE = "denied_by_rule"
    NO_CAPABILITY = "no_capability"
    NOT_SERVICEABLE = "not_serviceable"
    OVER_WEIGHT = "over_weight"
    OVER_SIZE = "over_size"
    NO_RATE = "no_rate"
    CAPACITY_FULL = "capacity_full"


_METHOD_CAPABILITY: Mapping[ReturnMethod, Capability] = {
    ReturnMethod.PICKUP: Capability.PICKUP,
    ReturnMethod.DROP_OFF: Capability.DROP_OFF,
    ReturnMethod.LABEL: Capability.LABEL,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class AllocationRule:
    """One compiled allocation rule. Condition fields left as None do not constrain anything;
    a rule without conditions matches every parcel. Weights are grams; values are in the
    request's currency (a store's rules are written in its currency).

    `carrier_in` (allow list, None = all) and `carrier_not_in` (deny list) filter carriers;
    `preference` orders them for FIXED_PREFERENCE.
    """

    rule_id: str
    description: str = ""
    strategy: Strategy = Strategy.CHEAPEST
    preference: tuple[str, ...] = ()
    carrier_in: frozenset[str] | None = None
    carrier_not_in: frozenset[str] = frozenset()
    countries: frozenset[str] | None = None
    postal_prefixes: tuple[str, ...] | None = None
    weight_gte: int | None = None
    weight_lte: int | None = None
    value_gte: Decimal | None = None
    value_lte: Decimal | None = None
    categories: frozenset[str] | None = None
    tiers: frozenset[str] | None = None
    methods: frozenset[ReturnMethod] | None = None

    def matches(self, request: AllocationRequest) -> bool:
        """True when every condition of the rule holds for `request`."""
        if self.countries is not None and request.country not in self.countries:
            return False
        if self.postal_prefixes is not None and not request.normalised_postal_code.startswith(
            self.postal_prefixes
        ):
            return False
        if self.weight_gte is not None and request.weight_grams < self.weight_gte:
            return False
        if self.weight_lte is not None and request.weight_grams > self.weight_lte:
            return False
        if self.value_gte is not None and request.declared_value < self.value_gte:
            return False
        if self.value_lte is not None and request.declared_value > self.value_lte:
            return False
        if self.categories is not None and request.category not in self.categories:
            return False
        if self.tiers is not None and request.customer_tier not in self.tiers:
            return False
        return self.methods is None or request.method in self.methods


DEFAULT_RULE = AllocationRule(
    rule_id="default",
    description="No rule matched: the cheapest carrier.",
    strategy=Strategy.CHEAPEST,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CarrierVerdict:
    """What allocation decided about one carrier. Kept carriers have their rank, price and
    transit days; dropped ones have None there and a code saying why. `message` is English;
    `reason` and `params` say the same for a page to word in its language (the label table's
    allocation_reason)."""

    carrier_code: str
    kept: bool
    code: VerdictCode
    message: str
    rank: int | None = None
    price_amount: Decimal | None = None
    transit_days: int | None = None
    reason: str = ""
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RankedCarrier:
    """A carrier the parcel can go with, at its place in the ranking (1 = first choice)."""

    rank: int
    carrier_code: str
    carrier_name: str
    price_amount: Decimal
    currency: str
    transit_days: int
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Allocation:
    """The answer of `allocate`. `ranking` may be empty: no carrier can take the parcel, and the
    caller decides what to do (the verdicts say why). `verdicts` follow the carriers' order."""

    rule_id: str
    strategy: Strategy
    currency: str
    ranking: tuple[RankedCarrier, ...]
    verdicts: tuple[CarrierVerdict, ...]

    @property
    def has_carrier(self) -> bool:
        return bool(self.ranking)

    @property
    def chosen(self) -> RankedCarrier | None:
        """The first choice, or None when no carrier was kept."""
        return self.ranking[0] if self.ranking else None

    def fallbacks(self) -> Iterator[RankedCarrier]:
        """The ranking in order: the booking loop tries the next one when a booking fails."""
        return iter(self.ranking)

    def verdict_for(self, carrier_code: str) -> CarrierVerdict:
        """The verdict on one carrier. Raises KeyError for a carrier that was not considered."""
        for verdict in self.verdicts:
            if verdict.carrier_code == carrier_code:
                return verdict
        raise KeyError(carrier_code)


def select_rule(rules: Sequence[AllocationRule], request: AllocationRequest) -> AllocationRule:
    """The first rule matching `request`, else DEFAULT_RULE (cheapest)."""
    for rule in rules:
        if rule.matches(request):
            return rule
    return DEFAULT_RULE


def allocate(
    carriers: Sequence[CarrierProfile],
    rules: Sequence[AllocationRule],
    request: AllocationRequest,
    *,
    capacity_used_today: Mapping[str, int] | None = None,
) -> Allocation:
    """Choose and rank carriers for one return parcel under the store's ordered `rules`.

    The first matching rule (else DEFAULT_RULE) gives the strategy and any allow/deny list.
    A carrier is kept when it is enabled, allowed by the rule, offers the request's method,
    serves the postal code, takes the weight and size, has a rate in the request currency and,
    for pickups, has capacity left today (`capacity_used_today`: pickups already booked per
    carrier code today). Kept carriers are ranked by the strategy, ties broken by price, then
    transit days, then code, so the result is deterministic. Every carrier gets one verdict.

    Pure. Raises CarrierError("duplicate_carrier") when two carriers share a code.
    """
    rule = select_rule(rules, request)
    used = capacity_used_today or {}
    currency = request.currency
    weight = request.weight_grams
    # One slot per carrier, in the carriers' order; kept carriers fill theirs once ranked.
    verdicts: list[CarrierVerdict | None] = []
    kept: list[tuple[tuple[object, ...], int, CarrierProfile, Decimal]] = []
    seen: set[str] = set()
    for index, carrier in enumerate(carriers):
        code = carrier.code
        if code in seen:
            raise CarrierError(f"Carrier code {code!r} appears twice.", code="duplicate_carrier")
        seen.add(code)
        drop = _drop_reason(carrier, rule, request, used)
        if drop is None:
            price = carrier.rates[currency].quote(weight)
            kept.append((_rank_key(rule, carrier, price), index, carrier, price))
            verdicts.append(None)
        else:
            verdict_code, message, reason, params = drop
            verdicts.append(
                CarrierVerdict(
                    carrier_code=code,
                    kept=False,
                    code=verdict_code,
                    message=message,
                    reason=reason,
                    params=params,
                )
            )
    kept.sort(key=_first)

    ranking: list[RankedCarrier] = []
    for position, (_key, index, carrier, price) in enumerate(kept, start=1):
        why, reason, params = _why(rule, carrier, price, currency)
        message = f"ranked {_ordinal(position)} by {rule.strategy}: " + why
        ranking.append(
            RankedCarrier(
                rank=position,
                carrier_code=carrier.code,
                carrier_name=carrier.name,
                price_amount=price,
                currency=currency,
                transit_days=carrier.transit_days,
                message=message,
            )
        )
        verdicts[index] = CarrierVerdict(
            carrier_code=carrier.code,
            kept=True,
            code=VerdictCode.RANKED,
            message=message,
            rank=position,
            price_amount=price,
            transit_days=carrier.transit_days,
            reason=reason,
            params=params,
        )
    return Allocation(
        rule_id=rule.rule_id,
        strategy=rule.strategy,
        currency=currency,
        ranking=tuple(ranking),
        verdicts=tuple(verdicts),  # type: ignore[arg-type]  # every slot is filled by now
    )


def _first(entry: tuple[tuple[object, ...], int, CarrierProfile, Decimal]) -> tuple[object, ...]:
    return entry[0]


Params = tuple[tuple[str, str], ...]


def _drop_reason(
    carrier: CarrierProfile,
    rule: AllocationRule,
    request: AllocationRequest,
    used: Mapping[str, int],
) -> tuple[VerdictCode, str, str, Params] | None:
    """The first reason to drop `carrier` (its code, English, reason and params), or None to
    keep it."""
    code = carrier.code
    if not carrier.enabled:
        return VerdictCode.DISABLED, "Carrier is disabled for this store", "disabled", ()
    on_rule = (("rule", rule.rule_id),)
    if rule.carrier_in is not None and code not in rule.carrier_in:
        message = f"Not among the carriers allowed by rule {rule.rule_id}"
        return VerdictCode.DENIED_BY_RULE, message, "not_allowed", on_rule
    if code in rule.carrier_not_in:
        return VerdictCode.DENIED_BY_RULE, f"Excluded by rule {rule.rule_id}", "excluded", on_rule
    method = request.method
    if _METHOD_CAPABILITY[method] not in carrier.capabilities:
        message = f"Does not offer {method.replace('_', '-')}"
        return VerdictCode.NO_CAPABILITY, message, "no_capability", (("method", str(method)),)
    if not carrier.serves(request.country, request.normalised_postal_code):
        return (
            VerdictCode.NOT_SERVICEABLE,
            f"Does not serve postal code {request.postal_code} in {request.country}",
            "not_serviceable",
            (("postal_code", request.postal_code), ("country", request.country)),
        )
    if request.weight_grams > carrier.max_weight_grams:
        limit, weight = _kg(carrier.max_weight_grams), _kg(request.weight_grams)
        return (
            VerdictCode.OVER_WEIGHT,
            f"Takes up to {limit} kg; this parcel weighs {weight} kg",
            "over_weight",
            (("limit_kg", limit), ("weight_kg", weight)),
        )
    if not carrier.fits(request.sorted_dimensions_cm):
        return (VerdictCode.OVER_SIZE, *_over_size(carrier, request))
    if request.currency not in carrier.rates:
        message = f"Has no rate in {request.currency}"
        return VerdictCode.NO_RATE, message, "no_rate", (("currency", request.currency),)
    capacity = carrier.daily_pickup_capacity
    if method is ReturnMethod.PICKUP and capacity is not None:
        booked = used.get(code, 0)
        if booked >= capacity:
            return (
                VerdictCode.CAPACITY_FULL,
                f"Daily pickup capacity reached ({booked} of {capacity} booked today)",
                "capacity_full",
                (("booked", str(booked)), ("capacity", str(capacity))),
            )
    return None


def _rank_key(rule: AllocationRule, carrier: CarrierProfile, price: Decimal) -> tuple[object, ...]:
    tail = (price, carrier.transit_days, carrier.code)
    strategy = rule.strategy
    if strategy is Strategy.CHEAPEST:
        return tail
    if strategy is Strategy.FASTEST:
        return (carrier.transit_days, price, carrier.code)
    if strategy is Strategy.BEST_PICKUP_SUCCESS:
        score = 0.0 if carrier.stats is None else carrier.stats.pickup_success_score
        return (-score, *tail)
    # FIXED_PREFERENCE: listed carriers in the store's order, then the others as fallbacks.
    preference = rule.preference
    position = preference.index(carrier.code) if carrier.code in preference else len(preference)
    return (position, *tail)


def _why(
    rule: AllocationRule, carrier: CarrierProfile, price: Decimal, currency: str
) -> tuple[str, str, Params]:
    """Why a kept carrier ranks where it does: English, the reason and its params."""
    money = f"{price} {currency}"
    priced = (("price", str(price)), ("currency", currency))
    strategy = rule.strategy
    if strategy is Strategy.CHEAPEST:
        return money, "cheapest", priced
    if strategy is Strategy.FASTEST:
        days = carrier.transit_days
        return (
            f"{days} transit day{'' if days == 1 else 's'}, {money}",
            "fastest",
            (("days", str(days)), *priced),
        )
    if strategy is Strategy.BEST_PICKUP_SUCCESS:
        stats = carrier.stats
        if stats is None or stats.first_attempt_success_rate is None:
            return f"no pickups measured yet, {money}", "pickups_unmeasured", priced
        percent = f"{(stats.first_attempt_success_rate * 100).normalize():f}"
        score = f"{stats.pickup_success_score:.3f}"
        return (
            f"{percent}% first-attempt pickups over {stats.first_attempts} "
            f"(score {score}), {money}",
            "pickup_success",
            (
                ("percent", percent),
                ("pickups", str(stats.first_attempts)),
                ("score", score),
                *priced,
            ),
        )
    if carrier.code in rule.preference:
        place = rule.preference.index(carrier.code) + 1
        return (
            f"{_ordinal(place)} in the store's preference list, {money}",
            "preferred",
            (("place", str(place)), *priced),
        )
    return f"not in the store's preference list, {money}", "not_preferred", priced


def _over_size(carrier: CarrierProfile, request: AllocationRequest) -> tuple[str, str, Params]:
    sides = request.sorted_dimensions_cm
    if all(side <= limit for side, limit in zip(sides, carrier.sorted_max_dimensions, strict=True)):
        # Every side fits, so the length + girth limit is what refused it.
        longest, middle, shortest = sides
        limit_cm, size_cm = carrier.max_length_plus_girth_cm, longest + 2 * (middle + shortest)
        return (
            f"Takes length + girth up to {limit_cm} cm; this parcel measures {size_cm} cm",
            "over_girth",
            (("limit_cm", str(limit_cm)), ("size_cm", str(size_cm))),
        )
    limit = "×".join(str(side) for side in carrier.max_dimensions_cm)
    parcel = "×".join(str(side) for side in request.dimensions_cm)
    return (
        f"Takes parcels up to {limit} cm; this parcel is {parcel} cm",
        "over_size",
        (("limit_cm", limit), ("size_cm", parcel)),
    )


def _kg(grams: int) -> str:
    text = f"{Decimal(grams) / 1000:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
