"""The payment port: how Retorno asks a payment provider (or a person) to give money back, or to
take it (a dearer exchange's difference, an instant exchange whose original never came back).

Every call carries the refund's idempotency key. A provider that sees a key again must answer
with the refund it already made, never make a second one; that is what makes re-driving a
refund after a timeout or a crash safe (see docs/money.md, "Refund ledger and retries").

Outcomes are three, and only one of them may mark a refund as failed:

* SUCCEEDED: the money moved; `provider_reference` names the provider's refund.
* FAILED: a *definite* refusal: the provider confirms nothing was paid (card closed, refund
  window over, ...). Finance may retry with a new key.
* PENDING: nothing is known yet or a person must act (the manual adapter). The refund stays
  pending and keeps its key.

Anything ambiguous (timeout, connection reset, 5xx) is raised as `PaymentUnavailable`: the
caller leaves the refund pending and re-drives it later with the same key.

Charges follow exactly the same contract, in the other direction: `charge` takes money from the
shopper's original payment method at most once per idempotency key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class OutcomeStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PENDING = "pending"


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundRequest:
    """One refund to pay. `amount` is positive, in minor units of `currency`."""

    idempotency_key: str
    amount: Decimal
    currency: str
    store_id: int
    order_reference: str
    reference: str  # the RMA or claim number, for the provider's statement
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RefundOutcome:
    status: OutcomeStatus
    provider_reference: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargeRequest:
    """One charge to take from the shopper. `amount` is positive, in minor units of `currency`."""

    idempotency_key: str
    amount: Decimal
    currency: str
    store_id: int
    order_reference: str
    reference: str  # the RMA or exchange number, for the shopper's statement
    reason: str  # exchange_difference, unreturned_item
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChargeOutcome:
    """SUCCEEDED: the money was taken; FAILED: a definite refusal (card declined, no payment
    method on file); PENDING: nothing known yet, or a person must act."""

    status: OutcomeStatus
    provider_reference: str = ""
    message: str = ""


class PaymentUnavailable(Exception):
    """The outcome is unknown (timeout, 5xx, connection lost): retry later with the same key."""


class PaymentGateway(Protocol):
    """A payment provider behind one interface. `name` is stored on each refund."""

    name: str

    def refund(self, request: RefundRequest) -> RefundOutcome:
        """Pay `request` back at most once per idempotency key.

        Returns the outcome; raises PaymentUnavailable when the outcome is unknown.
        """
        ...

    def charge(self, request: ChargeRequest) -> ChargeOutcome:
        """Take `request` from the shopper at most once per idempotency key.

        Returns the outcome; raises PaymentUnavailable when the outcome is unknown.
        """
        ...
