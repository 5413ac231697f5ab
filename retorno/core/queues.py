"""Background work runs on one Celery queue per kind, so a slow carrier or a flood of webhook
deliveries never holds up a shopper's e-mail, and each kind gets the workers it needs:

| queue | carries |
| --- | --- |
| outbox | e-mails and texts, refunds, charges, exchange orders, platform sync; the sweeper |
| bookings | carrier allocation and label booking (slow carrier APIs) |
| tracking | polling carriers without webhooks for scans |
| webhooks | deliveries to the store's webhook endpoints (slow or failing receivers) |
| analytics | comment classification and other insight work |
| imports | CSV imports of orders and the catalogue (minutes long; they keep their claim alive) |

Names come from settings.CELERY_TASK_DEFAULT_QUEUE (CELERY_QUEUE, default "celery"): the outbox
queue is that name itself, so anything without a route still reaches it; the others are
"<name>.<kind>". `retorno worker` consumes every queue unless told `--queues`.
"""

from __future__ import annotations

from django.conf import settings

QUEUE_KINDS = ("outbox", "bookings", "tracking", "webhooks", "analytics", "imports")

# The first part of an outbox message's kind ("logistics.book" -> "logistics") -> its queue.
# Kinds not listed go to the outbox queue.
MESSAGE_QUEUES = {
    "logistics": "bookings",
    "webhook": "webhooks",
    "insight": "analytics",
    "tracking": "tracking",
}
# Message kinds whose queue is not their prefix's.
KIND_QUEUES = {"orders.csv_import": "imports"}

# Scheduled and other named tasks -> their queue (settings.CELERY_TASK_ROUTES is made from it).
TASK_QUEUES = {
    "retorno.core.tasks.outbox_sweep": "outbox",
    "retorno.core.tasks.partitions_create_ahead": "outbox",
    "retorno.returns.tasks.shipments_poll": "tracking",
    "retorno.returns.tasks.instant_exchange_charge_backs": "outbox",
    "retorno.returns.tasks.instant_exchange_reminders": "outbox",
    "retorno.returns.tasks.comments_classify_sweep": "analytics",
    "retorno.returns.tasks.status_tally_fold": "analytics",
    "retorno.analytics.tasks.supplier_alerts_check": "analytics",
    "retorno.connectors.woocommerce.tasks.woocommerce_poll": "outbox",
    "retorno.analytics.tasks.weekly_digests": "analytics",
}


def queue_name(kind: str, base: str | None = None) -> str:
    """The broker's name of the queue of `kind` (one of QUEUE_KINDS)."""
    if kind not in QUEUE_KINDS:
        raise ValueError(f"unknown queue {kind!r}: one of {', '.join(QUEUE_KINDS)}")
    base = base or settings.CELERY_TASK_DEFAULT_QUEUE
    return base if kind == "outbox" else f"{base}.{kind}"


def queue_for_message(message_kind: str) -> str:
    """The queue that delivers outbox messages of `message_kind`."""
    kind = KIND_QUEUES.get(message_kind) or MESSAGE_QUEUES.get(message_kind.split(".", 1)[0])
    return queue_name(kind or "outbox")


def task_routes(base: str) -> dict[str, dict[str, str]]:
    """Celery's task_routes for the named tasks (settings.CELERY_TASK_ROUTES)."""
    return {task: {"queue": queue_name(kind, base)} for task, kind in TASK_QUEUES.items()}
