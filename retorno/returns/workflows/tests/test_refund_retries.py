"""A refund is paid at most once: retries, outages, a crash between the payment and the commit,
and several workers re-driving the same refund at once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from retorno.core.errors import Conflict
from retorno.core.models import OutboxMessage
from retorno.core.outbox import outbox_deliver_one
from retorno.core.tests.threads import run_together
from retorno.integrations.payments.testing import SimulatedCrash
from retorno.money.models import MoneySettings, Refund
from retorno.money.tests.conftest import AGENT, open_return, order_with, receive
from retorno.returns.workflows import refunds as refund_flow

pytestmark = pytest.mark.django_db(transaction=True)


def later(minutes: int = 6):
    return timezone.now() + timedelta(minutes=minutes)


def test_crash_after_paying_then_redrive_never_pays_twice(store, provider):
    provider.crash_after_paying = True
    order = order_with(store, quantity=1, unit_price="20.00")
    ret = open_return(store, order, quantity=1)
    with pytest.raises(SimulatedCrash):
        receive(store, ret, 1)  # paid, then "the process died" before recording it
    refund = Refund.objects.get()
    assert refund.state == "pending"  # committed before the call, key and all
    assert provider.total_paid == Decimal("15.00")
    key = refund.idempotency_key

    # Too early: the call may still be in flight, nobody else may send it.
    assert refund_flow.refund_drive(refund.id) == "skipped"
    # After the lease, the re-drive sends the same key; the provider answers the same refund.
    assert refund_flow.refund_drive(refund.id, now=later()) == "succeeded"
    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert refund.idempotency_key == key
    assert provider.calls == [key, key]
    assert provider.total_paid == Decimal("15.00")
    assert ret.events.filter(kind="refunded").count() == 1
    # And once succeeded, nothing sends it again.
    assert refund_flow.refund_drive(refund.id, now=later(60)) == "skipped"
    assert provider.calls == [key, key]


def test_outage_leaves_it_pending_and_the_outbox_redrives_with_the_same_key(store, provider):
    provider.unavailable = True
    order = order_with(store, quantity=1, unit_price="20.00")
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    refund = Refund.objects.get()
    assert refund.state == "pending"
    assert "timed out" in refund.last_error
    message = OutboxMessage.objects.get(kind="refund.send")
    assert message.status == "pending"
    assert message.attempts == 1

    provider.unavailable = False
    assert outbox_deliver_one(message.id, now=later(60)) == "delivered"
    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert provider.calls == [refund.idempotency_key] * 2
    assert provider.total_paid == Decimal("15.00")


def test_a_refusal_fails_and_a_finance_retry_uses_a_new_key(store, provider):
    provider.refuse = True
    order = order_with(store, quantity=1, unit_price="20.00")
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    refund = Refund.objects.get()
    assert refund.state == "failed"
    first_key = refund.idempotency_key

    provider.refuse = False
    from retorno.money.services.refunds import refund_retry as refunding_retry

    refunding_retry(store=store, refund_id=refund.id, actor=AGENT)
    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert refund.attempt == 2
    assert refund.idempotency_key == f"{first_key}-a2"
    assert provider.calls == [first_key, f"{first_key}-a2"]
    assert provider.total_paid == Decimal("15.00")
    with pytest.raises(Conflict) as caught:
        refunding_retry(store=store, refund_id=refund.id, actor=AGENT)
    assert caught.value.code == "already_refunded"
    assert Refund.objects.count() == 1


def test_manual_adapter_waits_for_finance(store):
    MoneySettings.objects.update_or_create(store=store, defaults={"payment_adapter": "manual"})
    order = order_with(store, quantity=1, unit_price="20.00")
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    refund = Refund.objects.get()
    assert (refund.state, refund.awaiting_manual) == ("pending", True)
    refund_flow.refund_mark_paid(store=store, refund_id=refund.id, reference="BANK-42", actor=AGENT)
    refund.refresh_from_db()
    assert (refund.state, refund.provider_reference) == ("succeeded", "BANK-42")
    assert ret.events.filter(kind="refunded").count() == 1
    with pytest.raises(Conflict):
        refund_flow.refund_mark_paid(store=store, refund_id=refund.id, reference="X", actor=AGENT)


def test_two_workers_redriving_one_refund_pay_once(store, provider):
    provider.unavailable = True
    order = order_with(store, quantity=1, unit_price="20.00")
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    refund = Refund.objects.get()
    assert refund.state == "pending"
    provider.unavailable = False

    count = 6
    results = run_together(lambda index: refund_flow.refund_drive(refund.id, now=later()), count)
    assert sorted(map(str, results)).count("succeeded") == 1, results
    assert set(map(str, results)) <= {"succeeded", "skipped"}
    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert provider.total_paid == Decimal("15.00")
    assert len(provider.payments) == 1
    assert ret.events.filter(kind="refunded").count() == 1


def test_two_finance_retries_at_once_send_one_new_key(store, provider):
    provider.refuse = True
    order = order_with(store, quantity=1, unit_price="20.00")
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    refund = Refund.objects.get()
    assert refund.state == "failed"
    provider.refuse = False
    from retorno.money.services.refunds import refund_retry

    results = run_together(lambda _: refund_retry(store=store, refund_id=refund.id, actor=AGENT), 4)
    outcomes = [
        r.code if isinstance(r, Conflict) else repr(r) if isinstance(r, Exception) else "ok"
        for r in results
    ]
    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert provider.total_paid == Decimal("15.00")
    assert len(provider.payments) == 1
    assert set(outcomes) <= {"ok", "already_refunded", "refund_in_flight"}, outcomes


def test_crash_then_the_outbox_sweeper_finishes_it(store, provider):
    provider.crash_after_paying = True
    order = order_with(store, quantity=1, unit_price="20.00")
    ret = open_return(store, order, quantity=1)
    with pytest.raises(SimulatedCrash):
        receive(store, ret, 1)
    message = OutboxMessage.objects.get(kind="refund.send")
    assert message.status == "processing"  # claimed by the worker that died
    # The sweeper re-claims it; the dead call's lease still holds: retried later, not dropped.
    assert outbox_deliver_one(message.id, now=later()) == "pending"
    Refund.objects.update(in_flight_until=timezone.now() - timedelta(seconds=1))  # lease over
    assert outbox_deliver_one(message.id, now=later(120)) == "delivered"
    refund = Refund.objects.get()
    assert refund.state == "succeeded"
    assert provider.total_paid == Decimal("15.00")
    assert provider.calls == [refund.idempotency_key] * 2
    assert ret.events.filter(kind="refunded").count() == 1


def test_concurrent_refunds_of_one_order_never_exceed_what_was_paid(store, provider):
    from retorno.domain.errors import DomainError

    order = order_with(store, quantity=2, unit_price="20.00")
    ret = open_return(store, order, quantity=2)
    receive(store, ret, 2)  # 40 − 5 fee = 35 refunded; 5 left on the order
    count = 5
    results = run_together(
        lambda _: refund_flow.refund_execute(store=store, rma=ret.rma, actor=AGENT, amount="5.00"),
        count,
    )
    outcomes = [
        r.code if isinstance(r, DomainError) else repr(r) if isinstance(r, Exception) else "ok"
        for r in results
    ]
    assert sorted(outcomes) == ["exceeds_refundable"] * (count - 1) + ["ok"], outcomes
    assert sum(r.amount for r in Refund.objects.all()) == Decimal("40.00")
    assert provider.total_paid == Decimal("40.00")
