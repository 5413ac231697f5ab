"""What every chunk of a generated history shares (retorno.demo.history): the plan, the
customers (a pure function of the seed and their index), the codes and the days."""

from __future__ import annotations

import functools
import hashlib
import random
import unicodedata
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import accumulate
from typing import Any

from retorno.demo import data

CENT = Decimal("0.01")
VAT = data.VAT


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


class Weighted:
    """A weighted draw prepared once: `pick(rng)` is `rng.choices(items, weights)[0]` (the same
    value from the same stream) without summing the weights again on every draw."""

    __slots__ = ("cum", "hi", "items", "total")

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = tuple(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1] + 0.0
        self.hi = len(self.items) - 1

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cum, rng.random() * self.total, 0, self.hi)]


TIERS = Weighted(("", "silver", "gold"), (68, 23, 9))
SPANISH_CITIES = Weighted(data.SPANISH_CITIES, [c[3] for c in data.SPANISH_CITIES])


@dataclass(frozen=True)
class Plan:
    """What every chunk needs to know, picklable (it crosses to the loading processes)."""

    store_id: int
    rma_prefix: str
    currency: str
    seed: int
    returns: int
    customers: int
    orders_ratio: float
    now: datetime
    zone: str  # the store's time zone, whose days the history is spread over
    day_starts: tuple[datetime, ...]  # local midnights (as UTC instants), oldest first
    day_cum_weights: tuple[float, ...]
    policy_version_id: int
    # product code -> ((variant id, sku, options, shelf price), ...)
    variants: dict[str, tuple[tuple[int, str, dict[str, str], Decimal], ...]]
    carriers: tuple[tuple[int, str, str], ...]  # (account id, code, name)
    staff: dict[str, str]  # role -> label
    bases: dict[str, int]  # model name -> first id of the load
    unchecked: bool = False  # foreign-key triggers left out while writing (a bulk load)


@dataclass(frozen=True)
class Profile:
    id: int
    name: str
    email: str
    phone: str
    tier: str
    language: str
    address: dict[str, str]


_profiles: dict[tuple[int, int, int], Profile] = {}


def customer_profile(plan: Plan, index: int) -> Profile:
    """Customer `index` of the load, the same wherever it is asked for (kept for a while:
    the frequent returners are asked for again and again)."""
    key = (plan.seed, plan.bases["Customer"], index)
    found = _profiles.get(key)
    if found is None:
        if len(_profiles) > 200_000:
            _profiles.clear()
        found = _profiles[key] = _profile(plan, index)
    return found


def _profile(plan: Plan, index: int) -> Profile:
    rng = random.Random(f"{plan.seed}:customer:{index}")
    english = rng.random() < 0.2
    if english:
        first, last = rng.choice(data.ENGLISH_FIRST), rng.choice(data.ENGLISH_LAST)
        name = f"{first} {last}"
    else:
        first, last = rng.choice(data.SPANISH_FIRST), rng.choice(data.SPANISH_LAST)
        name = f"{first} {last} {rng.choice(data.SPANISH_LAST)}"
    handle = f"{_ascii(first)}.{_ascii(last)}".replace(" ", "").replace("'", "")
    email = f"{handle}.{index + 1}@example.com"
    phone = f"+34 6{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    tier = TIERS.pick(rng)
    where = rng.random()
    if english and where < 0.45:
        city, region, prefix = rng.choice(data.IRISH_CITIES)
        address = {
            "name": name,
            "line1": f"{rng.randint(1, 120)} {rng.choice(data.IRISH_STREETS)}",
            "city": city,
            "region": region,
            "postal_code": f"{prefix}{rng.randint(1, 9) if len(prefix) < 3 else ''} "
            f"{rng.choice('ACDEFHKNPRTVWXY')}{rng.randint(100, 999)}",
            "country": "IE",
        }
        phone = f"+353 8{rng.randint(3, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    elif not english and where < 0.05:
        address = {
            "name": name,
            "line1": f"Rua Augusta, {rng.randint(1, 200)}",
            "city": "Lisboa",
            "region": "Lisboa",
            "postal_code": f"1100-{rng.randint(100, 999)}",
            "country": "PT",
        }
    else:
        city, region, prefix, _ = SPANISH_CITIES.pick(rng)
        address = {
            "name": name,
            "line1": f"{rng.choice(data.SPANISH_STREETS)}, {rng.randint(1, 180)}",
            "city": city,
            "region": region,
            "postal_code": f"{prefix}{rng.randint(1, 50):02d}",
            "country": "ES",
        }
    address["phone"] = phone
    return Profile(
        id=plan.bases["Customer"] + index,
        name=name,
        email=email,
        phone=phone,
        tier=tier,
        language="en" if english else "es",
        address=address,
    )


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded.lower()


def bijection(index: int, bits: int, salt: str) -> int:
    """A number of `bits` bits unique to `index` (an odd multiplier modulo 2**bits is a
    bijection), scrambled by `salt` so stores and seeds differ."""
    multiplier, offset = _scramble(salt)
    return (index * multiplier + offset) % (1 << bits)


@functools.cache
def _scramble(salt: str) -> tuple[int, int]:
    # A handful of salts per load, asked for several times per return.
    digest = hashlib.blake2b(salt.encode(), digest_size=16).digest()
    return int.from_bytes(digest[:8], "big") | 1, int.from_bytes(digest[8:], "big")


def day_pick(plan: Plan, rng: random.Random) -> datetime:
    """A local midnight of the history, weighted by how busy its day is."""
    cum = plan.day_cum_weights
    return plan.day_starts[min(bisect(cum, rng.random() * cum[-1]), len(cum) - 1)]
