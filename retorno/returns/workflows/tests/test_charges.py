"""Charging the shopper: a dearer exchange's difference (the exchange ships once it is paid) and
instant exchanges whose original never came back. Taken at most once, whatever retries, outages
and crashes happen between the payment call and the commit; refunded once if the item arrives."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from retorno.core.errors import Conflict, Unprocessable
from retorno.core.models import OutboxMessage
from retorno.core.tests.threads import run_together
from retorno.integrations.payments.testing import SimulatedCrash
from retorno.money import selectors
from retorno.money.models import Charge, ExchangeOrder, MoneySettings, Refund
from retorno.money.services import charges as money_charges
from retorno.money.services import exchanges as money_exchanges
from retorno.money.tests.conftest import (
    AGENT,
    WAREHOUSE,
    inspect,
    open_return,
    order_with,
    receive,
    resolve,
    set_policy_base,
    variant_pair,
)
from retorno.returns import services
from retorno.returns.models import Return
from retorno.returns.workflows import charges as charge_flow
from retorno.returns.workflows import exchanges as exchange_flow

pytestmark = pytest.mark.django_db(transaction=True)

GOLD_INSTANT = {
    "id": "gold-instant",
    "when": {"tier_in": ["gold"]},
    "then": {"instant_exchange": True},
}


def later(minutes: int = 6):
    return timezone.now() + timedelta(minutes=minutes)


def kinds(return_request: Return) -> list[str]:
    return list(return_request.events.order_by("id").values_list("kind", flat=True))


def emitted() -> int:
    return OutboxMessage.objects.filter(kind="exchange_order.created").count()


def dearer_exchange(store, *, quantity: int = 2, new_price: str = "25.00") -> Return:
    old, new = variant_pair(store, stock=5, new_price=new_price)
    order = order_with(store, quantity=quantity, unit_price="20.00", variant=old)
    return open_return(
        store, order, quantity=quantity, resolution="exchange", exchange_variant_id=new.id
    )


def bring_back_and_resolve(store, ret: Return, units: int) -> None:
    receive(store, ret, units)
    inspect(store, ret, "new")
    resolve(store, ret)


# --- a dearer exchange ---------------------------------------------------------------------------


def test_dearer_exchange_is_charged_once_then_ships(store, provider):
    ret = dearer_exchange(store)
    exchange = ExchangeOrder.objects.get()
    assert (exchange.difference_direction, exchange.difference_amount) == (
        "customer_pays",
        Decimal("10.00"),
    )
    assert not Charge.objects.exists()  # nothing is taken before the exchange is released

    bring_back_and_resolve(store, ret, 2)
    charge = Charge.objects.get()
    assert (charge.kind, charge.amount, charge.state) == (
        "exchange_difference",
        Decimal("10.00"),
        "succeeded",
    )
    assert charge.idempotency_key == f"retorno-charge-{exchange.id}-difference"
    assert provider.charge_calls == [charge.idempotency_key]
    assert provider.total_charged == Decimal("10.00")
    exchange.refresh_from_db()
    assert exchange.state == "released"
    assert emitted() == 1
    assert {"charge_issued", "charged"} <= set(kinds(ret))
    assert not Refund.objects.exists()

    # Releasing again, or recording the charge again, takes nothing more.
    money_exchanges.exchange_release(exchange, now=timezone.now())
    again = money_charges.charge_record(
        exchange=exchange,
        kind="exchange_difference",
        amount=Decimal("10.00"),
        actor=AGENT,
        now=timezone.now(),
    )
    assert again.id == charge.id
    assert Charge.objects.count() == 1
    assert provider.total_charged == Decimal("10.00")


def test_fewer_units_back_lower_the_difference(store, provider):
    ret = dearer_exchange(store, quantity=3)
    bring_back_and_resolve(store, ret, 2)
    assert Charge.objects.get().amount == Decimal("10.00")  # 2 × 5, not 3 × 5
    assert ExchangeOrder.objects.get().difference_amount == Decimal("10.00")


def test_a_declined_charge_holds_the_exchange_until_a_retry_succeeds(store, provider):
    provider.charge_refuse = True
    ret = dearer_exchange(store)
    bring_back_and_resolve(store, ret, 2)
    charge = Charge.objects.get()
    assert (charge.state, charge.last_error) == ("failed", "card_declined")
    exchange = ExchangeOrder.objects.get()
    assert exchange.state == "awaiting_payment"
    assert emitted() == 0  # it does not ship for free
    new_stock = exchange.lines.get().variant
    new_stock.refresh_from_db()
    assert new_stock.stock == 3  # still reserved for this shopper

    provider.charge_refuse = False
    money_charges.charge_retry(store=store, charge_id=charge.id, actor=AGENT)
    charge.refresh_from_db()
    assert charge.state == "succeeded"
    assert charge.attempt == 2
    assert charge.idempotency_key.endswith("-difference-a2")
    assert provider.total_charged == Decimal("10.00")
    exchange.refresh_from_db()
    assert exchange.state == "released"
    assert emitted() == 1
    with pytest.raises(Conflict) as caught:
        money_charges.charge_retry(store=store, charge_id=charge.id, actor=AGENT)
    assert caught.value.code == "already_charged"


def test_staff_may_release_a_held_exchange_with_a_note(store, provider):
    provider.charge_refuse = True
    ret = dearer_exchange(store)
    bring_back_and_resolve(store, ret, 2)
    exchange = ExchangeOrder.objects.get()
    with pytest.raises(Unprocessable) as caught:
        exchange_flow.exchange_release_unpaid(
            store=store, exchange_id=exchange.id, note=" ", actor=AGENT
        )
    assert caught.value.code == "note_required"
    assert ExchangeOrder.objects.get().state == "awaiting_payment"

    exchange_flow.exchange_release_unpaid(
        store=store, exchange_id=exchange.id, note="Loyal customer; goodwill.", actor=AGENT
    )
    exchange.refresh_from_db()
    assert (exchange.state, exchange.release_note) == ("released", "Loyal customer; goodwill.")
    assert emitted() == 1
    assert ret.events.get(kind="exchange_released_unpaid").note == "Loyal customer; goodwill."
    with pytest.raises(Conflict):
        exchange_flow.exchange_release_unpaid(
            store=store, exchange_id=exchange.id, note="again", actor=AGENT
        )
    # A later successful retry takes the money but ships nothing twice.
    provider.charge_refuse = False
    money_charges.charge_retry(store=store, charge_id=Charge.objects.get().id, actor=AGENT)
    assert Charge.objects.get().state == "succeeded"
    assert emitted() == 1


def test_manual_adapter_holds_the_exchange_until_finance_marks_it_paid(store):
    MoneySettings.objects.update_or_create(store=store, defaults={"payment_adapter": "manual"})
    ret = dearer_exchange(store)
    bring_back_and_resolve(store, ret, 2)
    charge = Charge.objects.get()
    assert (charge.state, charge.awaiting_manual, charge.provider) == ("pending", True, "manual")
    assert ExchangeOrder.objects.get().state == "awaiting_payment"
    charge_flow.charge_mark_paid(store=store, charge_id=charge.id, reference="POS-9", actor=AGENT)
    charge.refresh_from_db()
    assert (charge.state, charge.provider_reference) == ("succeeded", "POS-9")
    assert ExchangeOrder.objects.get().state == "released"
    assert emitted() == 1
    assert ret.events.filter(kind="charged").count() == 1
    with pytest.raises(Conflict):
        charge_flow.charge_mark_paid(store=store, charge_id=charge.id, reference="X", actor=AGENT)


def test_crash_after_charging_then_redrive_never_charges_twice(store, provider):
    provider.crash_after_charging = True
    ret = dearer_exchange(store)
    receive(store, ret, 2)
    inspect(store, ret, "new")
    with pytest.raises(SimulatedCrash):
        resolve(store, ret)  # charged, then "the process died" before recording it
    charge = Charge.objects.get()
    assert charge.state == "pending"  # committed before the call, key and all
    assert provider.total_charged == Decimal("10.00")
    assert ExchangeOrder.objects.get().state == "awaiting_payment"
    key = charge.idempotency_key

    assert charge_flow.charge_drive(charge.id) == "skipped"  # the dead call's lease still holds
    assert charge_flow.charge_drive(charge.id, now=later()) == "succeeded"
    charge.refresh_from_db()
    assert charge.idempotency_key == key
    assert provider.charge_calls == [key, key]
    assert provider.total_charged == Decimal("10.00")
    assert ExchangeOrder.objects.get().state == "released"
    assert emitted() == 1
    assert ret.events.filter(kind="charged").count() == 1
    assert charge_flow.charge_drive(charge.id, now=later(60)) == "skipped"


def test_outage_leaves_it_pending_and_the_outbox_redrives_with_the_same_key(store, provider):
    from retorno.core.outbox import outbox_deliver_one

    provider.charge_unavailable = True
    ret = dearer_exchange(store)
    bring_back_and_resolve(store, ret, 2)
    charge = Charge.objects.get()
    assert charge.state == "pending"
    assert "timed out" in charge.last_error
    message = OutboxMessage.objects.get(kind="charge.send")
    provider.charge_unavailable = False
    assert outbox_deliver_one(message.id, now=later(60)) == "delivered"
    charge.refresh_from_db()
    assert charge.state == "succeeded"
    assert provider.charge_calls == [charge.idempotency_key] * 2
    assert provider.total_charged == Decimal("10.00")


def test_two_workers_redriving_one_charge_take_it_once(store, provider):
    provider.charge_unavailable = True
    ret = dearer_exchange(store)
    bring_back_and_resolve(store, ret, 2)
    charge = Charge.objects.get()
    provider.charge_unavailable = False

    count = 6
    results = run_together(lambda index: charge_flow.charge_drive(charge.id, now=later()), count)
    assert list(map(str, results)).count("succeeded") == 1, results
    assert set(map(str, results)) <= {"succeeded", "skipped"}
    assert provider.total_charged == Decimal("10.00")
    assert len(provider.charges) == 1
    assert ExchangeOrder.objects.get().state == "released"
    assert emitted() == 1
    assert ret.events.filter(kind="charged").count() == 1


def test_dearer_instant_exchange_ships_only_once_paid(store, provider):
    set_policy_base(store, GOLD_INSTANT)
    old, new = variant_pair(store, stock=5, new_price="25.00")
    order = order_with(store, quantity=1, unit_price="20.00", variant=old, tier="gold")
    open_return(store, order, quantity=1, resolution="exchange", exchange_variant_id=new.id)
    exchange = ExchangeOrder.objects.get()
    assert exchange.instant
    assert Charge.objects.get().amount == Decimal("5.00")
    assert exchange.state == "released"
    assert emitted() == 1


@pytest.mark.parametrize("outcome", ["declined", "taken later"])
def test_a_return_cancelled_while_its_exchange_waits_for_payment(store, provider, outcome):
    provider.charge_refuse = outcome == "declined"
    provider.charge_pending = outcome == "taken later"
    set_policy_base(store, GOLD_INSTANT)
    old, new = variant_pair(store, stock=5, new_price="25.00")
    order = order_with(store, quantity=1, unit_price="20.00", variant=old, tier="gold")
    ret = open_return(store, order, quantity=1, resolution="exchange", exchange_variant_id=new.id)
    exchange = ExchangeOrder.objects.get()
    assert exchange.state == "awaiting_payment"

    services.return_cancel(store=store, rma=ret.rma, actor=AGENT, note="changed my mind")
    new.refresh_from_db()
    exchange.refresh_from_db()
    assert (new.stock, exchange.state) == (5, "cancelled")  # the stock is back
    charge = Charge.objects.get()
    if outcome == "taken later":
        provider.charge_pending = False
        money_charges.charge_send(charge.id, now=later())  # the provider took it after all
        charge.refresh_from_db()
        assert charge.state == "succeeded"
        refund = Refund.objects.get(charge=charge)  # and it is given back, once
        assert (refund.kind, refund.amount) == ("charge_refund", Decimal("5.00"))
        money_charges.charge_send(charge.id, now=later(20))
        assert Refund.objects.filter(charge=charge).count() == 1
    else:
        assert not Refund.objects.exists()
    exchange.refresh_from_db()
    assert exchange.state == "cancelled"
    assert emitted() == 0


# --- instant exchanges whose original never comes back -------------------------------------------


def instant_exchange(store, *, quantity: int = 2, new_price: str = "20.00", **policy) -> Return:
    set_policy_base(store, GOLD_INSTANT, **policy)
    old, new = variant_pair(store, stock=5, new_price=new_price)
    order = order_with(store, quantity=quantity, unit_price="20.00", variant=old, tier="gold")
    return open_return(
        store, order, quantity=quantity, resolution="exchange", exchange_variant_id=new.id
    )


def past_due(exchange: ExchangeOrder):
    assert exchange.return_due_by is not None
    return exchange.return_due_by + timedelta(seconds=1)


def test_the_deadline_comes_from_the_policy_decision(store, provider):
    ret = instant_exchange(store, instant_exchange_return_days=14)
    exchange = ExchangeOrder.objects.get()
    assert ret.decision.get("instant_exchange_return_days") == 14
    assert exchange.return_due_by == exchange.created_at + timedelta(days=14)


def test_the_deadline_falls_back_to_thirty_days(store, provider):
    ret = instant_exchange(store)
    Return.objects.filter(id=ret.id).update(decision={**ret.decision, "lines": []})
    decision = dict(ret.decision)
    decision.pop("instant_exchange_return_days", None)
    Return.objects.filter(id=ret.id).update(decision=decision)
    ExchangeOrder.objects.all().delete()
    ret.refresh_from_db()
    now = timezone.now()
    exchange = exchange_flow.exchange_reserve_for_return(ret, now=now)
    assert exchange.return_due_by == now + timedelta(days=30)


def test_overdue_instant_exchange_is_charged_back_once(store, provider):
    ret = instant_exchange(store)
    exchange = ExchangeOrder.objects.get()
    assert (exchange.instant, exchange.state) == (True, "released")

    assert charge_flow.instant_exchange_charge_backs(now=exchange.return_due_by) == 0  # not yet
    when = past_due(exchange)
    assert charge_flow.instant_exchange_charge_backs(now=when) == 1
    charge = Charge.objects.get()
    assert (charge.kind, charge.amount, charge.state) == (
        "unreturned_item",
        Decimal("40.00"),
        "succeeded",
    )
    assert charge.idempotency_key == f"retorno-charge-{exchange.id}-unreturned"
    assert provider.total_charged == Decimal("40.00")
    assert {"charge_back_issued", "charged"} <= set(kinds(ret))
    # The job runs again (and again): nothing more is charged.
    assert charge_flow.instant_exchange_charge_backs(now=when + timedelta(hours=1)) == 0
    assert charge_flow.instant_exchange_charge_backs(now=when + timedelta(days=9)) == 0
    assert Charge.objects.count() == 1
    assert provider.charge_calls == [charge.idempotency_key]


def test_a_dearer_instant_exchange_is_charged_back_less_the_difference_paid(store, provider):
    instant_exchange(store, quantity=1, new_price="25.00")
    exchange = ExchangeOrder.objects.get()
    charge_flow.instant_exchange_charge_backs(now=past_due(exchange))
    back = Charge.objects.get(kind="unreturned_item")
    assert back.amount == Decimal("20.00")  # 25.00 less the 5.00 difference already taken
    assert provider.total_charged == Decimal("25.00")


@pytest.mark.parametrize("what", ["scanned", "received"])
def test_not_charged_when_the_original_was_scanned_or_received(store, provider, what):
    ret = instant_exchange(store)
    exchange = ExchangeOrder.objects.get()
    if what == "scanned":
        services.return_mark_in_transit(store=store, rma=ret.rma, actor=WAREHOUSE)
    else:
        receive(store, ret, 1)
    assert charge_flow.instant_exchange_charge_backs(now=past_due(exchange)) == 0
    assert not Charge.objects.exists()
    assert provider.charge_calls == []


def test_not_charged_before_an_awaiting_payment_exchange_ships(store, provider):
    provider.charge_refuse = True
    instant_exchange(store, quantity=1, new_price="25.00")
    exchange = ExchangeOrder.objects.get()
    assert exchange.state == "awaiting_payment"
    assert charge_flow.instant_exchange_charge_backs(now=past_due(exchange)) == 0
    assert Charge.objects.count() == 1  # only the declined difference


def test_an_instant_exchange_resolved_with_an_original_missing_charges_it_once(store, provider):
    ret = instant_exchange(store)  # two new items sent at approval
    bring_back_and_resolve(store, ret, 1)  # one original came back
    charge = Charge.objects.get()
    assert (charge.kind, charge.amount, charge.state) == (
        "unreturned_item",
        Decimal("20.00"),
        "succeeded",
    )
    assert {"charge_back_issued", "charged"} <= set(kinds(ret))
    exchange = ExchangeOrder.objects.get()
    assert charge_flow.instant_exchange_charge_backs(now=past_due(exchange)) == 0
    assert Charge.objects.count() == 1
    assert provider.total_charged == Decimal("20.00")


def test_an_instant_exchange_resolved_with_everything_back_charges_nothing(store, provider):
    ret = instant_exchange(store)
    bring_back_and_resolve(store, ret, 2)
    assert not Charge.objects.exists()
    assert provider.charge_calls == []


def test_a_late_arrival_refunds_the_charge_back_once(store, provider):
    ret = instant_exchange(store)
    exchange = ExchangeOrder.objects.get()
    charge_flow.instant_exchange_charge_backs(now=past_due(exchange))
    charge = Charge.objects.get()
    assert charge.state == "succeeded"

    receive(store, ret, 1)  # one original arrives after all
    refund = Refund.objects.get()
    assert (refund.kind, refund.amount, refund.state, refund.charge_id) == (
        "charge_refund",
        Decimal("20.00"),
        "succeeded",
        charge.id,
    )
    receive(store, ret, 1)  # and the other
    refunds = Refund.objects.order_by("id")
    assert [r.amount for r in refunds] == [Decimal("20.00"), Decimal("20.00")]
    assert provider.total_paid == provider.total_charged == Decimal("40.00")
    assert ret.events.filter(kind="refunded").count() == 2
    # Going over the arrivals again gives nothing more back.
    ret.refresh_from_db()
    charge_flow.charge_back_refund_arrivals(ret, now=timezone.now())
    assert Refund.objects.count() == 2
    # The order's own refund cap ignores refunds of a charge.
    assert selectors.refunded_total(ret.order) == Decimal("0")


def test_an_arrival_while_the_charge_back_is_pending_is_refunded_once_it_is_taken(store):
    MoneySettings.objects.update_or_create(store=store, defaults={"payment_adapter": "manual"})
    ret = instant_exchange(store)
    exchange = ExchangeOrder.objects.get()
    charge_flow.instant_exchange_charge_backs(now=past_due(exchange))
    charge = Charge.objects.get()
    assert (charge.state, charge.awaiting_manual) == ("pending", True)
    receive(store, ret, 2)
    assert not Refund.objects.exists()  # nothing was taken yet, nothing to give back
    charge_flow.charge_mark_paid(store=store, charge_id=charge.id, reference="POS-1", actor=AGENT)
    refund = Refund.objects.get()
    assert (refund.kind, refund.amount) == ("charge_refund", Decimal("40.00"))
    ret.refresh_from_db()
    charge_flow.charge_back_refund_arrivals(ret, now=timezone.now())
    assert Refund.objects.count() == 1


def test_two_jobs_at_once_charge_back_once(store, provider):
    instant_exchange(store)
    when = past_due(ExchangeOrder.objects.get())
    count = 4
    results = run_together(lambda index: charge_flow.instant_exchange_charge_backs(now=when), count)
    assert sorted(results, key=str) == [0] * (count - 1) + [1], results
    assert Charge.objects.count() == 1
    assert provider.total_charged == Decimal("40.00")


def test_two_arrivals_at_once_refund_the_charge_back_once(store, provider):
    ret = instant_exchange(store, quantity=1)
    charge_flow.instant_exchange_charge_backs(now=past_due(ExchangeOrder.objects.get()))
    results = run_together(lambda _: receive(store, ret, 1), 4)
    # A concurrent receipt may be refused as over-received.
    errors = [getattr(r, "code", repr(r)) for r in results if isinstance(r, Exception)]
    assert set(map(str, errors)) <= {"over_received"}, errors
    assert [r.amount for r in Refund.objects.all()] == [Decimal("20.00")]
    assert provider.total_paid == Decimal("20.00")


def test_the_periodic_job_is_scheduled():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["instant-exchange-charge-backs"]
    assert entry["task"] == "retorno.returns.tasks.instant_exchange_charge_backs"
    from retorno.returns import tasks

    assert tasks.instant_exchange_charge_backs.name == entry["task"]
