import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from retorno.core import outbox
from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.outbox import (
    DeliveryInterrupted,
    PermanentFailure,
    claim_timeout,
    outbox_deliver_one,
    outbox_due_ids,
    outbox_enqueue,
    register_handler,
)

calls: list[int] = []


def _ok(message):
    calls.append(message.id)
    return {"sent": True}


def _flaky(message):
    calls.append(message.id)
    raise ConnectionError("smtp down")


def _refused(message):
    raise PermanentFailure("mailbox does not exist")


@pytest.fixture(autouse=True)
def handlers():
    calls.clear()
    register_handler("test.ok", _ok)
    register_handler("test.flaky", _flaky)
    register_handler("test.refused", _refused)


@pytest.mark.django_db(transaction=True)
def test_enqueued_message_is_delivered_once_after_commit():
    with transaction.atomic():
        message = outbox_enqueue(store_id=1, kind="test.ok", dedupe_key="a", payload={"x": 1})
        assert calls == []  # nothing leaves before the transaction commits
    assert calls == [message.id]
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    assert message.result == {"sent": True}
    assert outbox_deliver_one(message.id) == "skipped"
    assert calls == [message.id]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_sends_nothing():
    def enqueue_then_fail() -> None:
        with transaction.atomic():
            outbox_enqueue(store_id=1, kind="test.ok", dedupe_key="b", payload={})
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        enqueue_then_fail()
    assert calls == []
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_same_dedupe_key_enqueues_one_message():
    first = outbox_enqueue(store_id=1, kind="test.ok", dedupe_key="c", payload={})
    second = outbox_enqueue(store_id=1, kind="test.ok", dedupe_key="c", payload={})
    assert first is not None
    assert second is None
    assert OutboxMessage.objects.count() == 1
    assert calls == [first.id]


@pytest.mark.django_db(transaction=True)
def test_failure_is_retried_with_backoff_then_given_up():
    message = outbox_enqueue(store_id=1, kind="test.flaky", dedupe_key="d", payload={})
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert "smtp down" in message.last_error
    # Not due yet: the sweeper leaves it alone.
    assert message.id not in outbox_due_ids()
    later = message.next_attempt_at + timedelta(seconds=1)
    assert message.id in outbox_due_ids(now=later)
    for _ in range(20):
        outbox_deliver_one(message.id, now=later)
        message.refresh_from_db()
        later = message.next_attempt_at + timedelta(seconds=1)
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 8


@pytest.mark.django_db(transaction=True)
def test_permanent_failure_stops_at_once():
    message = outbox_enqueue(store_id=1, kind="test.refused", dedupe_key="e", payload={})
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_stale_claim_of_a_crashed_worker_is_redriven():
    now = timezone.now()
    message = OutboxMessage.objects.create(
        store_id=1,
        kind="test.ok",
        dedupe_key="f",
        payload={},
        status=OutboxStatus.PROCESSING,
        claimed_at=now - timedelta(minutes=1),
        next_attempt_at=now,
    )
    assert outbox_deliver_one(message.id, now=now) == "skipped"  # another worker may still be on it
    assert (
        outbox_deliver_one(message.id, now=now + claim_timeout() + timedelta(minutes=1))
        == "delivered"
    )
    assert calls == [message.id]


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_call_the_handler_once():
    message = OutboxMessage.objects.create(
        store_id=1, kind="test.ok", dedupe_key="g", payload={}, next_attempt_at=timezone.now()
    )
    barrier = threading.Barrier(6)
    outcomes = []

    def worker():
        barrier.wait()
        try:
            outcomes.append(outbox_deliver_one(message.id))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [message.id]
    assert sorted(outcomes).count("delivered") == 1


def test_delivery_threads_carry_their_name_for_the_operating_system():
    """bench/server_cpu.py and `top -H` tell the jobs' CPU from the requests' by this name."""

    def os_name() -> str:
        with open(f"/proc/self/task/{threading.get_native_id()}/comm") as f:
            return f.read().strip()

    assert outbox.delivery_threads().submit(os_name).result(timeout=10) == "retorno-outbox"
    assert os_name() != "retorno-outbox"


def _database_gone(message):
    calls.append(message.id)
    raise OperationalError("terminating connection due to administrator command")


@pytest.mark.django_db(transaction=True)
def test_a_delivery_cut_off_by_the_database_takes_its_own_claim_back():
    """A database restart in the middle of a delivery is not the handler's failure: no attempt
    is counted, and the same delivery (the task's retry, holding its claim) takes the message
    back at once instead of waiting for the claim to go stale; anyone else still cannot."""
    register_handler("test.gone", _database_gone)
    message = outbox_enqueue(store_id=1, kind="test.gone", dedupe_key="gone", payload={})
    message.refresh_from_db()  # delivered in-process at once, and cut off
    assert message.status == OutboxStatus.PROCESSING
    assert message.attempts == 0
    with pytest.raises(DeliveryInterrupted) as interrupted:
        outbox_deliver_one(message.id, own_claim=message.claimed_at)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PROCESSING
    assert message.attempts == 0
    assert interrupted.value.claimed_at == message.claimed_at

    register_handler("test.gone", _ok)
    assert outbox_deliver_one(message.id) == "skipped"  # a fresh claim is not anyone's
    assert outbox_deliver_one(message.id, own_claim=interrupted.value.claimed_at) == (
        OutboxStatus.DELIVERED
    )
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    assert message.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_publish_to_the_broker_leaves_the_message_to_the_sweeper(settings, monkeypatch):
    """With a broker, a publish that fails after commit (the broker restarting) is logged, not
    raised into the request that committed; the row stays pending for the sweeper."""
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(outbox.outbox_deliver, "apply_async", broker_down)
    with transaction.atomic():
        message = outbox_enqueue(store_id=1, kind="test.ok", dedupe_key="nobroker", payload={})
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert outbox_due_ids() == [message.id]
