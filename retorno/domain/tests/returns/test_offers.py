from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.returns.offers import VALUE_KEEPING_ORDER, offer_order

NAMES = st.sampled_from(["refund", "store_credit", "exchange", "keep", "gift"])


def test_without_a_policy_order_keeping_the_value_comes_first() -> None:
    assert offer_order(["refund", "store_credit", "exchange"]) == list(VALUE_KEEPING_ORDER)


def test_the_policy_order_wins() -> None:
    policy = ["refund", "exchange", "store_credit"]
    assert offer_order(["exchange", "store_credit", "refund"], policy) == policy


def test_what_the_policy_does_not_list_comes_after_in_value_keeping_order() -> None:
    assert offer_order(["refund", "store_credit", "exchange"], ["store_credit"]) == [
        "store_credit",
        "exchange",
        "refund",
    ]


@given(st.lists(NAMES), st.lists(NAMES, unique=True))
def test_offers_each_resolution_once_and_nothing_else(offered, policy) -> None:
    ordered = offer_order(offered, policy)
    assert sorted(ordered) == sorted(set(offered))
    listed = [name for name in ordered if name in policy]
    assert listed == [name for name in policy if name in offered]
    assert ordered[: len(listed)] == listed
