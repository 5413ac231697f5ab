"""Carriers as allocation sees them, and the facts of a parcel to allocate.

`CarrierProfile` is built once per carrier (by the logistics app from its rows) and precomputes
everything `allocate()` asks on every decision: coverage per country, sorted size limits,
rates per currency.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from retorno.domain.errors import DomainError
from retorno.domain.logistics.stats import CarrierStats
from retorno.domain.money import MoneyError, minor_units, quantize


class Capability(enum.StrEnum):
    PICKUP = "pickup"
    LABEL = "label"
    DROP_OFF = "drop_off"
    TRACKING_WEBHOOK = "tracking_webhook"
    TRACKING_POLL = "tracking_poll"


class ReturnMethod(enum.StrEnum):
    """How the parcel leaves the shopper: collected at home, a printed label, or a drop-off
    code at a parcel point. Each needs the capability of the same name."""

    PICKUP = "pickup"
    DROP_OFF = "drop_off"
    LABEL = "label"


class CarrierError(DomainError):
    """A carrier profile or an allocation request that cannot be used."""

    def __init__(self, message: str, *, code: str = "invalid_carrier") -> None:
        super().__init__(message, code=code)


def normalise_postal_code(postal_code: str) -> str:
    """Upper case without spaces or hyphens, so "sw1a 1aa" matches prefix "SW1A" and
    "1000-001" (PT) matches the range 1000–1999."""
    return postal_code.upper().replace(" ", "").replace("-", "")


@dataclass(frozen=True, slots=True)
class PostalRange:
    """An inclusive range of postal codes compared on their first len(low) characters, e.g.
    ("28000", "28999") serves 28013 and, for a US range, 94107-1234. `low` and `high` must have
    the same length; comparison is textual, which for same-length digits is numeric."""

    low: str
    high: str

    def __post_init__(self) -> None:
        low, high = normalise_postal_code(self.low), normalise_postal_code(self.high)
        if not low or len(low) != len(high) or low > high:
            raise CarrierError(
                f"Postal range {self.low!r}–{self.high!r} needs two codes of the same length, "
                "low first.",
            )
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def contains(self, normalised_code: str) -> bool:
        """True when the (already normalised) postal code falls in the range."""
        head = normalised_code[: len(self.low)]
        return len(head) == len(self.low) and self.low <= head <= self.high


@dataclass(frozen=True, slots=True)
class ServiceArea:
    """Where a carrier collects in one country. With neither prefixes nor ranges it serves the
    whole country; otherwise a postal code must start with a prefix or fall in a range."""

    country: str
    postal_prefixes: tuple[str, ...] = ()
    postal_ranges: tuple[PostalRange, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "country", self.country.upper())
        object.__setattr__(
            self,
            "postal_prefixes",
            tuple(normalise_postal_code(prefix) for prefix in self.postal_prefixes),
        )
        object.__setattr__(self, "postal_ranges", tuple(self.postal_ranges))
        if any(not prefix for prefix in self.postal_prefixes):
            raise CarrierError(f"An empty postal prefix in {self.country} would serve everything.")

    @property
    def serves_whole_country(self) -> bool:
        return not self.postal_prefixes and not self.postal_ranges


@dataclass(frozen=True, slots=True)
class Rate:
    """A carrier's price in one currency: `base_amount` plus `per_kg_amount` for every started
    kilogram (carriers bill 1.2 kg as 2 kg)."""

    currency: str
    base_amount: Decimal
    per_kg_amount: Decimal
    _quantum: Decimal = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "_quantum", Decimal(1).scaleb(-minor_units(self.currency)))
            for amount in (self.base_amount, self.per_kg_amount):
                if quantize(amount, self.currency) < 0:
                    raise CarrierError(f"Rate amounts must not be negative ({amount}).")
        except MoneyError as error:
            raise CarrierError(str(error)) from None

    def quote(self, weight_grams: int) -> Decimal:
        """The price of a parcel of `weight_grams`, rounded to the currency's minor unit
        (half up, as money.quantize does; done inline because allocation quotes every carrier
        on every decision)."""
        started_kg = -(-weight_grams // 1000)
        return (self.base_amount + self.per_kg_amount * started_kg).quantize(
            self._quantum, rounding=ROUND_HALF_UP
        )


@dataclass(frozen=True, slots=True)
class _Coverage:
    whole_country: bool
    prefixes: tuple[str, ...]
    ranges: tuple[PostalRange, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CarrierProfile:
    """A carrier account of a store, with its limits, prices and measured performance.

    `max_dimensions_cm` is compared side by side after sorting both the limit and the parcel
    (a parcel may be turned). `max_length_plus_girth_cm` is longest side + 2 × (the other two),
    the way carriers state their "length and girth" limit; None means no such limit.
    `daily_pickup_capacity` applies to pickups only; None means no limit. `stats` feeds the
    best_pickup_success strategy; None means never measured.
    """

    code: str
    name: str
    enabled: bool = True
    capabilities: frozenset[Capability]
    service_areas: tuple[ServiceArea, ...]
    max_weight_grams: int
    max_dimensions_cm: tuple[int, int, int]
    max_length_plus_girth_cm: int | None = None
    rates: Mapping[str, Rate]
    transit_days: int
    daily_pickup_capacity: int | None = None
    stats: CarrierStats | None = None
    # Derived once; allocate() reads only these on its hot path.
    _coverage: Mapping[str, _Coverage] = field(init=False, repr=False, compare=False)
    sorted_max_dimensions: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.code:
            raise CarrierError("A carrier needs a code.")
        unknown = {str(capability) for capability in self.capabilities} - set(Capability)
        if unknown:
            raise CarrierError(f"Unknown carrier capabilities: {', '.join(sorted(unknown))}.")
        object.__setattr__(
            self, "capabilities", frozenset(Capability(c) for c in self.capabilities)
        )
        if self.max_weight_grams <= 0 or self.transit_days < 0:
            raise CarrierError(f"Carrier {self.code}: weight limit and transit days are invalid.")
        if len(self.max_dimensions_cm) != 3 or min(self.max_dimensions_cm) <= 0:
            raise CarrierError(f"Carrier {self.code}: max_dimensions_cm needs three sides > 0.")
        if self.daily_pickup_capacity is not None and self.daily_pickup_capacity < 0:
            raise CarrierError(f"Carrier {self.code}: daily_pickup_capacity must be >= 0.")
        for currency, rate in self.rates.items():
            if rate.currency != currency:
                raise CarrierError(
                    f"Carrier {self.code}: rate under {currency} is in {rate.currency}."
                )
        object.__setattr__(self, "rates", MappingProxyType(dict(self.rates)))
        object.__setattr__(self, "service_areas", tuple(self.service_areas))
        object.__setattr__(self, "_coverage", MappingProxyType(_coverage(self.service_areas)))
        object.__setattr__(
            self, "sorted_max_dimensions", tuple(sorted(self.max_dimensions_cm, reverse=True))
        )

    def serves(self, country: str, normalised_postal_code: str) -> bool:
        """True when the carrier collects at this postal code (normalised) in `country`."""
        coverage = self._coverage.get(country)
        if coverage is None:
            return False
        if coverage.whole_country or normalised_postal_code.startswith(coverage.prefixes):
            return True
        return any(
            postal_range.contains(normalised_postal_code) for postal_range in coverage.ranges
        )

    def fits(self, sorted_dimensions_cm: tuple[int, ...]) -> bool:
        """True when a parcel (sides sorted longest first) is within the size limits."""
        longest, middle, shortest = sorted_dimensions_cm
        limit = self.sorted_max_dimensions
        if longest > limit[0] or middle > limit[1] or shortest > limit[2]:
            return False
        girth_limit = self.max_length_plus_girth_cm
        return girth_limit is None or longest + 2 * (middle + shortest) <= girth_limit


def _coverage(areas: Iterable[ServiceArea]) -> dict[str, _Coverage]:
    merged: dict[str, _Coverage] = {}
    for area in areas:
        known = merged.get(area.country)
        if known is None:
            merged[area.country] = _Coverage(
                area.serves_whole_country, area.postal_prefixes, area.postal_ranges
            )
        else:
            merged[area.country] = _Coverage(
                known.whole_country or area.serves_whole_country,
                known.prefixes + area.postal_prefixes,
                known.ranges + area.postal_ranges,
            )
    return merged


@dataclass(frozen=True, slots=True, kw_only=True)
class AllocationRequest:
    """The facts of one return parcel that allocation looks at.

    `declared_value` is in `currency`, which is also the currency prices are quoted in.
    `postal_code` is kept as given (for messages); matching uses its normalised form.
    """

    country: str
    postal_code: str
    weight_grams: int
    dimensions_cm: tuple[int, int, int]
    declared_value: Decimal
    currency: str
    category: str = ""
    customer_tier: str = ""
    method: ReturnMethod = ReturnMethod.PICKUP
    normalised_postal_code: str = field(init=False, repr=False, compare=False)
    sorted_dimensions_cm: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.weight_grams <= 0:
            raise CarrierError("weight_grams must be positive.", code="invalid_allocation_request")
        if len(self.dimensions_cm) != 3 or min(self.dimensions_cm) <= 0:
            raise CarrierError(
                "dimensions_cm needs three positive sides.", code="invalid_allocation_request"
            )
        if not isinstance(self.declared_value, Decimal) or not self.declared_value.is_finite():
            raise CarrierError(
                "declared_value must be a finite Decimal.", code="invalid_allocation_request"
            )
        try:
            minor_units(self.currency)
            method = ReturnMethod(self.method)
        except (MoneyError, ValueError) as error:
            raise CarrierError(str(error), code="invalid_allocation_request") from None
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "country", self.country.upper())
        object.__setattr__(self, "normalised_postal_code", normalise_postal_code(self.postal_code))
        object.__setattr__(
            self, "sorted_dimensions_cm", tuple(sorted(self.dimensions_cm, reverse=True))
        )
