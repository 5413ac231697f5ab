"""Refunds on the webhooks: created with the ledger row, succeeded when paid, failed when the
provider refuses (each refused call), each carrying the refund as GET /refunds/{id} shows it."""

from __future__ import annotations

import json

import pytest

from retorno.api.tests.client import ApiClient
from retorno.money.models import Refund
from retorno.money.tests.conftest import inspect, open_return, order_with, receive, resolve
from retorno.returns.workflows.refunds import refund_drive
from retorno.webhooks import services
from retorno.webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:8999/hooks"


def _refunded_return(store):
    ret = open_return(store, order_with(store, quantity=1), quantity=1)
    return resolve(store, inspect(store, receive(store, ret, 1), "A"))


def _events(kind: str) -> list[dict]:
    return [json.loads(e.body) for e in WebhookEvent.objects.filter(type=kind).order_by("id")]


def test_a_refund_the_provider_refuses_is_refund_failed_once(store, provider, admin_key):
    services.endpoint_create(
        store=store, url=URL, event_types=["refund.created", "refund.failed", "refund.succeeded"]
    )
    _refunded_return(store)
    refund = Refund.objects.get()
    (created,) = _events("refund.created")
    assert created["data"]["id"] == refund.id

    provider.refuse = True
    assert refund_drive(refund.id) == "failed"
    (failed,) = _events("refund.failed")
    shown = json.loads(ApiClient(admin_key).get(f"/refunds/{refund.id}").content)
    assert failed["data"] == shown
    assert shown["state"] == "failed"
    assert refund_drive(refund.id) == "skipped"  # not pending: nothing more
    assert len(_events("refund.failed")) == 1
    assert _events("refund.succeeded") == []
