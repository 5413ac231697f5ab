"""A policy that refunds the outbound shipping gives it back once per order, with the return that
was quoted with it: the quote, the stored return, the API, the staff page and the shopper's
e-mail all show it, and the refund pays it. It used to be refunded without ever being quoted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from retorno.money.models import Refund
from retorno.money.tests.conftest import AGENT, set_policy_base
from retorno.notifications.content import render_message
from retorno.orders.tests.factories import line_payload, make_order
from retorno.returns import selectors, services
from retorno.returns.models import Return
from retorno.returns.workflows.messages import return_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(store):
    set_policy_base(
        store, refund_shipping=True, refund_timing="on_approval", return_shipping_fee="0"
    )
    return make_order(
        store,
        external_id="1",
        lines=[line_payload("1-1", quantity=2, unit_price="20.00", tax="0")],
        shipping_amount="4.00",
        shipping_tax_amount="0.84",
    )


def _quote(store, order):
    return selectors.return_quote_for_store(
        store=store,
        external_id=order.external_id,
        items=[{"line": "1-1", "quantity": 1, "reason": "too_small"}],
        resolution="refund",
        now=timezone.now(),
    )


def _open(store, order):
    return services.return_create(
        store=store,
        order_external_id=order.external_id,
        items=[services.ItemRequest(line="1-1", quantity=1, reason="too_small")],
        resolution="refund",
        method="drop_off",
        actor=AGENT,
    )


def test_the_first_return_is_quoted_and_refunded_the_shipping(store, order):
    quote = _quote(store, order)
    assert (quote.shipping_refund_amount, quote.refund_amount) == (
        Decimal("4.84"),
        Decimal("24.84"),
    )

    first = _open(store, order)

    assert (first.shipping_refund_amount, first.refund_estimate_amount) == (
        Decimal("4.84"),
        Decimal("24.84"),
    )
    assert Refund.objects.get(return_id=first.id).amount == Decimal("24.84")
    assert (_quote(store, order).shipping_refund_amount, _quote(store, order).refund_amount) == (
        Decimal("0.00"),
        Decimal("20.00"),
    )
    second = _open(store, order)
    assert second.refund_estimate_amount == Decimal("20.00")
    assert Refund.objects.get(return_id=second.id).amount == Decimal("20.00")


def test_a_cancelled_return_lets_the_next_one_take_the_shipping(store, order):
    set_policy_base(
        store, refund_shipping=True, refund_timing="on_receipt", return_shipping_fee="0"
    )
    first = _open(store, order)
    services.return_cancel(store=store, rma=first.rma, actor=AGENT)

    second = _open(store, order)

    assert second.shipping_refund_amount == Decimal("4.84")
    assert second.refund_estimate_amount == Decimal("24.84")


def test_the_api_the_staff_page_and_the_email_show_it(store, order, api, signed_in):
    body = api.post(
        "/returns",
        {
            "order": "1",
            "items": [{"line": "1-1", "quantity": 1, "reason": "too_small"}],
            "resolution": "refund",
            "method": "drop_off",
        },
    ).json()

    assert Decimal(str(body["amounts"]["shipping_refund"])) == Decimal("4.84")
    assert Decimal(str(body["amounts"]["refund_estimate"])) == Decimal("24.84")
    page = signed_in("agent").get(
        reverse("backoffice:return", args=[body["rma"]]), headers={"Accept-Language": "en"}
    )
    assert "Original shipping refunded" in page.content.decode()
    snapshot = return_snapshot(Return.objects.get(rma=body["rma"]))
    with translation.override("es"):
        email = render_message(store=store, snapshot=snapshot, kind="created", language="es")
    assert "Envío original" in email.text
    assert "+4,84" in email.text
