"""Messages about money taken from the shopper: a dearer exchange's difference charged or
declined, the reminder before an instant exchange's deadline, the charge-back after it, and its
refund when the original arrives late. Each goes through the return's trail and the outbox to a
real SMTP server, in the shopper's language, and is sent once however often its step is re-run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from retorno.core.tests.threads import run_together
from retorno.money.models import Charge, ExchangeOrder
from retorno.money.services import charges as money_charges
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
from retorno.notifications.models import Message
from retorno.returns import services
from retorno.returns.models import Return
from retorno.returns.workflows import charges as charge_flow

pytestmark = pytest.mark.django_db(transaction=True)
NBSP = "\u00a0"
GOLD_INSTANT = {
    "id": "gold-instant",
    "when": {"tier_in": ["gold"]},
    "then": {"instant_exchange": True},
}


def speaks(ret: Return, language: str) -> Return:
    Return.objects.filter(id=ret.id).update(language=language)
    ret.refresh_from_db()
    return ret


def sent(ret: Return, kind: str) -> list[Message]:
    return list(Message.objects.filter(return_id=ret.id, kind=kind).order_by("id"))


def dearer_exchange(store, *, language: str = "es") -> Return:
    old, new = variant_pair(store, stock=5, new_price="25.00")
    order = order_with(store, quantity=2, unit_price="20.00", variant=old)
    ret = open_return(store, order, quantity=2, resolution="exchange", exchange_variant_id=new.id)
    return speaks(ret, language)


def instant_exchange(store, *, language: str = "en", quantity: int = 2) -> Return:
    set_policy_base(store, GOLD_INSTANT, instant_exchange_return_days=14)
    old, new = variant_pair(store, stock=5, new_price="20.00")
    order = order_with(store, quantity=quantity, unit_price="20.00", variant=old, tier="gold")
    ret = open_return(
        store, order, quantity=quantity, resolution="exchange", exchange_variant_id=new.id
    )
    return speaks(ret, language)


def due_by(ret: Return):
    exchange = ExchangeOrder.objects.get(return_id=ret.id)
    assert exchange.return_due_by is not None
    return exchange.return_due_by


# --- a dearer exchange ---------------------------------------------------------------------------


def test_difference_charged_tells_the_spanish_shopper_once(smtp_server, store, provider):
    ret = dearer_exchange(store, language="es")
    receive(store, ret, 2)
    inspect(store, ret, "new")
    resolve(store, ret)

    [ready] = sent(ret, "refunded")  # the resolution: the exchange waits for its difference
    assert ready.language == "es"
    assert ready.subject == f"Tu cambio de la devolución {ret.rma} está listo"
    assert f"10,00{NBSP}€" in ready.body_text
    [charged] = sent(ret, "exchange_charged")
    assert charged.language == "es"
    assert charged.status == "sent"
    assert charged.subject == f"Diferencia de precio pagada para la devolución {ret.rma}"
    assert f"Hemos cobrado 10,00{NBSP}€" in charged.body_text
    [mail] = [m for m in smtp_server.arrivals if m.subject == charged.subject]
    assert f"10,00{NBSP}€" in mail.html

    # Settling the charge again (a re-driven delivery) tells the shopper nothing more.
    assert charge_flow.charge_drive(Charge.objects.get().id) == "skipped"
    assert len(sent(ret, "exchange_charged")) == 1
    assert sent(ret, "exchange_payment_failed") == []


def test_declined_difference_says_the_exchange_waits_each_time_it_is_declined(
    smtp_server, store, provider
):
    provider.charge_refuse = True
    ret = dearer_exchange(store, language="en")
    receive(store, ret, 2)
    inspect(store, ret, "new")
    resolve(store, ret)
    charge = Charge.objects.get()
    assert charge.state == "failed"
    [failed] = sent(ret, "exchange_payment_failed")
    assert failed.subject == f"We couldn't take the payment for your exchange {ret.rma}"
    assert "We tried to charge €10.00" in failed.body_text
    assert "card_declined" not in failed.body_text  # the provider's code is for staff only
    assert ret.events.filter(kind="charge_failed").count() == 1

    # A re-driven delivery of the same refusal records and sends nothing more.
    assert charge_flow.charge_drive(charge.id) == "skipped"
    assert charge_flow.record_charge_failed(charge.id) is False
    assert ret.events.filter(kind="charge_failed").count() == 1
    assert len(sent(ret, "exchange_payment_failed")) == 1

    # Finance retries and it is declined again: a new attempt, a new message.
    money_charges.charge_retry(store=store, charge_id=charge.id, actor=AGENT)
    assert ret.events.filter(kind="charge_failed").count() == 2
    assert len(sent(ret, "exchange_payment_failed")) == 2

    provider.charge_refuse = False
    money_charges.charge_retry(store=store, charge_id=charge.id, actor=AGENT)
    [charged] = sent(ret, "exchange_charged")
    assert "We've charged €10.00" in charged.body_text
    assert len(sent(ret, "exchange_payment_failed")) == 2


# --- an instant exchange: the reminder, the charge-back, the late arrival -----------------------


def test_reminder_a_few_days_before_the_deadline_is_sent_once(smtp_server, store, provider):
    ret = instant_exchange(store, language="es")
    deadline = due_by(ret)

    assert charge_flow.instant_exchange_reminders(now=deadline - timedelta(days=4)) == 0
    when = deadline - timedelta(days=2)
    assert charge_flow.instant_exchange_reminders(now=when) == 1
    [reminder] = sent(ret, "return_due_soon")
    assert reminder.language == "es"
    assert reminder.subject == (f"Recordatorio: envíanos los artículos de la devolución {ret.rma}")
    assert f"40,00{NBSP}€" in reminder.body_text  # what the two kept units would cost
    assert ret.tracking_token in reminder.body_text
    [mail] = [m for m in smtp_server.arrivals if m.subject == reminder.subject]
    assert f"40,00{NBSP}€" in mail.text

    # Hourly runs, a retried task: nothing more.
    for later in (when, when + timedelta(hours=1), deadline - timedelta(minutes=1)):
        assert charge_flow.instant_exchange_reminders(now=later) == 0
    assert len(sent(ret, "return_due_soon")) == 1
    assert ret.events.filter(kind="return_due_soon").count() == 1
    # Past the deadline it is the charge-back's turn, not another reminder.
    assert charge_flow.instant_exchange_reminders(now=deadline + timedelta(hours=1)) == 0


@pytest.mark.parametrize("what", ["scanned", "received"])
def test_no_reminder_once_the_original_travelled_or_arrived(smtp_server, store, provider, what):
    ret = instant_exchange(store)
    if what == "scanned":
        services.return_mark_in_transit(store=store, rma=ret.rma, actor=WAREHOUSE)
    else:
        receive(store, ret, 1)
    assert charge_flow.instant_exchange_reminders(now=due_by(ret) - timedelta(days=1)) == 0
    assert sent(ret, "return_due_soon") == []


def test_two_reminder_jobs_at_once_remind_once(smtp_server, store, provider):
    ret = instant_exchange(store)
    when = due_by(ret) - timedelta(days=1)
    count = 4
    results = run_together(lambda index: charge_flow.instant_exchange_reminders(now=when), count)
    assert sorted(results, key=str) == [0] * (count - 1) + [1], results
    assert len(sent(ret, "return_due_soon")) == 1


def test_the_reminder_job_is_scheduled():
    from django.conf import settings

    from retorno.returns import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["instant-exchange-reminders"]
    assert entry["task"] == tasks.instant_exchange_reminders.name
    assert entry["task"] == "retorno.returns.tasks.instant_exchange_reminders"


def test_charge_back_then_late_arrivals_each_tell_the_shopper(smtp_server, store, provider):
    ret = instant_exchange(store, language="en")
    deadline = due_by(ret)
    charge_flow.instant_exchange_charge_backs(now=deadline + timedelta(seconds=1))
    [back] = sent(ret, "charged_back")
    assert back.subject == f"We've charged you for the items of return {ret.rma}"
    assert "we've charged €40.00" in back.body_text
    assert f"{deadline.day}, {deadline.year}" in back.body_text  # the deadline that passed
    # The job runs again: no second charge, no second message.
    charge_flow.instant_exchange_charge_backs(now=deadline + timedelta(days=1))
    assert len(sent(ret, "charged_back")) == 1

    receive(store, ret, 1)  # one original arrives after all: its part is refunded
    [first] = sent(ret, "charge_refunded")
    assert first.subject == f"We've refunded the charge for return {ret.rma}"
    assert "we've refunded €20.00" in first.body_text
    receive(store, ret, 1)  # and the other: its own refund, its own message
    assert [m.body_text.count("€20.00") > 0 for m in sent(ret, "charge_refunded")] == [True, True]
    # A refund of a charge is not "your refund is on its way" for the return itself.
    assert sent(ret, "refunded") == []
    ret.refresh_from_db()
    charge_flow.charge_back_refund_arrivals(ret, now=timezone.now())
    assert len(sent(ret, "charge_refunded")) == 2


def test_charge_back_in_spanish(smtp_server, store, provider):
    ret = instant_exchange(store, language="es", quantity=1)
    charge_flow.instant_exchange_charge_backs(now=due_by(ret) + timedelta(seconds=1))
    [back] = sent(ret, "charged_back")
    assert back.language == "es"
    assert back.subject == f"Te hemos cobrado los artículos de la devolución {ret.rma}"
    assert f"hemos cobrado 20,00{NBSP}€" in back.body_text
