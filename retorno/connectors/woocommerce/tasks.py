"""The scheduled poll of every connected WooCommerce store (settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from retorno.connectors.woocommerce.services import polls_enqueue


@shared_task(acks_late=True, ignore_result=True)
def woocommerce_poll() -> int:
    """Queue one `orders?modified_after=` poll per connected store."""
    with transaction.atomic():
        return polls_enqueue()
