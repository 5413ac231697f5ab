"""One truth about when the money comes: the options page, the review page, the confirmation,
the tracking page, the e-mail and the policy page all say the moment of the policy's refund
timing, in the same words (retorno.core.money_timing)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from retorno.core.actors import SYSTEM
from retorno.domain.policies import default_policy_document
from retorno.notifications.content import render_message
from retorno.notifications.models import MessageKind
from retorno.orders.models import Order
from retorno.policies.services import policy_publish
from retorno.portal.tests.test_portal import choose, confirm, lookup, options
from retorno.returns.models import Return
from retorno.returns.workflows.messages import return_snapshot
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db

CREDIT = {
    "on_approval": (
        "Your store credit is added as soon as your return is approved.",
        "Tu saldo en tienda se añade en cuanto se aprueba tu devolución.",
    ),
    "on_receipt": (
        "Your store credit is added when your parcel reaches our warehouse.",
        "Tu saldo en tienda se añade cuando tu paquete llega a nuestro almacén.",
    ),
    "on_inspection": (
        "Your store credit is added once we have checked the items.",
        "Tu saldo en tienda se añade cuando hemos revisado los artículos.",
    ),
}
POLICY = {
    "on_approval": "Refunds and store credit are issued as soon as a return is approved.",
    "on_receipt": "Refunds and store credit are issued when the parcel reaches our warehouse.",
    "on_inspection": "Refunds and store credit are issued once we have checked the items.",
}


@pytest.mark.parametrize("timing", list(CREDIT))
def test_every_page_and_message_promises_the_policy_s_moment(
    client: Client, shop: Store, order: Order, timing: str
) -> None:
    english, spanish = CREDIT[timing]
    document = default_policy_document()
    document["base"]["refund_timing"] = timing
    policy_publish(store=shop, document=document, actor=SYSTEM)
    lookup(client, shop)
    choose(client, shop, order, reason="changed_mind")

    for language, sentence in (("en", english), ("es", spanish)):
        page = client.get(
            reverse("portal:resolution", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
        assert sentence in page
        assert "at once" not in page
        assert "al momento" not in page
    options(client, shop, resolution="store_credit")
    review, token = confirm(client, shop)
    assert english in review.content.decode()
    done = client.post(
        reverse("portal:review", args=[shop.slug]),
        {"submission": token},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    returned = Return.objects.get()
    if timing != "on_approval":  # on approval the credit is already added: nothing to promise
        assert english in done.content.decode()
    for language, sentence in (("en", english), ("es", spanish)):
        tracking = client.get(
            reverse("portal:tracking", args=[returned.tracking_token]),
            HTTP_ACCEPT_LANGUAGE=language,
        )
        if tracking.context["money"].done:
            continue
        assert sentence in tracking.content.decode()
        with translation.override(language):
            message = render_message(
                store=shop,
                snapshot=return_snapshot(returned),
                kind=MessageKind.APPROVED,
                language=language,
            )
        assert sentence in message.text
        assert sentence in message.html
    policy = client.get(
        reverse("portal:policy", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert POLICY[timing] in policy


def test_the_received_message_says_the_same_as_the_tracking_page(
    client: Client, shop: Store, order: Order
) -> None:
    from retorno.returns.services import ItemRequest, return_create

    returned = return_create(
        store=shop,
        order_external_id=order.external_id,
        items=[ItemRequest(line="5001-1", quantity=1, reason="changed_mind")],
        resolution="refund",
        method="self_ship",
        actor=SYSTEM,
    )
    with translation.override("en"):
        message = render_message(
            store=shop,
            snapshot=return_snapshot(returned),
            kind=MessageKind.RECEIVED,
            language="en",
        )
    sentence = "Your refund is issued when your parcel reaches our warehouse."
    assert sentence in message.text
    tracking = client.get(
        reverse("portal:tracking", args=[returned.tracking_token]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert sentence in tracking.content.decode()
