"""A new return's comments are classified by a job, not in the request; a sweeper classifies
what a job missed."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from retorno.core.actors import SYSTEM
from retorno.core.models import OutboxMessage
from retorno.insight.models import CommentPrediction
from retorno.insight.services import CLASSIFY_KIND
from retorno.orders.tests.factories import line_payload, make_order
from retorno.returns.services import ItemRequest, return_create
from retorno.returns.workflows import triage


def create(store, comments: dict[str, str], reason: str = "other"):
    make_order(
        store,
        external_id="5001",
        lines=[line_payload("5001-1", title="Jersey"), line_payload("5001-2", title="Botas")],
    )
    return return_create(
        store=store,
        order_external_id="5001",
        items=[
            ItemRequest(line=line, quantity=1, reason=reason, comment=comment)
            for line, comment in comments.items()
        ],
        resolution="refund",
        method="pickup",
        actor=SYSTEM,
    )


@pytest.mark.django_db
def test_creating_a_return_queues_its_comments_and_the_job_classifies_them(
    store, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        created = create(store, {"5001-1": "me queda pequeño", "5001-2": ""})
    # In the request: only a queued job, nothing classified yet.
    message = OutboxMessage.objects.get(kind=CLASSIFY_KIND)
    assert message.payload["rma"] == created.rma
    assert not CommentPrediction.objects.exists()

    from retorno.core.outbox import outbox_deliver_one

    assert outbox_deliver_one(message.id) == "delivered"
    prediction = CommentPrediction.objects.get()
    item = created.items.get(order_line__external_id="5001-1")
    assert (prediction.return_item_id, prediction.return_id) == (item.id, created.id)
    assert (prediction.picked_reason, prediction.reason) == ("other", "too_small")
    assert prediction.product_title == "Jersey"
    assert prediction.model_version.startswith("shipped-")


@pytest.mark.django_db
def test_a_return_without_comments_queues_no_job(store):
    create(store, {"5001-1": ""})
    assert not OutboxMessage.objects.filter(kind=CLASSIFY_KIND).exists()


@pytest.mark.django_db
def test_the_sweeper_classifies_comments_a_job_missed(store, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        created = create(store, {"5001-1": "llegó con la caja rota", "5001-2": "ya no lo quiero"})
    OutboxMessage.objects.filter(kind=CLASSIFY_KIND).delete()  # the job was lost
    assert triage.comments_classify_sweep(now=timezone.now()) == 0  # too recent to sweep
    later = created.created_at + triage.SWEEP_AFTER + timedelta(seconds=1)
    assert triage.comments_classify_sweep(now=later) == 2
    reasons = dict(CommentPrediction.objects.values_list("product_title", "reason"))
    assert reasons == {"Jersey": "damaged", "Botas": "changed_mind"}
    assert triage.comments_classify_sweep(now=later) == 0  # nothing left


def asked_earlier(store, number: str, comment: str):
    make_order(store, external_id=number, lines=[line_payload(f"{number}-1", title="Jersey")])
    return return_create(
        store=store,
        order_external_id=number,
        items=[ItemRequest(line=f"{number}-1", quantity=1, reason="other", comment=comment)],
        resolution="refund",
        method="pickup",
        actor=SYSTEM,
        now=timezone.now() - timedelta(hours=2),
    )


@pytest.mark.django_db
def test_a_backlog_is_swept_to_its_end_in_batches_and_blank_comments_hold_nothing_back(
    store, other_store, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        blank = [asked_earlier(store, f"61{n}", " \n ") for n in range(3)]
        mine = [asked_earlier(store, f"62{n}", "me queda pequeño") for n in range(5)]
        theirs = [asked_earlier(other_store, f"63{n}", "me queda grande") for n in range(2)]
    OutboxMessage.objects.filter(kind=CLASSIFY_KIND).delete()  # loaded in bulk: no jobs

    # Batches of two returns, the blank ones first by id: they are never picked, so every
    # batch classifies something and the sweep goes on to the end of this store's backlog.
    assert triage.comments_classify_backlog(store_id=store.id, batch=2) == 5
    classified = set(CommentPrediction.objects.values_list("return_id", flat=True))
    assert classified == {r.id for r in mine}
    assert not classified & {r.id for r in blank + theirs}
    assert triage.comments_classify_backlog(store_id=store.id) == 0


@pytest.mark.django_db
def test_retorno_comments_sweep_classifies_what_is_left(store, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        asked_earlier(store, "6401", "llegó con la caja rota")
    OutboxMessage.objects.filter(kind=CLASSIFY_KIND).delete()
    out = StringIO()
    call_command("comments_sweep", "--store", store.slug, stdout=out)
    assert out.getvalue().strip() == "1 comments classified"
    assert CommentPrediction.objects.get().reason == "damaged"
    with pytest.raises(CommandError, match="No store"):
        call_command("comments_sweep", "--store", "nope")
