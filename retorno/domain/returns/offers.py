"""The order in which the shopper is offered the resolutions of a return.

Keeping the value comes first (an exchange, then store credit with its bonus, then a refund)
unless the store's policy lists its resolutions in another order: the policy's order wins, and
what it does not list comes after, in the value-keeping order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

VALUE_KEEPING_ORDER = ("exchange", "store_credit", "refund")


def offer_order(offered: Iterable[str], policy_order: Sequence[str] = ()) -> list[str]:
    """`offered` resolutions, each once, in the policy's order, then the value-keeping order,
    then as given."""
    seen: list[str] = []
    for name in offered:
        if name not in seen:
            seen.append(name)

    def rank(name: str) -> tuple[int, int, int]:
        in_policy = list(policy_order).index(name) if name in policy_order else len(policy_order)
        keeping = (
            VALUE_KEEPING_ORDER.index(name)
            if name in VALUE_KEEPING_ORDER
            else len(VALUE_KEEPING_ORDER)
        )
        return in_policy, keeping, seen.index(name)

    return sorted(seen, key=rank)
