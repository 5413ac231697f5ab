"""Scheduled jobs of the shared kernel: the outbox sweeper, the coming months' partitions.

The task that delivers one message lives with the outbox (`core.outbox.outbox_deliver`), which
sends it; the sweeper only drives deliveries and is started by Celery beat.
"""

from __future__ import annotations

from celery import shared_task

from retorno.core.db.partitions import partitions_ahead
from retorno.core.outbox import outbox_deliver_one, outbox_due_ids


@shared_task(acks_late=True, ignore_result=True)
def outbox_sweep() -> int:
    """Re-drive due and stale messages; scheduled every minute by Celery beat."""
    ids = outbox_due_ids()
    for message_id in ids:
        outbox_deliver_one(message_id)
    return len(ids)


@shared_task(ignore_result=True)
def partitions_create_ahead() -> int:
    """Create the coming months' partitions of the tables switched to monthly partitions (a
    missing month would refuse inserts); nothing on a database that has none. Daily."""
    return len(partitions_ahead())
