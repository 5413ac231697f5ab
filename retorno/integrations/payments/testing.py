"""A fake payment provider for tests: records every call and key, pays (or charges) once per
key, and can simulate a refusal, an outage, or a crash of the caller right after money moved."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal

from retorno.integrations.payments.base import (
    ChargeOutcome,
    ChargeRequest,
    OutcomeStatus,
    PaymentUnavailable,
    RefundOutcome,
    RefundRequest,
)


class SimulatedCrash(BaseException):
    """Raised after the money moved, as if our process died before recording the outcome. A
    BaseException so that no `except Exception` on the way up can swallow it."""


@dataclass
class FakeProvider:
    """Refunds and charges are scripted apart: `refuse` / `unavailable` / `crash_after_paying`
    drive refunds, the `charge_` ones drive charges."""

    name: str = "fake"
    refuse: bool = False
    unavailable: bool = False
    crash_after_paying: bool = False
    calls: list[str] = field(default_factory=list)
    payments: dict[str, Decimal] = field(default_factory=dict)  # key -> amount paid back
    charge_refuse: bool = False
    charge_unavailable: bool = False
    charge_pending: bool = False
    crash_after_charging: bool = False
    charge_calls: list[str] = field(default_factory=list)
    charges: dict[str, Decimal] = field(default_factory=dict)  # key -> amount taken
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refund(self, request: RefundRequest) -> RefundOutcome:
        with self._lock:
            self.calls.append(request.idempotency_key)
            if self.unavailable:
                raise PaymentUnavailable("provider timed out")
            if self.refuse and request.idempotency_key not in self.payments:
                return RefundOutcome(OutcomeStatus.FAILED, message="card_closed")
            first = request.idempotency_key not in self.payments
            if first:
                self.payments[request.idempotency_key] = request.amount
        if first and self.crash_after_paying:
            self.crash_after_paying = False
            raise SimulatedCrash()
        return RefundOutcome(
            OutcomeStatus.SUCCEEDED, provider_reference=f"fake-{request.idempotency_key}"
        )

    def charge(self, request: ChargeRequest) -> ChargeOutcome:
        with self._lock:
            self.charge_calls.append(request.idempotency_key)
            if self.charge_unavailable:
                raise PaymentUnavailable("provider timed out")
            if self.charge_pending and request.idempotency_key not in self.charges:
                return ChargeOutcome(OutcomeStatus.PENDING, message="authorising")
            if self.charge_refuse and request.idempotency_key not in self.charges:
                return ChargeOutcome(OutcomeStatus.FAILED, message="card_declined")
            first = request.idempotency_key not in self.charges
            if first:
                self.charges[request.idempotency_key] = request.amount
        if first and self.crash_after_charging:
            self.crash_after_charging = False
            raise SimulatedCrash()
        return ChargeOutcome(
            OutcomeStatus.SUCCEEDED, provider_reference=f"fake-{request.idempotency_key}"
        )

    @property
    def total_paid(self) -> Decimal:
        return sum(self.payments.values(), Decimal(0))

    @property
    def total_charged(self) -> Decimal:
        return sum(self.charges.values(), Decimal(0))
