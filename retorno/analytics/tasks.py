"""Periodic jobs of the analytics: the supplier alerts check (and, with it, the e-mails of the
crossings it finds), and the weekly digest of every store whose digest is due."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from retorno.analytics.digest import weekly_digests_send
from retorno.analytics.supplier_alerts import supplier_alerts_check_all


@shared_task(acks_late=True, ignore_result=True)
def supplier_alerts_check() -> int:
    """Open an alert for every supplier newly over a threshold of its store's; hourly by Celery
    beat and the in-process scheduler. Safe to run twice at once or to retry (one open alert per
    supplier and kind, one e-mail per alert)."""
    return supplier_alerts_check_all(now=timezone.now())


@shared_task(acks_late=True, ignore_result=True)
def weekly_digests() -> int:
    """Queue the weekly digest of every store where it is due (Monday from 06:00 local time, or
    later that week when Monday was missed); hourly by Celery beat and the in-process scheduler. Safe to run twice at once or to retry (one
    digest per store and week, one e-mail per recipient)."""
    return weekly_digests_send(now=timezone.now())
