"""Runs small / runs large: the fit index of a product and when it is flagged.

n_small counts the returned items that say the product is too small (the reason `too_small`, or
an exchange to a bigger size); n_large likewise. The index is (n_small − n_large) ÷ (n_small +
n_large), from −1 (everyone found it large) to +1 (everyone found it small). A product is
flagged when |index| ≥ FLAG_INDEX, n ≥ FLAG_MIN_N and a two-sided exact binomial test against
"small and large are equally likely" gives p < FLAG_P.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

FLAG_INDEX = Decimal("0.3")
FLAG_MIN_N = 10
FLAG_P = 0.05
# Past this many trials the normal approximation replaces the exact sum (its error there is far
# below the 0.05 the flag compares with).
EXACT_UP_TO = 5000

# Letter sizes, smallest first (what shops write; "XXL" and "2XL" are the same size).
LETTER_SIZES = ("XXXS", "XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "XXXXL")
_ALIASES = {"2XS": "XXS", "3XS": "XXXS", "2XL": "XXL", "3XL": "XXXL", "4XL": "XXXXL"}
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?")


class Fit(StrEnum):
    RUNS_SMALL = "runs_small"
    RUNS_LARGE = "runs_large"
    TRUE_TO_SIZE = ""


@dataclass(frozen=True, slots=True)
class FitFigure:
    n_small: int
    n_large: int
    index: Decimal | None
    p_value: float | None
    fit: Fit

    @property
    def n(self) -> int:
        return self.n_small + self.n_large

    @property
    def flagged(self) -> bool:
        return self.fit is not Fit.TRUE_TO_SIZE


def binomial_p_two_sided(k: int, n: int) -> float:
    """P(a result at least as far from n/2 as k) for k successes in n fair trials."""
    if n < 0 or not 0 <= k <= n:
        raise ValueError("need 0 <= k <= n")
    if n == 0:
        return 1.0
    low = min(k, n - k)
    if 2 * low == n:
        return 1.0
    if n > EXACT_UP_TO:
        # Normal approximation with continuity correction.
        z = (abs(k - n / 2) - 0.5) / math.sqrt(n / 4)
        return min(1.0, math.erfc(z / math.sqrt(2)))
    tail, term = 0, 1  # term = C(n, i), kept by one multiplication per step
    for i in range(low + 1):
        tail += term
        term = term * (n - i) // (i + 1)
    return min(1.0, 2 * tail / 2**n)


def fit_figure(n_small: int, n_large: int) -> FitFigure:
    """The fit index of a product from its counts, with the test and the flag."""
    if n_small < 0 or n_large < 0:
        raise ValueError("counts are never negative")
    n = n_small + n_large
    if n == 0:
        return FitFigure(0, 0, None, None, Fit.TRUE_TO_SIZE)
    index = (Decimal(n_small - n_large) / Decimal(n)).quantize(Decimal("0.001"))
    p_value = binomial_p_two_sided(n_small, n)
    flagged = abs(index) >= FLAG_INDEX and n >= FLAG_MIN_N and p_value < FLAG_P
    fit = Fit.TRUE_TO_SIZE
    if flagged:
        fit = Fit.RUNS_SMALL if index > 0 else Fit.RUNS_LARGE
    return FitFigure(n_small, n_large, index, p_value, fit)


def _size(size: str) -> tuple[str, float] | None:
    text = size.strip().upper().replace(" ", "")
    text = _ALIASES.get(text, text)
    if text in LETTER_SIZES:
        return "letter", float(LETTER_SIZES.index(text))
    number = _NUMBER.match(text)
    if number:
        return "number", float(number.group(0).replace(",", "."))
    return None


def size_rank(size: str) -> float | None:
    """Where `size` stands among sizes of its kind: a letter size by its place (S < M < XL), a
    number by itself (38 < 40; "90 cm" is 90); None when it is neither."""
    found = _size(size)
    return None if found is None else found[1]


def size_step(from_size: str, to_size: str) -> int:
    """+1 when `to_size` is bigger than `from_size`, −1 when smaller, 0 when the same or the two
    cannot be compared (a letter and a number, or something that is no size)."""
    a, b = _size(from_size), _size(to_size)
    if a is None or b is None or a[0] != b[0]:
        return 0
    return (b[1] > a[1]) - (b[1] < a[1])


def direction_of(reason: str, returned: str, exchanged_to: str) -> int:
    """+1 when a returned item says its product runs small, −1 large, 0 neither: the shopper's
    sizing reason when they gave one, else the direction of the exchange."""
    if reason == "too_small":
        return 1
    if reason == "too_large":
        return -1
    return size_step(returned, exchanged_to) if returned and exchanged_to else 0
