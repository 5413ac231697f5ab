"""The life of a connector's webhook receipts and backfills, the same for every platform: a
verified webhook kept once per the platform's delivery id and its processing queued in the same
transaction; a job that processes it, keeping a payload that cannot be processed as failed with
its reason; processing again on demand; one backfill at a time per store.

Each function takes the connector's model (a `records.WebhookReceiptBase`, a backfill model)
and its outbox kind; `prefix` makes the outbox dedupe keys the connector's own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from retorno.connectors.records import BackfillStatus, ReceiptStatus, WebhookReceiptBase
from retorno.connectors.values import MappingError
from retorno.core.errors import Conflict, NotFound, RetornoError, Unprocessable
from retorno.core.outbox import outbox_enqueue
from retorno.stores.models import Store

R = TypeVar("R", bound=WebhookReceiptBase)
B = TypeVar("B", bound=models.Model)
MAX_BACKFILL_DAYS = 365


def receipt_keep(
    model: type[R],
    *,
    store: Store,
    key: dict[str, str],
    values: dict[str, Any],
    known: bool,
    kind: str,
    prefix: str,
) -> tuple[int, bool]:
    """Keep a verified webhook (unless the one with `key` is kept already) and queue its
    processing when `known`; (receipt id, duplicate)."""
    with transaction.atomic():
        existing = model.objects.filter(store=store, **key).first()
        if existing is not None:
            return existing.pk, True
        try:
            with transaction.atomic():
                receipt: Any = model.objects.create(
                    store=store,
                    **key,
                    **values,
                    received_at=timezone.now(),
                    status=ReceiptStatus.PENDING if known else ReceiptStatus.IGNORED,
                )
        except IntegrityError:  # the same delivery, twice at once
            return model.objects.get(store=store, **key).pk, True
        if known:
            outbox_enqueue(
                store_id=store.id,
                kind=kind,
                dedupe_key=f"{prefix}-receipt:{receipt.id}",
                payload={"receipt": receipt.id},
            )
    return receipt.id, False


def receipt_finish(model: type[R], receipt_id: int, *, error: str = "", note: str = "") -> None:
    model.objects.filter(id=receipt_id).update(
        status=ReceiptStatus.FAILED if error else ReceiptStatus.PROCESSED,
        error=(error or note)[:500],
        processed_at=timezone.now(),
    )


def receipt_process(model: type[R], message: Any, apply: Callable[[R], str]) -> dict[str, Any]:
    """The outbox job of one kept webhook: `apply` does the work and says what it did. A
    payload that cannot be processed marks the receipt failed with the reason (kept, and
    processed again on demand); anything else unexpected is retried by the outbox."""
    receipt = model.objects.select_related("store").filter(id=message.payload["receipt"]).first()
    if receipt is None:
        return {"skipped": "no receipt"}
    model.objects.filter(id=receipt.pk).update(attempts=receipt.attempts + 1)
    try:
        note = apply(receipt)
    except (MappingError, RetornoError) as error:
        reason = str(getattr(error, "detail", None) or error)
        code = getattr(error, "code", None)
        receipt_finish(model, receipt.pk, error=f"{code}: {reason}" if code else reason)
        return {"failed": reason}
    receipt_finish(model, receipt.pk, note=note)
    return {"done": note}


def receipt_retry(
    model: type[R], *, store: Store, receipt_id: int, kind: str, prefix: str, platform: str
) -> R:
    """Process a failed webhook again (after the store fixed what it lacked)."""
    with transaction.atomic():
        receipt = model.objects.select_for_update().filter(store=store, id=receipt_id).first()
        if receipt is None:
            raise NotFound(f"No such {platform} webhook.", code="receipt_not_found")
        receipt.status, receipt.error = ReceiptStatus.PENDING, ""
        receipt.save(update_fields=["status", "error"])
        outbox_enqueue(
            store_id=store.id,
            kind=kind,
            dedupe_key=f"{prefix}-receipt:{receipt.pk}:retry:{receipt.attempts}",
            payload={"receipt": receipt.pk},
        )
    return receipt


def backfill_create(
    model: type[B], *, store: Store, days: int, kind: str, prefix: str, enqueue: bool = True
) -> B:
    """Start importing the last `days` days of orders (one backfill at a time per store); the
    job is queued unless the caller runs it itself (a command in a terminal)."""
    if not 1 <= days <= MAX_BACKFILL_DAYS:
        raise Unprocessable(
            f"days is between 1 and {MAX_BACKFILL_DAYS}.", code="validation_error", field="days"
        )
    now = timezone.now()
    with transaction.atomic():
        Store.objects.select_for_update().filter(id=store.id).first()
        manager: Any = model._default_manager
        if manager.filter(store=store, status=BackfillStatus.RUNNING).exists():
            raise Conflict("A backfill is already running for this store.", code="backfill_running")
        backfill = manager.create(
            store=store, days=days, since=now - timedelta(days=days), started_at=now
        )
        if enqueue:
            outbox_enqueue(
                store_id=store.id,
                kind=kind,
                dedupe_key=f"{prefix}-backfill:{backfill.id}",
                payload={"backfill": backfill.id},
            )
    return backfill
