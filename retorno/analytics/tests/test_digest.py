"""The weekly digest end to end: its figures for a week of real returns, queued once per store
and week on the store's Monday however often the job runs, delivered once per recipient through
a real SMTP server on 127.0.0.1 even when the first attempt fails, skipped for those who opted
out, in the store's language."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from retorno.accounts.services import membership_grant
from retorno.analytics import digest, supplier_alerts
from retorno.analytics.models import DigestRun, SupplierAlert
from retorno.analytics.tests.factories import give_back, receive_and_grade, sale
from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.outbox import outbox_deliver_one, outbox_due_ids
from retorno.domain.analytics.digest import DigestWeek
from retorno.domain.days import local_day, zone

pytestmark = pytest.mark.django_db


def this_week(store) -> DigestWeek:
    today = local_day(timezone.now(), store.timezone)
    return DigestWeek(today - timedelta(days=today.weekday()))


def local_time(store, day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), zone(store.timezone))


@pytest.fixture
def history(store):
    """This week: 12 of 40 jeans back too small, 2 of 40 Volt chargers back defective and
    confirmed damaged; staff: an admin, two analysts (one opted out), an agent."""
    store.timezone = "America/Mexico_City"
    store.save()
    # Sold and delivered a moment ago, so sales and returns fall in the same week.
    just = {"placed_days_ago": 0.002, "delivered_days_ago": 0.001}
    jeans = sale(store, quantity=40, sku="J-M", title="Jeans", product_id="jeans", size="M", **just)
    for _ in range(4):
        give_back(store, jeans, quantity=3, reason="too_small")
    charger = sale(store, quantity=40, sku="CHG", title="Charger", vendor="Volt", **just)
    receive_and_grade(store, give_back(store, charger, quantity=2, reason="defective"), "D")
    users = {
        role: membership_grant(
            store=store,
            username=role,
            email=f"{role}@shop.test",
            role=role.rstrip("2"),
            password="x" * 12,
        ).user
        for role in ("admin", "analyst", "analyst2", "agent")
    }
    digest.digest_subscription_set(
        store=store, user_id=users["analyst2"].pk, receive=False, now=timezone.now()
    )
    return users


def test_the_digest_figures_of_a_week(store, history):
    figures = digest.weekly_digest(store=store, week=this_week(store), now=timezone.now())
    current = figures.overview.current
    assert (current.units_sold, current.units_returned, current.returns) == (80, 14, 5)
    assert current.rate_units.value == Decimal("0.175")
    assert [(r.reason, r.units) for r in figures.top_reasons] == [
        ("too_small", 12),
        ("defective", 2),
    ]
    assert [row.key for row in figures.top_products] == ["jeans", "Charger"]
    assert [(a.code, a.subject) for a in figures.anomalies] == [("supplier_over_threshold", "Volt")]
    subject, text, html = digest.digest_email(figures, "en")
    assert subject == f"Shop: returns in the week of {figures.week.start.isoformat()}"
    assert "Return rate (units): 17.5%" in text
    assert "Volt is over its confirmed defect rate threshold: 5.0%." in text
    assert "- Too small: 12 · not enough data" in text  # 14 units returned: no share
    assert 'id="digest-headline"' in html


def deliver(now):
    for message_id in outbox_due_ids(now=now):
        outbox_deliver_one(message_id, now=now)


def digests(server):
    return [
        m for m in server.arrivals if "returns in the week" in m.subject or "semana" in m.subject
    ]


def test_sent_once_per_store_and_week_on_its_own_monday(store, history, smtp):
    store.default_language = "es"
    store.save()
    week = this_week(store)
    monday = week.start + timedelta(days=7)
    # Sunday night in Mexico City is already Monday in UTC: not due yet.
    assert (
        digest.weekly_digest_queue(
            store=store, now=local_time(store, monday, 0, 30) - timedelta(hours=1)
        )
        is None
    )
    assert digest.weekly_digest_queue(store=store, now=local_time(store, monday, 5, 59)) is None
    first = local_time(store, monday, 6, 0)
    run = digest.weekly_digest_queue(store=store, now=first)
    assert (run.week_start, run.recipients) == (week.start, 2)
    # The hourly job on the same Monday, a retry of it, the whole job: nothing more is queued.
    assert digest.weekly_digest_queue(store=store, now=first) is None
    assert digest.weekly_digest_queue(store=store, now=first + timedelta(hours=5)) is None
    assert digest.weekly_digests_send(now=first + timedelta(hours=6)) == 0
    assert DigestRun.objects.count() == 1
    queued = OutboxMessage.objects.filter(kind=digest.DIGEST_KIND)
    assert queued.count() == 2
    # The SMTP server is down at the first attempt: nothing arrives, the outbox will retry.
    deliver(first)
    assert set(queued.values_list("status", flat=True)) == {OutboxStatus.PENDING}
    smtp.start()
    later = first + timedelta(hours=1)
    deliver(later)
    deliver(later + timedelta(hours=1))  # the sweeper passes again: nothing is sent twice
    mails = digests(smtp)
    assert sorted(to for m in mails for to in m.rcpt_tos) == [
        "admin@shop.test",
        "analyst@shop.test",
    ]
    mail = mails[0]
    assert mail.subject == f"Shop: devoluciones de la semana del {week.start.isoformat()}"
    assert "Tasa de devolución (unidades): 17,5\u00a0%" in mail.text
    assert "Demasiado pequeño" in mail.text
    assert "Volt supera su umbral de tasa de defectos confirmados" in mail.html
    assert mail.message["Message-ID"].startswith(f"<retorno.digest.{store.pk}.{week.start}.")
    # The next Monday brings the next week's digest.
    assert digest.weekly_digest_queue(store=store, now=first + timedelta(days=7)).week_start == (
        monday
    )


def test_a_monday_missed_sends_the_digest_when_the_job_runs_again(store, history, smtp_server):
    """The server was down all Monday: Wednesday's first run queues the week's digest, later
    runs queue nothing more, each person gets it once; the next Monday brings the next week's."""
    week = this_week(store)
    wednesday = local_time(store, week.start + timedelta(days=9), 10)
    assert digest.weekly_digests_send(now=wednesday) == 1
    assert digest.weekly_digests_send(now=wednesday + timedelta(hours=1)) == 0
    assert digest.weekly_digest_queue(store=store, now=wednesday + timedelta(days=4)) is None
    assert list(DigestRun.objects.values_list("week_start", flat=True)) == [week.start]
    deliver(wednesday)
    deliver(wednesday + timedelta(hours=1))
    assert sorted(to for m in digests(smtp_server) for to in m.rcpt_tos) == [
        "admin@shop.test",
        "analyst@shop.test",
    ]
    next_monday = local_time(store, week.start + timedelta(days=14), 6)
    assert digest.weekly_digests_send(now=next_monday) == 1
    assert DigestRun.objects.filter(week_start=week.start + timedelta(days=7)).exists()


def test_no_digest_of_a_week_that_ended_before_the_store_existed(store, history):
    # The store was created this week: no earlier week's digest is due, any day of this week.
    week = this_week(store)
    today = local_day(timezone.now(), store.timezone)
    for day in range((today - week.start).days, 7):
        noon = local_time(store, week.start + timedelta(days=day), 12)
        assert digest.weekly_digest_queue(store=store, now=noon) is None
    assert digest.weekly_digests_send(now=local_time(store, week.end, 23)) == 0
    assert not DigestRun.objects.exists()


def test_a_staff_member_who_opts_out_after_queueing_gets_nothing(store, history, smtp_server):
    week = this_week(store)
    first = local_time(store, week.start + timedelta(days=7), 9)
    digest.weekly_digest_queue(store=store, now=first)
    digest.digest_subscription_set(
        store=store, user_id=history["analyst"].pk, receive=False, now=first
    )
    deliver(first)
    assert [m.rcpt_tos for m in digests(smtp_server)] == [["admin@shop.test"]]


@pytest.mark.django_db(transaction=True)
def test_jobs_running_at_once_queue_one_digest_and_one_alert(store, history, smtp_server):
    """Six workers run the hourly jobs at the same moment of the store's Monday: one digest run,
    one message per recipient, one supplier alert, and one e-mail each once delivered."""
    first = local_time(store, this_week(store).start + timedelta(days=7), 8)
    barrier = threading.Barrier(6)
    errors = []

    def worker(n: int) -> None:
        barrier.wait()
        try:
            if n % 2:
                digest.weekly_digests_send(now=first)
            else:
                supplier_alerts.supplier_alerts_check_all(now=first)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert DigestRun.objects.count() == 1
    assert OutboxMessage.objects.filter(kind=digest.DIGEST_KIND).count() == 2
    assert SupplierAlert.objects.count() == 1
    deliver(first)
    deliver(first + timedelta(hours=1))
    assert sorted(to for m in digests(smtp_server) for to in m.rcpt_tos) == [
        "admin@shop.test",
        "analyst@shop.test",
    ]
    alerts = [m for m in smtp_server.arrivals if "threshold" in m.subject]
    assert len(alerts) == 1
