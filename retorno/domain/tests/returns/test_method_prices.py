"""A store's price per return method, its store locations, and what they do to the refund."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.returns.amounts import return_amounts
from retorno.domain.returns.method_prices import (
    IN_STORE,
    SHOPPER_METHODS,
    MethodSettingsError,
    method_fee,
    method_prices,
    offered_methods,
    policy_fee_waived,
    prices_document,
    store_locations,
)

D = Decimal
PRICES = method_prices({"drop_off": "0", "self_ship": "4.95"}, "EUR")
FIVE, HUNDRED = D("5.00"), D("100")


def fee(method, *, policy_fee=FIVE, waived=False, cap=HUNDRED):
    return method_fee(method, prices=PRICES, policy_fee=policy_fee, waived=waived, fee_cap=cap)


def test_a_store_price_replaces_the_policy_fee():
    assert fee("drop_off") == D("0")
    assert fee("self_ship") == D("4.95")


def test_a_method_without_price_keeps_the_policy_fee():
    assert fee("pickup") == D("5.00")
    assert fee(None) == D("5.00")


def test_in_store_is_free_unless_priced():
    assert fee(IN_STORE) == D("0")
    priced = method_prices({IN_STORE: "1.50"}, "EUR")
    assert method_fee(
        IN_STORE, prices=priced, policy_fee=D("5"), waived=False, fee_cap=D("100")
    ) == D("1.50")


def test_the_policy_waiver_waives_the_store_price():
    assert fee("self_ship", policy_fee=D("0"), waived=True) == D("0")


def test_a_price_never_takes_more_than_the_items_are_worth():
    assert fee("self_ship", cap=D("3.00")) == D("3.00")
    assert fee("self_ship", cap=D("-1")) == D("0")


def test_waived_when_every_line_is():
    assert policy_fee_waived([True, True])
    assert not policy_fee_waived([True, False])


@pytest.mark.parametrize(
    "raw",
    [
        {"drop_off": "-1"},
        {"drop_off": "abc"},
        {"drop_off": "1.999"},
        {"boat": "1"},
        {"pickup": "1e9"},
    ],
)
def test_prices_that_cannot_be_used(raw):
    with pytest.raises(MethodSettingsError) as caught:
        method_prices(raw, "EUR")
    assert caught.value.code == "invalid_method_price"


def test_prices_without_amount_keep_the_policy_fee_and_whole_currencies_quantize():
    assert dict(method_prices({"pickup": "", "drop_off": None}, "EUR")) == {}
    assert method_prices({"self_ship": "500"}, "JPY")["self_ship"] == D("500")
    with pytest.raises(MethodSettingsError):
        method_prices({"self_ship": "4.5"}, "JPY")
    assert prices_document(PRICES) == {"drop_off": "0.00", "self_ship": "4.95"}


def test_locations_are_checked_and_kept_in_order():
    locations = store_locations(
        [
            {
                "name": " Gran  Vía ",
                "address": "Gran Vía 1",
                "city": "Madrid",
                "hours": {"mon": "10:00–20:00", "sun": ""},
            },
            {"name": "Sol", "address": "Puerta del Sol 2"},
        ]
    )
    assert [loc.name for loc in locations] == ["Gran Vía", "Sol"]
    assert dict(locations[0].hours) == {"mon": "10:00–20:00"}
    assert locations[0].as_document()["hours"] == {"mon": "10:00–20:00"}


@pytest.mark.parametrize(
    "raw",
    [
        [{"name": "", "address": "x"}],
        [{"name": "x"}],
        ["x"],
        [{"name": "x", "address": "y", "hours": {"funday": "9"}}],
        [{"name": "x" * 121, "address": "y"}],
        [{"name": 3, "address": "y"}],
    ],
)
def test_locations_that_cannot_be_used(raw):
    with pytest.raises(MethodSettingsError) as caught:
        store_locations(raw)
    assert caught.value.code == "invalid_store_location"


def test_in_store_needs_a_location():
    with pytest.raises(MethodSettingsError) as caught:
        offered_methods(["drop_off", IN_STORE], ())
    assert caught.value.code == "in_store_without_location"
    one = store_locations([{"name": "Sol", "address": "Sol 2"}])
    assert offered_methods([IN_STORE, "pickup"], one) == ["pickup", IN_STORE]
    with pytest.raises(MethodSettingsError):
        offered_methods([], one)


amounts = st.decimals(min_value=0, max_value=10_000, places=2)


@given(
    method=st.sampled_from((None, *SHOPPER_METHODS)),
    price=st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=2)),
    policy_fee=amounts,
    waived=st.booleans(),
    items=amounts,
    restocking=amounts,
)
def test_the_fee_is_never_negative_nor_above_the_items_and_the_refund_never_above_paid(
    method, price, policy_fee, waived, items, restocking
):
    restocking = min(restocking, items)
    cap = items - restocking
    policy_fee = D(0) if waived else min(policy_fee, cap)
    prices = method_prices({} if price is None else {"self_ship": price, IN_STORE: price}, "EUR")
    charged = method_fee(method, prices=prices, policy_fee=policy_fee, waived=waived, fee_cap=cap)
    assert D(0) <= charged <= cap
    if waived:
        assert charged == 0
    if method in (None, "pickup", "drop_off"):
        assert charged == policy_fee
    result = return_amounts(
        items_amount=items,
        restocking_fee=restocking,
        return_shipping_fee=charged,
        shipping_refund=D(0),
        bonus_percent=D(0),
        kept=False,
        currency="EUR",
        resolution="refund",
    )
    assert result.refund_amount == items - restocking - charged
    assert D(0) <= result.refund_amount <= items
