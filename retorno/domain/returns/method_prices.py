"""What a store charges for each way of sending a return back, and the stores a shopper may
bring a return to.

A store may set a price per return method (a free drop-off, a label at 4.95): it replaces the
policy's return shipping fee for that method. A method without a price keeps the policy's fee,
except a return brought to a store, which no carrier carries and is free unless priced. The
policy's waivers (per reason and tier) waive the store's price too, and no fee takes more than
the items are worth after restocking, as the policy's own fee never does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from retorno.domain.errors import DomainError
from retorno.domain.money import quantize

IN_STORE = "in_store"
# Every way a shopper may send a return back, in the order the portal offers them.
SHOPPER_METHODS = ("pickup", "drop_off", "self_ship", IN_STORE)
PRICE_LIMIT = Decimal("1000")
LOCATIONS_LIMIT = 50
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ZERO = Decimal(0)
_TEXT_LIMITS = {"name": 120, "address": 200, "postal_code": 20, "city": 80}
_TEXT_LIMITS.update(dict.fromkeys(DAY_KEYS, 80))


class MethodSettingsError(DomainError):
    """Return-method prices or store locations that cannot be used."""

    def __init__(self, message: str, *, code: str = "invalid_return_methods") -> None:
        super().__init__(message, code=code)


def method_prices(raw: Mapping[str, Any] | None, currency: str) -> Mapping[str, Decimal]:
    """The prices a store set, by method, in `currency`'s minor unit. A method without a price
    (missing, None or "") is left out: it keeps the policy's fee. Raises MethodSettingsError
    for an unknown method or a price that is not an amount from 0 to PRICE_LIMIT."""
    prices: dict[str, Decimal] = {}
    for method, value in (raw or {}).items():
        if method not in SHOPPER_METHODS:
            raise MethodSettingsError(
                f"Unknown return method {method!r}.", code="invalid_method_price"
            )
        if value is None or value == "":
            continue
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite() or not _ZERO <= amount <= PRICE_LIMIT:
            raise MethodSettingsError(
                f"The price of {method} must be an amount from 0 to {PRICE_LIMIT}.",
                code="invalid_method_price",
            )
        if quantize(amount, currency) != amount:
            raise MethodSettingsError(
                f"The price of {method} has more decimals than {currency} has.",
                code="invalid_method_price",
            )
        prices[method] = quantize(amount, currency)
    return MappingProxyType(prices)


def prices_document(prices: Mapping[str, Decimal]) -> dict[str, str]:
    """The prices as stored (amounts as text, in the methods' order)."""
    return {m: str(prices[m]) for m in SHOPPER_METHODS if m in prices}


def method_fee(
    method: str | None,
    *,
    prices: Mapping[str, Decimal],
    policy_fee: Decimal,
    waived: bool,
    fee_cap: Decimal,
) -> Decimal:
    """The return shipping fee of a return sent back by `method`.

    `policy_fee` is what the policy decided (already waived and capped), `waived` whether the
    policy waived it for this request (every line's reason or tier), `fee_cap` what the items
    are worth after restocking. `method` None (not chosen yet) keeps the policy's fee.
    """
    if method is None or (method not in prices and method != IN_STORE):
        return max(policy_fee, _ZERO)
    if waived:
        return _ZERO
    return max(_ZERO, min(prices.get(method, _ZERO), fee_cap))


def policy_fee_waived(lines_waived: Iterable[bool]) -> bool:
    """The policy waives a return's shipping fee when it waives it on every line (as the
    engine does); a request with no line pays nothing."""
    return all(lines_waived)


def decision_method_fee(
    decision: Any, method: str | None, prices: Mapping[str, Decimal]
) -> Decimal:
    """`method_fee` for a policy decision (retorno.domain.policies.Decision): its fee, its
    lines' waivers, and what its items are worth after restocking as the cap."""
    return method_fee(
        method,
        prices=prices,
        policy_fee=decision.return_shipping_fee,
        waived=policy_fee_waived(line.fee_waived for line in decision.lines),
        fee_cap=max(_ZERO, decision.return_value - decision.restocking_fee),
    )


@dataclass(frozen=True, slots=True)
class StoreLocation:
    """A shop where shoppers may hand a return in, as the store describes it: `hours` by day key
    (mon … sun), each the store's own words ("10:00–20:00"), "" when closed."""

    name: str
    address: str
    postal_code: str = ""
    city: str = ""
    hours: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def as_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "address": self.address,
            "postal_code": self.postal_code,
            "city": self.city,
            "hours": {day: self.hours[day] for day in DAY_KEYS if self.hours.get(day)},
        }


def _text(raw: Mapping[str, Any], key: str, index: int) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise MethodSettingsError(
            f"Location {index + 1}: {key} must be text.", code="invalid_store_location"
        )
    value = " ".join(value.split())
    if len(value) > _TEXT_LIMITS[key]:
        raise MethodSettingsError(
            f"Location {index + 1}: {key} is longer than {_TEXT_LIMITS[key]} characters.",
            code="invalid_store_location",
        )
    return value


def store_locations(raw: Iterable[Any] | None) -> tuple[StoreLocation, ...]:
    """The locations a store listed, checked: each a mapping with a name and an address, hours
    by day key. Raises MethodSettingsError naming the first location that cannot be used."""
    locations = []
    for index, item in enumerate(raw or ()):
        if not isinstance(item, Mapping):
            raise MethodSettingsError(
                f"Location {index + 1} must be an object.", code="invalid_store_location"
            )
        hours_raw = item.get("hours") or {}
        if not isinstance(hours_raw, Mapping) or set(hours_raw) - set(DAY_KEYS):
            raise MethodSettingsError(
                f"Location {index + 1}: hours are given by day (mon … sun).",
                code="invalid_store_location",
            )
        hours = {day: _text(hours_raw, day, index) for day in DAY_KEYS if day in hours_raw}
        hours = {day: text for day, text in hours.items() if text}
        location = StoreLocation(
            name=_text(item, "name", index),
            address=_text(item, "address", index),
            postal_code=_text(item, "postal_code", index),
            city=_text(item, "city", index),
            hours=MappingProxyType(hours),
        )
        if not location.name or not location.address:
            raise MethodSettingsError(
                f"Location {index + 1} needs a name and an address.",
                code="invalid_store_location",
            )
        locations.append(location)
    if len(locations) > LOCATIONS_LIMIT:
        raise MethodSettingsError(
            f"List at most {LOCATIONS_LIMIT} locations.", code="invalid_store_location"
        )
    return tuple(locations)


def offered_methods(methods: Iterable[str], locations: tuple[StoreLocation, ...]) -> list[str]:
    """The methods a store may offer, in the portal's order: at least one, each known, and
    "in store" only with a location to bring the parcel to."""
    wanted = set(methods)
    unknown = wanted - set(SHOPPER_METHODS)
    chosen = [m for m in SHOPPER_METHODS if m in wanted]
    if unknown or not chosen:
        raise MethodSettingsError(
            "Offer at least one of: " + ", ".join(SHOPPER_METHODS) + ".",
            code="invalid_return_methods",
        )
    if IN_STORE in chosen and not locations:
        raise MethodSettingsError(
            "Returns in store need at least one store location.", code="in_store_without_location"
        )
    return chosen
