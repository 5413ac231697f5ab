"""The demo shows what insight reads: every comment classified by the job its return queued,
comments that contradict the picked reason, "other" picks sorted by their words, a serial
returner sent to review by the demo policy's rule, and a bracketer, each with the evidence."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from retorno.core.models import OutboxMessage
from retorno.demo import comments
from retorno.demo.generator import demo_create
from retorno.insight.classifying import classify_comment
from retorno.insight.models import CommentPrediction
from retorno.orders.models import Customer
from retorno.returns.models import Return, ReturnItem
from retorno.returns.workflows.signals import signals_for_customer

MEDIUM = {"customers": 300, "orders": 600}
TODAY = date(2026, 3, 15)


def fired(store, customer) -> dict[str, object]:
    now = timezone.now()
    signals = signals_for_customer(store=store, customer_id=customer.id, now=now)
    return {signal.code: signal for signal in signals if signal.fired}


@pytest.mark.django_db
def test_the_demo_shows_predictions_mismatches_and_signals():
    result = demo_create(today=TODAY, **MEDIUM)
    store = result.store

    # Every comment was classified by the job its return queued, with the shipped model.
    commented = ReturnItem.objects.filter(return_request__store=store).exclude(comment="")
    predictions = CommentPrediction.objects.filter(store=store)
    assert result.comments_classified == commented.count() == predictions.count() > 40
    assert set(predictions.values_list("return_item_id", flat=True)) == set(
        commented.values_list("id", flat=True)
    )
    jobs = OutboxMessage.objects.filter(store_id=store.id, kind="insight.classify")
    assert set(jobs.values_list("status", flat=True)) == {"delivered"}
    assert all(
        v.startswith("shipped-") for v in predictions.values_list("model_version", flat=True)
    )
    # Some comments contradict the reason picked (the serial returner's latest, and about one
    # commented item in eight, by the seed); some "other" picks read as a reason.
    assert predictions.filter(mismatch=True).count() >= 3
    sorted_others = predictions.filter(picked_reason="other", abstained=False).exclude(
        reason="other"
    )
    assert sorted_others.exists()
    # The predictions are dated when the shopper wrote, over the demo's months.
    oldest = min(predictions.values_list("commented_at", flat=True))
    assert (timezone.now() - oldest).days > 60

    serial = Customer.objects.get(store=store, email="nerea.valdes@example.com")
    serial_signals = fired(store, serial)
    assert "serial_returner" in serial_signals
    latest = Return.objects.filter(store=store, customer=serial).order_by("-created_at").first()
    assert latest.status == "pending_review"
    assert "abuse-review" in str(latest.decision)
    # Her latest comment says the opposite of what she picked.
    reading = predictions.get(return_id=latest.id, picked_reason="too_small")
    assert reading.reason == "too_large"
    assert reading.mismatch

    bracketer = Customer.objects.get(store=store, email="chloe.bennett@example.com")
    bracketer_signals = fired(store, bracketer)
    assert "bracketing" in bracketer_signals
    assert "serial_returner" not in bracketer_signals
    assert len(bracketer_signals["bracketing"].evidence) == 3

    # The return's page in the back office shows both, with the evidence.
    admin = get_user_model().objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("backoffice:return", args=[latest.rma]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-signal="serial_returner"' in html
    assert 'data-reading="too_large"' in html


def test_the_scripted_comments_read_as_the_reason_they_are_written_for():
    # The demo's contradictions are only contradictions if the words say what they mean to.
    for language, by_reason in comments.COMMENTS.items():
        for reason, texts in by_reason.items():
            for text in texts:
                prediction = classify_comment(text, default_language=language)
                assert (prediction.reason, prediction.abstained) == (reason, False), text
