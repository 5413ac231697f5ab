"""The one lifecycle of a payment attempt (a refund or a charge, `money.models.PaymentAttempt`):
queued, sent to the payment adapter safely, settled, retried, marked paid by hand.

The protocol (docs/adr/0005): the row and its idempotency key are already
committed PENDING; a caller takes a short lease on the row with a conditional UPDATE (so one
caller at a time), calls the adapter outside any transaction with the row's key, then records
the outcome under the row's lock. An unknown outcome (PaymentUnavailable) leaves the row PENDING
with its key and is re-raised for the outbox to re-drive; a definite refusal marks it FAILED; an
adapter waiting for a person (manual) leaves it PENDING and flagged for finance.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import F, Q

from retorno.core.errors import Conflict, Unprocessable
from retorno.core.outbox import outbox_enqueue
from retorno.domain.money.ledger import RefundState, transition_refund
from retorno.integrations.payments.base import OutcomeStatus, PaymentUnavailable
from retorno.money.models import PaymentAttempt

# How long a caller holds a row it is sending; a crashed caller's lease runs out after this.
SEND_LEASE = timedelta(minutes=5)

Row = TypeVar("Row", bound=PaymentAttempt)


def enqueue_send(row: PaymentAttempt, *, kind: str, id_field: str) -> None:
    """Queue the sending of `row` in the caller's transaction: once per key and call count, so
    a retry (a new call) queues again and a repeated enqueue of the same one does not."""
    outbox_enqueue(
        store_id=row.store_id,
        kind=kind,
        dedupe_key=f"{kind}:{row.idempotency_key}:{row.calls}",
        payload={id_field: row.pk},
    )


def settle(
    row: PaymentAttempt,
    state: RefundState,
    *,
    now: datetime,
    settled_by: str = "",
    reference: str = "",
    error: str = "",
    also_save: tuple[str, ...] = (),
) -> None:
    """Move a locked PENDING row to SUCCEEDED or FAILED and save it (with the fields named in
    `also_save`, which the caller changed)."""
    row.state = transition_refund(row.state, state)
    row.updated_at = now
    row.in_flight_until = None
    row.awaiting_manual = False
    if state is RefundState.SUCCEEDED:
        row.succeeded_at = now
        row.provider_reference = reference or row.provider_reference
    else:
        row.failed_at = now
        row.last_error = error[:2000]
    row.settled_by = settled_by[:200]
    row.save(
        update_fields=[
            "state",
            "updated_at",
            "in_flight_until",
            "awaiting_manual",
            "succeeded_at",
            "failed_at",
            "provider_reference",
            "last_error",
            "settled_by",
            *also_save,
        ]
    )


def send_once(
    model: type[Row],
    row_id: int,
    *,
    now: datetime,
    call: Callable[[Row], tuple[str, Any]],
    on_succeeded: Callable[[Row], None] | None = None,
    only_if: Q | None = None,
    related: tuple[str, ...] = (),
    on_failed: Callable[[Row], None] | None = None,
) -> str:
    """Send row `row_id` of `model` through `call` (which returns the adapter's name and its
    outcome), at most one caller at a time. Must run outside any transaction. Returns the state
    after the call, or "skipped" when the row is not PENDING (or not `only_if`) or another
    caller holds its lease. `on_succeeded` runs in the transaction that marks it SUCCEEDED,
    `on_failed` in the one that marks it FAILED (a definite refusal)."""
    pending = Q(pk=row_id, state=RefundState.PENDING) & (only_if or Q())
    claimed = (
        model._default_manager.filter(pending)
        .filter(Q(in_flight_until__isnull=True) | Q(in_flight_until__lt=now))
        .update(in_flight_until=now + SEND_LEASE, last_attempt_at=now, calls=F("calls") + 1)
    )
    if not claimed:
        return "skipped"
    row = model._default_manager.select_related(*related).get(pk=row_id)
    try:
        adapter_name, outcome = call(row)
    except PaymentUnavailable as exc:
        model._default_manager.filter(pk=row_id, state=RefundState.PENDING).update(
            in_flight_until=None, last_error=str(exc)[:2000], updated_at=now
        )
        raise
    with transaction.atomic():
        row = model._default_manager.select_for_update().get(pk=row_id)
        if row.state != RefundState.PENDING:
            return str(row.state)  # finance settled it meanwhile
        _record(row, outcome, now=now, adapter_name=adapter_name, on_succeeded=on_succeeded)
        if on_failed is not None and row.state == RefundState.FAILED:
            on_failed(row)
        return str(row.state)


def _record(
    row: Row,
    outcome: Any,
    *,
    now: datetime,
    adapter_name: str,
    on_succeeded: Callable[[Row], None] | None,
) -> None:
    if outcome.status is OutcomeStatus.SUCCEEDED:
        settle(
            row,
            RefundState.SUCCEEDED,
            now=now,
            settled_by=adapter_name,
            reference=outcome.provider_reference,
        )
        if on_succeeded is not None:
            on_succeeded(row)
    elif outcome.status is OutcomeStatus.FAILED:
        settle(row, RefundState.FAILED, now=now, error=outcome.message or "refused")
    else:
        # With the provider's reference the provider is settling it (a bank refund: its
        # webhook tells the outcome); without one a person must act (manual adapter) and
        # finance sees it waiting.
        row.provider_reference = outcome.provider_reference or row.provider_reference
        row.awaiting_manual = not outcome.provider_reference
        row.in_flight_until = None
        row.last_error = ""
        row.updated_at = now
        row.save(
            update_fields=[
                "awaiting_manual",
                "in_flight_until",
                "last_error",
                "updated_at",
                "provider_reference",
            ]
        )


def reopen_for_retry(
    row: PaymentAttempt,
    *,
    now: datetime,
    actor_label: str,
    next_key: Callable[[int], str],
    already_done: Conflict,
    in_flight: Conflict,
) -> None:
    """Finance retries a row it holds locked. FAILED → PENDING with the key of the next attempt
    (`next_key(attempt)`; the provider confirmed nothing moved), a PENDING row nobody is sending
    keeps its key and is re-driven. Raises `already_done` once it SUCCEEDED and `in_flight`
    while a caller holds its lease. Saves the row; the caller sends it after commit."""
    if row.state == RefundState.SUCCEEDED:
        raise already_done
    if row.state == RefundState.FAILED:
        row.state = transition_refund(row.state, RefundState.PENDING)
        row.attempt += 1
        row.idempotency_key = next_key(row.attempt)
        row.failed_at = None
    elif row.in_flight_until is not None and row.in_flight_until > now:
        raise in_flight
    row.last_error = ""
    row.updated_at = now
    row.note = (row.note + f"\nRetried by {actor_label} at {now.isoformat()}").strip()
    row.save(
        update_fields=[
            "state",
            "attempt",
            "idempotency_key",
            "failed_at",
            "last_error",
            "updated_at",
            "note",
        ]
    )


def payment_reference(reference: str | None) -> str:
    """The reference finance gives for a payment made by hand (required, at most 200 chars)."""
    cleaned = (reference or "").strip()
    if not cleaned:
        raise Unprocessable("Give the payment's reference.", code="reference_required")
    return cleaned[:200]
