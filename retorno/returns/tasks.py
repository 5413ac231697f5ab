"""Periodic jobs where returns meet logistics and money: tracking polling for carriers without
webhooks, reminding shoppers of instant exchanges to send the original back, and charging back
the ones whose original never came back, and classifying comments a job missed."""

from __future__ import annotations

from celery import shared_task

from retorno.returns.status_tally import status_tally_compact
from retorno.returns.workflows import charges as charge_flow
from retorno.returns.workflows import shipping, triage


@shared_task(acks_late=True, ignore_result=True)
def shipments_poll() -> int:
    """Poll carriers without webhooks for shipments still travelling; scheduled every 15 minutes
    by Celery beat (CELERY_BEAT_SCHEDULE) and by the in-process scheduler without a broker."""
    return shipping.shipments_poll()


@shared_task(acks_late=True, ignore_result=True)
def instant_exchange_charge_backs() -> int:
    """Charge instant exchanges past their return deadline with no scan and no receipt; hourly
    by Celery beat and the in-process scheduler. Safe to run twice at once (each exchange is
    decided under its return's lock and charged back at most once)."""
    return charge_flow.instant_exchange_charge_backs()


@shared_task(acks_late=True, ignore_result=True)
def instant_exchange_reminders() -> int:
    """Remind shoppers of instant exchanges due back within a few days; hourly by Celery beat
    and the in-process scheduler. Safe to run twice at once or to retry (each exchange is
    decided under its return's lock and reminded at most once)."""
    return charge_flow.instant_exchange_reminders()


@shared_task(acks_late=True, ignore_result=True)
def comments_classify_sweep() -> int:
    """Classify return comments a job missed; hourly by Celery beat and the in-process
    scheduler. Safe to run twice at once (a prediction is one row per item)."""
    return triage.comments_classify_sweep()


@shared_task(acks_late=True, ignore_result=True)
def status_tally_fold() -> int:
    """Fold the status tally's rows into one per store and status; every minute by Celery beat
    and the in-process scheduler. Safe to run twice at once (retorno.returns.status_tally)."""
    return status_tally_compact()
