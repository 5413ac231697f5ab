"""The console adapter, for the demo and development: "pays" by writing a log line.

It honours idempotency keys like a real provider (per process): the same key answers the same
refund reference instead of paying twice.
"""

from __future__ import annotations

import hashlib
import logging
import threading

from retorno.integrations.payments.base import OutcomeStatus, RefundOutcome, RefundRequest

logger = logging.getLogger(__name__)


class ConsoleGateway:
    name = "console"

    def __init__(self) -> None:
        self._paid: dict[str, str] = {}
        self._lock = threading.Lock()

    def refund(self, request: RefundRequest) -> RefundOutcome:
        with self._lock:
            reference = self._paid.get(request.idempotency_key)
            if reference is None:
                digest = hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:12]
                reference = f"console-{digest}"
                self._paid[request.idempotency_key] = reference
                logger.info(
                    "console refund %s %s %s for %s (%s)",
                    reference,
                    request.amount,
                    request.currency,
                    request.reference,
                    request.idempotency_key,
                )
        return RefundOutcome(OutcomeStatus.SUCCEEDED, provider_reference=reference)
