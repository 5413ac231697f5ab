"""Background jobs of the shared kernel: outbox delivery and its sweeper."""

from __future__ import annotations

from celery import shared_task

from retorno.core.outbox import outbox_deliver_one, outbox_due_ids


@shared_task(acks_late=True, ignore_result=True)
def outbox_deliver(message_id: int) -> str:
    return outbox_deliver_one(message_id)


@shared_task(acks_late=True, ignore_result=True)
def outbox_sweep() -> int:
    """Re-drive due and stale messages; scheduled every minute by Celery beat."""
    ids = outbox_due_ids()
    for message_id in ids:
        outbox_deliver_one(message_id)
    return len(ids)
