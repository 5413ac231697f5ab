from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retorno.domain.errors import DomainError
from retorno.domain.money import MoneyError, allocate, minor_units, parse_amount, quantize

CURRENCIES = ["EUR", "USD", "GBP", "MXN", "BRL", "ARS", "CLP", "COP", "JPY", "KWD", "CHF"]
PROPERTY = settings(max_examples=300, deadline=None, database=None)


@pytest.mark.parametrize(
    ("currency", "digits"),
    [
        ("EUR", 2),
        ("USD", 2),
        ("GBP", 2),
        ("MXN", 2),
        ("BRL", 2),
        ("ARS", 2),
        ("CLP", 0),
        ("COP", 2),
        ("JPY", 0),
        ("KWD", 3),
        ("CHF", 2),
        ("SEK", 2),
        ("NOK", 2),
        ("DKK", 2),
        ("PLN", 2),
        ("CAD", 2),
        ("AUD", 2),
    ],
)
def test_minor_units_follow_iso_4217(currency, digits):
    assert minor_units(currency) == digits


@pytest.mark.parametrize("currency", ["XYZ", "eur", "", "EURO", None])
def test_unknown_currency_is_a_money_error_with_a_code(currency):
    with pytest.raises(MoneyError) as caught:
        minor_units(currency)
    assert caught.value.code == "unknown_currency"
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, DomainError)
    assert caught.value.message


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1.005", "EUR", "1.01"),
        ("1.004", "EUR", "1.00"),
        ("-1.005", "EUR", "-1.01"),  # half up means away from zero
        ("2.5", "JPY", "3"),
        ("0.0005", "KWD", "0.001"),
        ("7", "EUR", "7.00"),
    ],
)
def test_quantize_rounds_half_up_to_the_minor_unit(amount, currency, expected):
    result = quantize(Decimal(amount), currency)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_quantize_refuses_non_finite_amounts(amount):
    with pytest.raises(MoneyError) as caught:
        quantize(amount, "EUR")
    assert caught.value.code == "invalid_amount"


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("12.50", "EUR", "12.50"),
        ("12.5", "EUR", "12.50"),
        ("12.500", "EUR", "12.50"),  # trailing zeros lose nothing
        (" 3.10 ", "USD", "3.10"),
        (12, "EUR", "12.00"),
        (Decimal("0.125"), "KWD", "0.125"),
        ("1500", "JPY", "1500"),
        ("-4.00", "EUR", "-4.00"),
    ],
)
def test_parse_amount_accepts_exact_values(value, currency, expected):
    assert str(parse_amount(value, currency)) == expected


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        ("12.345", "EUR"),
        ("1.5", "JPY"),
        ("0.0001", "KWD"),
        ("NaN", "EUR"),
        ("inf", "EUR"),
        ("-Infinity", "EUR"),
        ("abc", "EUR"),
        ("", "EUR"),
        ("1,50", "EUR"),
        (1.5, "EUR"),
        (True, "EUR"),
        (None, "EUR"),
        ("1e40", "EUR"),
    ],
)
def test_parse_amount_rejects_invalid_values(value, currency):
    with pytest.raises(MoneyError) as caught:
        parse_amount(value, currency)
    assert caught.value.code == "invalid_amount"


def test_parse_amount_with_unknown_currency():
    with pytest.raises(MoneyError) as caught:
        parse_amount("1.00", "ZZZ")
    assert caught.value.code == "unknown_currency"


@pytest.mark.parametrize(
    ("total", "weights", "currency", "expected"),
    [
        ("10.00", ["1", "1", "1"], "EUR", ["3.34", "3.33", "3.33"]),
        ("0.02", ["1", "1", "1"], "EUR", ["0.01", "0.01", "0.00"]),
        ("100.00", ["30", "70"], "EUR", ["30.00", "70.00"]),
        ("5.00", ["0", "2"], "EUR", ["0.00", "5.00"]),
        ("10", ["1", "2"], "JPY", ["3", "7"]),
        ("1.000", ["1", "1"], "KWD", ["0.500", "0.500"]),
        ("-10.00", ["1", "1", "1"], "EUR", ["-3.34", "-3.33", "-3.33"]),
        # Largest remainder, not first come: 0.67 has the bigger remainder than 0.33.
        ("1.00", ["1", "2"], "EUR", ["0.33", "0.67"]),
    ],
)
def test_allocate_examples(total, weights, currency, expected):
    parts = allocate(Decimal(total), [Decimal(weight) for weight in weights], currency)
    assert [str(part) for part in parts] == expected


@pytest.mark.parametrize(
    ("total", "weights", "code"),
    [
        (Decimal("1.00"), [], "invalid_weights"),
        (Decimal("1.00"), [Decimal(0), Decimal(0)], "invalid_weights"),
        (Decimal("1.00"), [Decimal(-1), Decimal(2)], "invalid_weights"),
        (Decimal("1.00"), [Decimal("NaN")], "invalid_weights"),
        (Decimal("1.00"), [1.5], "invalid_weights"),
        (Decimal("1.005"), [Decimal(1)], "invalid_amount"),
    ],
)
def test_allocate_rejects_bad_input(total, weights, code):
    with pytest.raises(MoneyError) as caught:
        allocate(total, weights, "EUR")
    assert caught.value.code == code


def amounts(currency: str, *, min_value: int = -(10**9), max_value: int = 10**9):
    """Amounts already in minor units of `currency`, as the rest of the system holds them."""
    digits = minor_units(currency)
    return st.integers(min_value, max_value).map(lambda units: Decimal(units).scaleb(-digits))


weights = st.lists(
    st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=20,
).filter(lambda values: sum(values) > 0)


@PROPERTY
@given(currency=st.sampled_from(CURRENCIES), data=st.data(), weights=weights)
def test_allocate_sums_exactly_to_the_total(currency, data, weights):
    total = data.draw(amounts(currency))
    parts = allocate(total, weights, currency)
    assert len(parts) == len(weights)
    assert sum(parts, Decimal(0)) == total
    assert all(quantize(part, currency) == part for part in parts)


@PROPERTY
@given(currency=st.sampled_from(CURRENCIES), data=st.data(), weights=weights)
def test_allocate_parts_are_non_negative_and_within_one_unit_of_the_exact_share(
    currency, data, weights
):
    total = data.draw(amounts(currency, min_value=0))
    parts = allocate(total, weights, currency)
    unit = Decimal(1).scaleb(-minor_units(currency))
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert part >= 0
        assert abs(part - total * weight / weight_sum) < unit
        if weight == 0:
            assert part == 0


@PROPERTY
@given(
    currency=st.sampled_from(CURRENCIES),
    amount=st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, places=6),
)
def test_quantize_is_idempotent(currency, amount):
    once = quantize(amount, currency)
    assert quantize(once, currency) == once
    assert abs(once - amount) <= Decimal(1).scaleb(-minor_units(currency)) / 2


@PROPERTY
@given(currency=st.sampled_from(CURRENCIES), data=st.data())
def test_parse_amount_round_trips_quantized_amounts(currency, data):
    amount = data.draw(amounts(currency))
    assert parse_amount(str(amount), currency) == amount
    assert parse_amount(amount, currency) == amount
