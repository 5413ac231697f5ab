"""The refund ledger: each refund's states, its idempotency key, and the rules for retrying it.

A refund row is written (state PENDING, with its idempotency key) and committed *before* the
payment adapter is called, outside any database transaction. Then:

* The adapter call carries the idempotency key, so the provider treats every repeat of the
  call as the same refund and pays at most once.
* The call answers "paid" → the row becomes SUCCEEDED. It answers a *definite* refusal (the
  provider says no money moved) → FAILED. Anything ambiguous (timeout, connection reset, 5xx,
  a crash of our process between the call and the commit) leaves the row PENDING.
* A sweeper re-drives PENDING rows older than a grace period (`needs_redrive`) with the *same*
  key: if the first call did go through, the provider answers with the refund it already made,
  and we record it. This is what makes a crash between the call and the commit harmless.
* A person (finance) may retry a FAILED refund: FAILED → PENDING with the attempt number
  raised. Only then does the key change (`refund_idempotency_key(..., attempt=n)`), because
  providers replay a stored refusal for a key they have seen; a new key is safe precisely
  because FAILED means the provider confirmed that nothing was paid.
* SUCCEEDED is final. Money back to the shopper after that is a new refund (a new sequence).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from retorno.domain.errors import DomainError
from retorno.domain.money._checks import require_aware


class RefundState(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RefundLedgerError(DomainError):
    """Codes: invalid_refund_transition, invalid_refund_key, invalid_datetime."""

    code = "invalid_refund_transition"


ALLOWED_TRANSITIONS: MappingProxyType[RefundState, frozenset[RefundState]] = MappingProxyType(
    {
        RefundState.PENDING: frozenset({RefundState.SUCCEEDED, RefundState.FAILED}),
        RefundState.FAILED: frozenset({RefundState.PENDING}),
        RefundState.SUCCEEDED: frozenset(),
    }
)

# Providers cap key length (Stripe: 255); ours stay far below with ids up to this size.
_MAX_ID_LENGTH = 100


def can_transition(current: RefundState | str, target: RefundState | str) -> bool:
    """True when a refund in `current` may move to `target`."""
    return RefundState(target) in ALLOWED_TRANSITIONS[RefundState(current)]


def transition_refund(current: RefundState | str, target: RefundState | str) -> RefundState:
    """Return `target` if the move is allowed, else RefundLedgerError("invalid_refund_transition").

    A repeat of the move that already happened (SUCCEEDED → SUCCEEDED) is refused too: the
    service checks the current state under a row lock and treats a repeat as "already done".
    """
    try:
        current_state, target_state = RefundState(current), RefundState(target)
    except ValueError:
        raise RefundLedgerError(f"Unknown refund state in {current!r} → {target!r}.") from None
    if not can_transition(current_state, target_state):
        raise RefundLedgerError(f"A refund cannot go from {current_state} to {target_state}.")
    return target_state


def refund_idempotency_key(return_id: str | int, sequence: int, attempt: int = 1) -> str:
    """The key sent with a refund's payment call: "retorno-refund-<return>-<sequence>".

    Deterministic, so a re-drive after a crash sends exactly the same key. `sequence` numbers
    the refunds of one return (1, 2, ... for partial refunds). `attempt` is raised only when
    finance retries a FAILED refund; attempt 1 has no suffix, later ones end in "-a<attempt>".
    """
    text = str(return_id)
    if (
        isinstance(return_id, bool)
        or not text
        or len(text) > _MAX_ID_LENGTH
        or not all(char.isalnum() or char in "-_" for char in text)
    ):
        raise RefundLedgerError(
            f"{return_id!r} cannot be part of a refund key.", code="invalid_refund_key"
        )
    for name, value in (("sequence", sequence), ("attempt", attempt)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RefundLedgerError(
                f"{name} must be a positive integer.", code="invalid_refund_key"
            )
    key = f"retorno-refund-{text}-{sequence}"
    return key if attempt == 1 else f"{key}-a{attempt}"


def needs_redrive(
    state: RefundState | str,
    last_attempt_at: datetime,
    now: datetime,
    grace: timedelta = timedelta(minutes=5),
) -> bool:
    """True when a refund is PENDING and its last call started more than `grace` ago.

    The grace period lets an in-flight call finish; re-driving is safe anyway (same key), it
    only avoids a needless second call.
    """
    require_aware(last_attempt_at, "last_attempt_at", RefundLedgerError)
    require_aware(now, "now", RefundLedgerError)
    return RefundState(state) is RefundState.PENDING and now - last_attempt_at > grace
