"""The transactional outbox.

`outbox_enqueue` writes a message row in the caller's transaction and schedules its delivery
after commit. Delivery claims the row with a conditional UPDATE (only one worker wins), runs the
handler registered for its kind outside any transaction, then records the outcome. A failed
delivery is retried with exponential backoff; a worker that dies mid-delivery leaves the row
`processing`, and the sweeper hands it out again once the claim is stale (`claim_timeout`).

Handlers are registered by the app that owns the side effect, in its AppConfig.ready().
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, close_old_connections, connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from retorno.core.db import rows
from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.problems import database_unavailable
from retorno.core.queues import queue_for_message

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxMessage], dict[str, Any] | None]
_HANDLERS: dict[str, Handler] = {}

MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 30
# A claim older than this is a worker that died: its message is handed out again. It must
# outlast the slowest delivery a live worker can make, or a slow send is made twice at once
# (settings.RETORNO_OUTBOX_CLAIM_SECONDS; checked against the SMTP timeout, see checks.py).


def claim_timeout() -> timedelta:
    """How long a claim holds before the sweeper takes it for a dead worker's."""
    return timedelta(seconds=settings.RETORNO_OUTBOX_CLAIM_SECONDS)


class PermanentFailure(Exception):
    """Raised by a handler when retrying cannot help (bad address, refused by the other side)."""


class ClaimLost(Exception):
    """Raised by a long handler whose heartbeat found its claim gone (the sweeper took the
    message for a dead worker's and another worker holds it now): it stops, and the row is
    left to the worker that holds it."""


class RetryAt(Exception):
    """Raised by a handler that keeps its own schedule (webhooks): try again at `at`. The
    attempt is counted, but MAX_ATTEMPTS does not apply: the handler ends the run itself, with
    PermanentFailure or by succeeding."""

    def __init__(self, at: datetime, reason: str) -> None:
        super().__init__(reason)
        self.at = at
        self.reason = reason


def register_handler(kind: str, handler: Handler) -> None:
    _HANDLERS[kind] = handler


def registered_kinds() -> set[str]:
    """The message kinds the apps registered a handler for."""
    return set(_HANDLERS)


def outbox_enqueue(
    *,
    store_id: int,
    kind: str,
    dedupe_key: str,
    payload: dict[str, Any],
    deliver_at: datetime | None = None,
) -> OutboxMessage | None:
    """Write a message in the current transaction; deliver it after commit.

    Returns None when a message with this `dedupe_key` already exists (the event was already
    handled), so callers can enqueue unconditionally. One INSERT … ON CONFLICT DO NOTHING: no
    savepoint, no read first.
    """
    now = timezone.now()
    due_at = deliver_at or now
    message_id = _insert_unless_exists(store_id, kind, dedupe_key, payload, due_at)
    if message_id is None:
        return None
    if due_at <= now:
        # With a broker, a publish that fails (the broker restarting) must not turn a committed
        # change into a 500: the row is pending and the sweeper hands it out on its next pass.
        transaction.on_commit(
            lambda: schedule_delivery(message_id, kind=kind),
            robust=not settings.CELERY_TASK_ALWAYS_EAGER,
        )
    return OutboxMessage(
        id=message_id,
        store_id=store_id,
        kind=kind,
        dedupe_key=dedupe_key,
        payload=payload,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=due_at,
    )


def schedule_delivery(message_id: int, *, kind: str = "", countdown: float = 0) -> None:
    """Hand a committed message to the workers: Celery with a broker (on the queue of the
    message's `kind`, retorno.core.queues), else in-process.

    In-process delivery runs on a small thread pool so a web request never waits for an SMTP
    server or a carrier; settings.RETORNO_INPROCESS_JOBS = "sync" runs it inline (tests).
    `countdown` seconds later (a retry due sooner than the sweeper's next pass); inline
    delivery cannot wait, so there the sweeper (or the test) drives it.
    """
    inline = settings.CELERY_TASK_ALWAYS_EAGER and settings.RETORNO_INPROCESS_JOBS == "sync"
    if countdown > 0:
        if inline:
            return
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            outbox_deliver.apply_async(
                (message_id,), countdown=countdown, queue=queue_for_message(kind)
            )
            return
        timer = threading.Timer(
            countdown, lambda: delivery_threads().submit(_deliver_in_thread, message_id)
        )
        timer.daemon = True
        timer.start()
        return
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        outbox_deliver.apply_async((message_id,), queue=queue_for_message(kind))
        return
    if settings.RETORNO_INPROCESS_JOBS == "sync":
        outbox_deliver.delay(message_id)
        return
    delivery_threads().submit(_deliver_in_thread, message_id)


def _deliver_in_thread(message_id: int) -> None:
    try:
        outbox_deliver_one(message_id)
    except Exception:
        logger.exception("in-process delivery of outbox message %s failed", message_id)
    finally:
        close_old_connections()


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=24)
def outbox_deliver(self: Any, message_id: int, own_claim: str | None = None) -> str:
    """The Celery task that delivers one message (`schedule_delivery` sends it).

    When the database goes away mid-delivery (a restart, a failover), the task tries again
    every few seconds for two minutes, taking back its own claim, instead of leaving the message
    to the sweeper's stale-claim timeout (minutes)."""
    try:
        return outbox_deliver_one(
            message_id, own_claim=datetime.fromisoformat(own_claim) if own_claim else None
        )
    except DeliveryInterrupted as interrupted:
        close_old_connections()
        if self.request.is_eager:  # in-process: the sweeper takes it once the claim is stale
            logger.warning("outbox message %s: %s", message_id, interrupted)
            return "interrupted"
        claim = interrupted.claimed_at.isoformat() if interrupted.claimed_at else own_claim
        raise self.retry(
            countdown=INTERRUPTED_RETRY_SECONDS,
            kwargs={"message_id": message_id, "own_claim": claim},
        ) from interrupted


@functools.cache
def delivery_threads() -> ThreadPoolExecutor:
    """The in-process pool that delivers messages when there is no broker (two named threads)."""
    return ThreadPoolExecutor(
        max_workers=2, thread_name_prefix="retorno-outbox", initializer=_name_os_thread
    )


JOB_THREAD_NAME = b"retorno-outbox"
_PR_SET_NAME = 15


def _name_os_thread() -> None:
    """Name the delivery threads for the operating system too (top -H, ps -L, /proc/…/comm), so
    their CPU can be told apart from the requests'. Linux only; elsewhere a no-op."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(_PR_SET_NAME, JOB_THREAD_NAME, 0, 0, 0)


def _insert_unless_exists(
    store_id: int, kind: str, dedupe_key: str, payload: dict[str, Any], due_at: datetime
) -> int | None:
    table = OutboxMessage._meta.db_table
    sql = (
        f"INSERT INTO {table} (store_id, kind, dedupe_key, payload, status, attempts, next_attempt_at, "  # noqa: S608
        "last_error, result, created_at) VALUES (%s, %s, %s, %s, %s, 0, %s, '', '{}', %s) "
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
    )
    connection = connections[router.db_for_write(OutboxMessage)]
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                store_id,
                kind,
                dedupe_key,
                json.dumps(payload, cls=DjangoJSONEncoder),
                OutboxStatus.PENDING,
                adapt(due_at),
                adapt(timezone.now()),
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


class DeliveryInterrupted(Exception):
    """The database went away during a delivery. `claimed_at` is the claim this worker made
    (None when the claim itself failed, so nothing is held): the delivery may take it back with
    `own_claim` and run again (handlers are idempotent: a message already sent, a refund with
    its idempotency key, a webhook with its webhook-id)."""

    def __init__(self, message_id: int, claimed_at: datetime | None) -> None:
        super().__init__(f"outbox message {message_id}: the database went away")
        self.claimed_at = claimed_at


INTERRUPTED_RETRY_SECONDS = 5


def outbox_deliver_one(
    message_id: int, *, now: datetime | None = None, own_claim: datetime | None = None
) -> str:
    """Deliver one message if it is due and nobody else holds it (or it holds `own_claim`, the
    claim of an interrupted attempt of this same delivery). Returns the resulting status;
    raises DeliveryInterrupted when the database goes away on the way."""
    now = now or timezone.now()
    try:
        message = _claim(message_id, now, own_claim)
    except DatabaseError as exc:
        if database_unavailable(exc):
            raise DeliveryInterrupted(message_id, own_claim) from exc
        raise
    if message is None:
        return "skipped"
    try:
        return _deliver_claimed(message, now)
    except DatabaseError as exc:
        if database_unavailable(exc):
            raise DeliveryInterrupted(message_id, message.claimed_at) from exc
        raise


def _deliver_claimed(message: OutboxMessage, now: datetime) -> str:
    handler = _HANDLERS.get(message.kind)
    try:
        if handler is None:
            raise PermanentFailure(f"no handler registered for {message.kind!r}")
        result = handler(message) or {}
    except ClaimLost:
        logger.warning("outbox %s %s: claim lost, another worker has it", message.kind, message.id)
        return "skipped"
    except PermanentFailure as exc:
        _finish(message, OutboxStatus.FAILED, error=str(exc), now=now)
        logger.warning("outbox %s %s failed permanently: %s", message.kind, message.id, exc)
        return OutboxStatus.FAILED
    except RetryAt as retry:
        OutboxMessage.objects.filter(id=message.id).update(
            status=OutboxStatus.PENDING,
            attempts=message.attempts + 1,
            next_attempt_at=retry.at,
            last_error=retry.reason[:2000],
        )
        wait = (retry.at - now).total_seconds()
        if wait < _sweep_seconds():
            schedule_delivery(message.id, kind=message.kind, countdown=max(wait, 0.001))
        return OutboxStatus.PENDING
    except Exception as exc:
        if database_unavailable(exc):
            raise  # not the handler's failure: the attempt is made again (DeliveryInterrupted)
        attempts = message.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            _finish(message, OutboxStatus.FAILED, error=repr(exc), now=now, attempts=attempts)
            logger.exception(
                "outbox %s %s gave up after %s attempts", message.kind, message.id, attempts
            )
            return OutboxStatus.FAILED
        retry_at = now + timedelta(seconds=BASE_BACKOFF_SECONDS * 2 ** (attempts - 1))
        OutboxMessage.objects.filter(id=message.id).update(
            status=OutboxStatus.PENDING,
            attempts=attempts,
            next_attempt_at=retry_at,
            last_error=repr(exc)[:2000],
        )
        logger.warning(
            "outbox %s %s attempt %s failed: %r", message.kind, message.id, attempts, exc
        )
        return OutboxStatus.PENDING
    _finish(message, OutboxStatus.DELIVERED, now=now, result=result)
    return OutboxStatus.DELIVERED


def _sweep_seconds() -> float:
    """How often the sweeper passes (a retry due sooner is scheduled on its own)."""
    entry = settings.CELERY_BEAT_SCHEDULE.get("outbox-sweep", {})
    return float(entry.get("schedule", 60.0))


def _claim(
    message_id: int, now: datetime, own_claim: datetime | None = None
) -> OutboxMessage | None:
    """Take the message if it is due and nobody holds it (or their claim is stale, or it is
    `own_claim`); the row as claimed, read by the same statement (UPDATE … RETURNING), or None."""
    connection = connections[router.db_for_write(OutboxMessage)]
    adapt = connection.ops.adapt_datetimefield_value
    stale_before = now - claim_timeout()
    with connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(),
            [
                OutboxStatus.PROCESSING,
                adapt(now),
                message_id,
                OutboxStatus.PENDING,
                adapt(now),
                OutboxStatus.PROCESSING,
                adapt(stale_before),
                adapt(own_claim or stale_before),
            ],
        )
        found = cursor.fetchall()  # read to the end: on SQLite the write is over only then
    if not found:
        return None
    return rows.from_row(connection, OutboxMessage, _OUTBOX_FIELDS, found[0])


_OUTBOX_FIELDS = rows.all_attnames(OutboxMessage)


@functools.cache
def _claim_sql() -> str:
    return (
        f"UPDATE {OutboxMessage._meta.db_table} SET status = %s, claimed_at = %s "  # noqa: S608
        "WHERE id = %s AND ((status = %s AND next_attempt_at <= %s) "
        "OR (status = %s AND (claimed_at < %s OR claimed_at = %s))) "
        f"RETURNING {', '.join(f.column for f in OutboxMessage._meta.concrete_fields)}"
    )


def outbox_heartbeat(message: OutboxMessage, *, now: datetime | None = None) -> None:
    """Keep a long delivery's claim fresh (a CSV import calls it after each chunk), so the
    sweeper never takes a live worker's message for a dead one's however long it runs. The
    claim is renewed only if it is still the one this worker made; otherwise raises ClaimLost
    (the delivery must stop: another worker has the message)."""
    now = now or timezone.now()
    renewed = OutboxMessage.objects.filter(
        id=message.id, status=OutboxStatus.PROCESSING, claimed_at=message.claimed_at
    ).update(claimed_at=now)
    if not renewed:
        raise ClaimLost(f"outbox message {message.id} is no longer claimed by this worker")
    message.claimed_at = now


def outbox_due_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Messages the sweeper should (re)drive: due pending ones and stale claims."""
    now = now or timezone.now()
    return list(
        OutboxMessage.objects.filter(
            Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=OutboxStatus.PROCESSING, claimed_at__lt=now - claim_timeout())
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )


def _finish(
    message: OutboxMessage,
    status: str,
    *,
    now: datetime,
    error: str = "",
    result: dict[str, Any] | None = None,
    attempts: int | None = None,
) -> None:
    # Written out: this runs once per delivered message, and the ORM's UPDATE compilation cost
    # more than the statement.
    connection = connections[router.db_for_write(OutboxMessage)]
    delivered_at = now if status == OutboxStatus.DELIVERED else None
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {OutboxMessage._meta.db_table} SET status = %s, attempts = %s, "  # noqa: S608
            "delivered_at = %s, last_error = %s, result = %s WHERE id = %s",
            [
                status,
                attempts if attempts is not None else message.attempts + 1,
                connection.ops.adapt_datetimefield_value(delivered_at),
                error[:2000],
                json.dumps(result or {}, cls=DjangoJSONEncoder),
                message.id,
            ],
        )
