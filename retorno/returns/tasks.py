"""Periodic jobs where returns and logistics meet: tracking polling for carriers without webhooks."""

from __future__ import annotations

from celery import shared_task

from retorno.returns import shipping


@shared_task(acks_late=True, ignore_result=True)
def shipments_poll() -> int:
    """Poll carriers without webhooks for shipments still travelling; scheduled every 15 minutes
    by Celery beat (CELERY_BEAT_SCHEDULE) and by the in-process scheduler without a broker."""
    return shipping.shipments_poll()
