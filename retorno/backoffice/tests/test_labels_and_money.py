"""Every kind of event recorded on a return's trail has a staff label in English and Spanish,
and the return page's Money card lists its refunds and charges (details for finance roles)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from retorno.core import labels
from retorno.domain.returns.events import EventKind
from retorno.money.models import Charge, ExchangeOrder, MoneySettings, Refund
from retorno.money.tests.conftest import (
    inspect,
    open_return,
    order_with,
    receive,
    resolve,
    variant_pair,
)


def recorded_event_kinds() -> set[str]:
    """Every kind of event the application records: the trail's writer takes only these."""
    return {kind.value for kind in EventKind}


def test_the_collector_finds_the_kinds_it_should():
    kinds = recorded_event_kinds()
    assert {"created", "rejected", "cancelled", "in_transit", "closed", "resolved"} <= kinds
    assert {"charge_issued", "charged", "charge_failed", "charge_back_issued"} <= kinds
    assert {"exchange_released_unpaid", "return_due_soon", "inspection_skipped"} <= kinds


def test_every_recorded_event_kind_has_a_label():
    missing = sorted(recorded_event_kinds() - set(labels.EVENT))
    assert missing == [], f"add these to core.labels.EVENT: {missing}"


def test_every_event_label_is_translated_to_spanish():
    # A page requested earlier in the same thread may have left Spanish active.
    with translation.override("en"):
        english = {kind: str(text) for kind, text in labels.EVENT.items()}
        english |= {f"{k}:{d}": str(text) for (k, d), text in labels.EVENT_DETAIL.items()}
    with translation.override("es"):
        spanish = {kind: str(text) for kind, text in labels.EVENT.items()}
        spanish |= {f"{k}:{d}": str(text) for (k, d), text in labels.EVENT_DETAIL.items()}
    untranslated = sorted(kind for kind in english if english[kind] == spanish[kind])
    assert untranslated == []


@translation.override("en")
def test_event_labels_tell_apart_what_the_data_says():
    assert labels.event_label("resolved", {"keep_item": True}) == (
        "Resolved: the shopper keeps the items"
    )
    assert labels.event_label("resolved", {"resolution": "refund"}) == "Resolved"
    assert labels.event_label("charged", {"kind": "unreturned_item"}) == (
        "Charged: original not returned"
    )
    assert labels.event_label("charged", {}) == "Charged"
    assert labels.event_label("something_new", None) == "Something new"


# --- the Money card ------------------------------------------------------------------------------


@pytest.fixture
def exchange_held(store: Any) -> Charge:
    """A dearer exchange resolved with the manual adapter: its difference charge pending."""
    MoneySettings.objects.update_or_create(store=store, defaults={"payment_adapter": "manual"})
    old, new = variant_pair(store, stock=5, new_price="27.50")
    order = order_with(store, quantity=1, unit_price="20.00", variant=old)
    ret = open_return(store, order, quantity=1, resolution="exchange", exchange_variant_id=new.id)
    receive(store, ret, 1)
    inspect(store, ret, "new")
    resolve(store, ret)
    assert ExchangeOrder.objects.get().state == "awaiting_payment"
    return Charge.objects.get()


@pytest.mark.django_db
def test_finance_sees_the_charge_with_its_amount_and_link(signed_in, exchange_held):
    page = signed_in("finance").get(reverse("backoffice:return", args=[exchange_held.rma]))
    html = page.content.decode()
    assert 'id="money"' in html
    assert 'data-direction="charge" data-kind="exchange_difference" data-state="pending"' in html
    assert "−€7.50" in html
    assert reverse("backoffice:charge", args=[exchange_held.id]) in html
    # The trail says what the charge was for.
    assert "Charge issued: exchange price difference" in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "warehouse"])
def test_every_role_sees_the_amounts_but_only_finance_the_links(signed_in, exchange_held, role):
    """The Amounts card shows every role the refund to come; the Money table, what moved, with
    its amount column. Finance's pages (and the payment errors) stay with those who may see them."""
    page = signed_in(role).get(reverse("backoffice:return", args=[exchange_held.rma]))
    html = page.content.decode()
    table = html[
        html.index('<table id="money-rows">') : html.index("</table>", html.index("money-rows"))
    ]
    assert 'data-kind="exchange_difference"' in table
    assert "Pending" in table
    assert '<th scope="col" class="num">Amount</th>' in table
    assert "−€7.50" in table
    assert reverse("backoffice:charge", args=[exchange_held.id]) not in html
    assert reverse("backoffice:charges") not in html
    assert reverse("backoffice:return_refund", args=[exchange_held.rma]) not in html


@pytest.mark.django_db
def test_refunds_are_listed_in_spanish_for_finance(signed_in, store, provider):
    order = order_with(store, quantity=2, unit_price="20.00")
    ret = open_return(store, order, quantity=2)
    receive(store, ret, 2)
    refund = Refund.objects.get()
    page = signed_in("finance").get(
        reverse("backoffice:return", args=[ret.rma]), HTTP_ACCEPT_LANGUAGE="es"
    )
    html = page.content.decode()
    assert "Dinero" in html
    assert 'data-direction="refund"' in html
    assert reverse("backoffice:refund", args=[refund.id]) in html
    assert "Abrir en finanzas" in html


@pytest.mark.django_db
def test_a_return_without_money_says_so(signed_in, store):
    ret = open_return(store, order_with(store, quantity=1), quantity=1)
    html = signed_in("agent").get(reverse("backoffice:return", args=[ret.rma])).content.decode()
    assert "No money has moved for this return yet." in html


@pytest.mark.django_db
def test_a_held_return_reads_its_decision_in_words_in_spanish(signed_in, pending):
    """Staff saw the policy's codes (value_above_review_threshold), "outcome: review" and the
    English note "Returns worth more than 500.00 EUR" on a Spanish page."""
    page = signed_in("agent").get(
        reverse("backoffice:return", args=[pending.rma]), HTTP_ACCEPT_LANGUAGE="es"
    )
    html = page.content.decode()
    assert 'data-code="value_above_review_threshold">Nuestro equipo revisa' in html
    assert "<code>value_above_review_threshold</code>" not in html
    assert '<strong data-outcome="review">Pendiente de revisión</strong>' in html
    assert "EUR" not in html
    assert "Returns worth more than" not in html
    translation.activate("en")  # the page left Spanish active in this thread
