"""The console adapter, for the demo and development: "pays" or "charges" by writing a log line.

It honours idempotency keys like a real provider (per process): the same key answers the same
reference instead of moving money twice.
"""

from __future__ import annotations

import hashlib
import logging
import threading

from retorno.integrations.payments.base import (
    ChargeOutcome,
    ChargeRequest,
    OutcomeStatus,
    RefundOutcome,
    RefundRequest,
)

logger = logging.getLogger(__name__)


class ConsoleGateway:
    name = "console"

    def __init__(self) -> None:
        self._paid: dict[str, str] = {}
        self._lock = threading.Lock()

    def _reference(self, what: str, key: str, amount: object, currency: str, about: str) -> str:
        with self._lock:
            reference = self._paid.get(key)
            if reference is None:
                digest = hashlib.sha256(key.encode()).hexdigest()[:12]
                reference = f"console-{digest}"
                self._paid[key] = reference
                logger.info(
                    "console %s %s %s %s for %s (%s)", what, reference, amount, currency, about, key
                )
        return reference

    def refund(self, request: RefundRequest) -> RefundOutcome:
        reference = self._reference(
            "refund", request.idempotency_key, request.amount, request.currency, request.reference
        )
        return RefundOutcome(OutcomeStatus.SUCCEEDED, provider_reference=reference)

    def charge(self, request: ChargeRequest) -> ChargeOutcome:
        reference = self._reference(
            "charge", request.idempotency_key, request.amount, request.currency, request.reference
        )
        return ChargeOutcome(OutcomeStatus.SUCCEEDED, provider_reference=reference)
