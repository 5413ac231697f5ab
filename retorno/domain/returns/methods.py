"""What each way of sending a return back costs the shopper and when their money (or new item)
comes with it, for the portal's return-method step.

Every carrier method costs the policy's return shipping fee (already capped and waived by the
policy engine), taken from what the return pays; a fee of zero is free. The day is the estimate
of retorno.domain.money.timing.expected_money_on: a pickup's first scan is its pickup day, a
drop-off or a label's is the estimate after approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from retorno.domain.money.timing import RefundTiming, expected_money_on

PICKUP = "pickup"
EXCHANGE = "exchange"
STORE_CREDIT = "store_credit"


@dataclass(frozen=True)
class MethodTerms:
    method: str
    fee: Decimal  # taken from the refund or credit; 0 is free
    money_on: date  # when the refund shows, the credit is added or the new item ships
    timing: RefundTiming  # the moment that day waits for

    @property
    def free(self) -> bool:
        return self.fee <= 0


def method_terms(
    method: str,
    *,
    resolution: str,
    timing: RefundTiming | str,
    fee: Decimal,
    requested_on: date,
    pickup_on: date | None = None,
    instant_exchange: bool = False,
) -> MethodTerms:
    """The terms of returning by `method` for a return settled by `resolution` under the
    policy's refund `timing`, requested on `requested_on`; `pickup_on` is the first pickup day
    a pickup can have. An exchange ships once the items are checked, or at approval when it is
    instant; store credit and a new item arrive without the bank's processing days."""
    moment = RefundTiming(timing)
    if resolution == EXCHANGE:
        moment = RefundTiming.ON_APPROVAL if instant_exchange else RefundTiming.ON_INSPECTION
    return MethodTerms(
        method=method,
        fee=max(fee, Decimal("0")),
        money_on=expected_money_on(
            moment,
            requested_on=requested_on,
            reached={},
            pickup_on=pickup_on if method == PICKUP else None,
            store_credit=resolution in (EXCHANGE, STORE_CREDIT),
        ),
        timing=moment,
    )
