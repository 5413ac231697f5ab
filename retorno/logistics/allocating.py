"""A parcel put to the allocation engine: the store's carriers, rules and today's capacity, read
once, and the pure `allocate` (retorno.domain.logistics) deciding.

Booking a return (`services.shipment_plan`) and choosing which return methods a shopper is
offered (`methods_served`) both come through here, so the shopper is offered exactly what a
booking would find a carrier for: one set of rules, one way to read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from retorno.domain.days import local_day
from retorno.domain.logistics import (
    Allocation,
    AllocationRequest,
    AllocationRule,
    CarrierProfile,
    ReturnMethod,
    allocate,
    parse_allocation_rules,
)
from retorno.logistics import adapters, selectors
from retorno.logistics.models import AllocationRuleSet, CarrierAccount, LogisticsSettings
from retorno.stores.models import Store

# A return's method as the store names it -> what allocation asks of a carrier. Self-ship (and
# anything else that travels) is a prepaid label.
RETURN_METHODS = {"pickup": ReturnMethod.PICKUP, "drop_off": ReturnMethod.DROP_OFF}


def return_method(method: str) -> ReturnMethod:
    return RETURN_METHODS.get(method, ReturnMethod.LABEL)


@dataclass(frozen=True, slots=True, kw_only=True)
class ParcelFacts:
    """A return's parcel as logistics needs it, handed over by returns as plain data. Before a
    return exists (the shopper choosing how to send it), `return_id` is 0 and `rma` empty."""

    return_id: int
    rma: str
    method: str  # pickup | drop_off | self_ship
    sender: Mapping[str, Any]
    weight_grams: int
    declared_value: Decimal
    currency: str
    category: str = ""
    customer_tier: str = ""
    pickup_date: date | None = None
    dimensions_cm: tuple[int, int, int] | None = None
    tracking_url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AllocationInputs:
    """What allocation reads about a store, once for any number of parcels."""

    accounts: tuple[CarrierAccount, ...]
    settings: LogisticsSettings
    rules_set: AllocationRuleSet | None
    rules: tuple[AllocationRule, ...]
    profiles: tuple[CarrierProfile, ...]
    today: date  # the store's
    capacity_used_today: Mapping[str, int]


def allocation_inputs(
    store: Store, *, now: datetime, with_stats: bool = True
) -> AllocationInputs | None:
    """The store's carriers (as profiles), rules in force and pickups booked for its today;
    None when no carrier account is enabled: the store ships outside Retorno.

    `with_stats=False` leaves out the measured pickup success: it only orders carriers under
    the best_pickup_success strategy, never keeps or drops one, so asking whether a parcel can
    go at all does not need it."""
    accounts = tuple(CarrierAccount.objects.filter(store=store).order_by("code"))
    if not any(a.enabled for a in accounts):
        return None
    rules_set = selectors.allocation_rules_current(store)
    today = local_day(now, store.timezone)
    if with_stats:
        profiles, _unusable = selectors.carrier_profiles_for_store(store, now=now)
    else:
        profiles = selectors.carrier_profiles(accounts, {})
    return AllocationInputs(
        accounts=accounts,
        settings=selectors.logistics_settings_for(store),
        rules_set=rules_set,
        rules=tuple(parse_allocation_rules(rules_set.document)) if rules_set is not None else (),
        profiles=tuple(profiles),
        today=today,
        capacity_used_today=selectors.pickups_booked_on(store, today),
    )


def allocation_request(
    parcel: ParcelFacts, inputs: AllocationInputs, *, method: str | None = None
) -> AllocationRequest:
    """The parcel as the engine takes it (`method` overrides the parcel's): the store's default
    size and weight stand in for what the parcel does not say."""
    settings_row = inputs.settings
    dimensions = parcel.dimensions_cm or adapters.parcel_dimensions(
        settings_row.default_parcel_dimensions_cm
    )
    weight = parcel.weight_grams or settings_row.default_parcel_weight_grams
    sender = parcel.sender
    return AllocationRequest(
        country=str(sender.get("country", "")).upper() or "XX",
        postal_code=str(sender.get("postal_code", "")),
        weight_grams=max(1, weight),
        dimensions_cm=dimensions,
        declared_value=Decimal(parcel.declared_value),
        currency=parcel.currency,
        category=parcel.category,
        customer_tier=parcel.customer_tier,
        method=return_method(method or parcel.method),
    )


def parcel_allocate(
    inputs: AllocationInputs, request: AllocationRequest, *, exclude_carriers: Iterable[str] = ()
) -> Allocation:
    """The engine's explained ranking for `request` among the store's carriers (less any
    excluded), with today's pickup capacity."""
    excluded = set(exclude_carriers)
    return allocate(
        [p for p in inputs.profiles if p.code not in excluded],
        inputs.rules,
        request,
        capacity_used_today=inputs.capacity_used_today,
    )


def methods_served(
    *, store: Store, parcel: ParcelFacts, methods: Sequence[str], now: datetime
) -> list[str]:
    """Which of `methods` (pickup, drop_off, self_ship) a carrier can take this parcel with, from
    its sender's address, as booking it would find: the same rules, serviceability by country
    and postal code, weight, size, capabilities, rates and today's pickup capacity. A store with
    no enabled carrier ships outside Retorno: every method stays. Order is kept."""
    return methods_served_for_parcels(store=store, parcels=[(parcel, methods)], now=now)


def methods_served_for_parcels(
    *, store: Store, parcels: Sequence[tuple[ParcelFacts, Sequence[str]]], now: datetime
) -> list[str]:
    """`methods_served` for several parcels (the same return from two addresses: a pickup's and
    the one a drop-off leaves from) with the store's carriers and rules read once."""
    inputs = allocation_inputs(store, now=now, with_stats=False)
    if inputs is None:
        return [method for _parcel, methods in parcels for method in methods]
    return [
        method
        for parcel, methods in parcels
        for method in methods
        if parcel_allocate(inputs, allocation_request(parcel, inputs, method=method)).has_carrier
    ]
