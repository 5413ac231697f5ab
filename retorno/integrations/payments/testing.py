"""A fake payment provider for tests: records every call and key, pays once per key, and can
simulate a refusal, an outage, or a crash of the caller right after the money moved."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal

from retorno.integrations.payments.base import (
    OutcomeStatus,
    PaymentUnavailable,
    RefundOutcome,
    RefundRequest,
)


class SimulatedCrash(BaseException):
    """Raised after paying, as if our process died before recording the outcome. A
    BaseException so that no `except Exception` on the way up can swallow it."""


@dataclass
class FakeProvider:
    name: str = "fake"
    refuse: bool = False
    unavailable: bool = False
    crash_after_paying: bool = False
    calls: list[str] = field(default_factory=list)
    payments: dict[str, Decimal] = field(default_factory=dict)  # key -> amount paid
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refund(self, request: RefundRequest) -> RefundOutcome:
        with self._lock:
            self.calls.append(request.idempotency_key)
            if self.unavailable:
                raise PaymentUnavailable("provider timed out")
            if self.refuse and request.idempotency_key not in self.payments:
                return RefundOutcome(OutcomeStatus.FAILED, message="card_closed")
            if request.idempotency_key not in self.payments:
                self.payments[request.idempotency_key] = request.amount
                first = True
            else:
                first = False
        if first and self.crash_after_paying:
            self.crash_after_paying = False
            raise SimulatedCrash()
        return RefundOutcome(
            OutcomeStatus.SUCCEEDED, provider_reference=f"fake-{request.idempotency_key}"
        )

    @property
    def total_paid(self) -> Decimal:
        return sum(self.payments.values(), Decimal(0))
