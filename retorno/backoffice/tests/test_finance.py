"""Finance pages: the refund ledger with states, retry, mark as paid, a return's refund preview
and execution, claims; and who may see or move money (warehouse and agents may not)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from retorno.accounts.services import membership_grant
from retorno.backoffice import views_finance
from retorno.core import paging
from retorno.money.models import Claim, MoneySettings, Refund
from retorno.money.services.claims import claim_open
from retorno.money.tests.conftest import AGENT, open_return, order_with, receive
from retorno.notifications.models import Message

ROLES = ("admin", "agent", "warehouse", "finance", "analyst")
VIEWERS = {"admin", "finance", "analyst"}
MOVERS = {"admin", "finance"}


@pytest.fixture
def manual(store):
    MoneySettings.objects.update_or_create(store=store, defaults={"payment_adapter": "manual"})


@pytest.fixture
def received(store, manual):
    order = order_with(store, quantity=3, unit_price="20.00")
    ret = open_return(store, order, quantity=3)
    receive(store, ret, 2)
    return ret


def ledger():
    return list(
        Refund.objects.order_by("id").values_list("id", "state", "amount", "idempotency_key")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_refunds(signed_in, received, role):
    client = signed_in(role)
    refund = Refund.objects.get()
    for url in (
        reverse("backoffice:refunds"),
        reverse("backoffice:refund", args=[refund.id]),
        reverse("backoffice:return_refund", args=[received.rma]),
    ):
        response = client.get(url)
        assert response.status_code == (200 if role in VIEWERS else 403), (url, role)
    claims = client.get(reverse("backoffice:claims"))
    assert claims.status_code == (403 if role == "warehouse" else 200), role


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_who_may_move_money(signed_in, received, role):
    client = signed_in(role)
    refund = Refund.objects.get()
    Refund.objects.filter(id=refund.id).update(state="failed")
    before = ledger()
    response = client.post(reverse("backoffice:refund_retry", args=[refund.id]))
    if role in MOVERS:
        assert response.status_code == 302
        assert Refund.objects.get().idempotency_key.endswith("-a2")
    else:
        assert response.status_code == 403
        assert ledger() == before
        response = client.post(
            reverse("backoffice:return_refund_execute", args=[received.rma]), {"amount": "1.00"}
        )
        assert response.status_code == 403
        response = client.post(
            reverse("backoffice:refund_mark_paid", args=[refund.id]), {"reference": "X"}
        )
        assert response.status_code == 403
        assert ledger() == before


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client: Client, received):
    refund = Refund.objects.get()
    response = client.post(reverse("backoffice:refund_retry", args=[refund.id]))
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert Refund.objects.get().state == "pending"


@pytest.mark.django_db
def test_another_stores_finance_sees_nothing(client: Client, other_store, received):
    user = membership_grant(
        store=other_store,
        username="finance.other",
        email="f@other.test",
        role="finance",
        password="pw-123456789",
    ).user
    client.force_login(user)
    refund = Refund.objects.get()
    before = ledger()
    assert received.rma not in client.get(reverse("backoffice:refunds")).content.decode()
    assert client.get(reverse("backoffice:refund", args=[refund.id])).status_code == 404
    assert client.get(reverse("backoffice:return_refund", args=[received.rma])).status_code == 404
    response = client.post(
        reverse("backoffice:refund_mark_paid", args=[refund.id]), {"reference": "X"}
    )
    assert response.status_code == 404
    response = client.post(reverse("backoffice:return_refund_execute", args=[received.rma]), {})
    assert response.status_code == 404
    assert ledger() == before


@pytest.mark.django_db
def test_finance_lists_states_and_marks_a_manual_refund_paid(signed_in, received):
    client = signed_in("finance")
    refund = Refund.objects.get()
    page = client.get(reverse("backoffice:refunds")).content.decode()
    assert received.rma in page
    assert 'data-state="pending"' in page
    assert "Mark as paid" in page
    page = client.get(reverse("backoffice:refund", args=[refund.id])).content.decode()
    assert refund.idempotency_key in page
    response = client.post(
        reverse("backoffice:refund_mark_paid", args=[refund.id]), {"reference": ""}
    )
    assert response.status_code == 422
    assert Refund.objects.get().state == "pending"
    response = client.post(
        reverse("backoffice:refund_mark_paid", args=[refund.id]), {"reference": "BANK-9"}
    )
    assert response.status_code == 302
    refund.refresh_from_db()
    assert (refund.state, refund.provider_reference) == ("succeeded", "BANK-9")
    assert received.events.filter(kind="refunded", actor_label__contains="finance").exists()


@pytest.mark.django_db
def test_failed_refunds_show_a_retry_button(signed_in, received):
    client = signed_in("finance")
    Refund.objects.update(state="failed")
    page = client.get(reverse("backoffice:refunds") + "?state=failed").content.decode()
    assert reverse("backoffice:refund_retry", args=[Refund.objects.get().id]) in page


@pytest.mark.django_db
def test_retrying_a_paid_refund_says_so_and_changes_nothing(signed_in, received):
    client = signed_in("finance")
    refund = Refund.objects.get()
    Refund.objects.update(state="succeeded")
    before = ledger()
    response = client.post(reverse("backoffice:refund_retry", args=[refund.id]))
    assert response.status_code == 409
    assert "already paid" in response.content.decode()
    assert ledger() == before


@pytest.mark.django_db
def test_preview_then_execute(signed_in, received):
    client = signed_in("finance")
    page = client.get(reverse("backoffice:return_refund", args=[received.rma])).content.decode()
    assert 'id="preview-total"' in page
    assert 'id="execute-form"' in page
    before = ledger()
    response = client.post(
        reverse("backoffice:return_refund_execute", args=[received.rma]), {"amount": "-3"}
    )
    assert response.status_code == 422
    assert "positive amount" in response.content.decode()
    assert ledger() == before
    response = client.post(
        reverse("backoffice:return_refund_execute", args=[received.rma]), {"amount": "900"}
    )
    assert response.status_code == 422
    assert ledger() == before
    response = client.post(
        reverse("backoffice:return_refund_execute", args=[received.rma]),
        {"amount": "5.00", "note": "goodwill"},
    )
    assert response.status_code == 302
    assert Refund.objects.count() == 2
    assert Refund.objects.order_by("-id").first().amount == Decimal("5.00")


@pytest.mark.django_db
def test_rma_box_goes_to_the_preview(signed_in, received):
    client = signed_in("finance")
    response = client.get(reverse("backoffice:refunds"), {"rma": received.rma.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:return_refund", args=[received.rma])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["finance", "agent"])
def test_claim_page_and_resolution(signed_in, store, manual, role):
    # Two units: the second claim may not cover the unit the first one resolved.
    order = order_with(store, quantity=2, unit_price="20.00")
    claim = claim_open(
        store=store,
        order_external_id=order.external_id,
        reason="missing_item",
        lines={order.lines.get().external_id: 1},
        actor=AGENT,
        photos=["claims/p.jpg"],
    )
    client = signed_in(role)
    assert claim.number in client.get(reverse("backoffice:claims")).content.decode()
    page = client.get(reverse("backoffice:claim", args=[claim.number])).content.decode()
    assert "claims/p.jpg" in page
    assert 'id="resolve-form"' in page
    response = client.post(
        reverse("backoffice:claim_resolve", args=[claim.number]), {"resolution": "refund"}
    )
    assert response.status_code == 302
    assert Claim.objects.get().state == "resolved"
    assert Refund.objects.get(claim=claim).amount == Decimal("20.00")
    [told] = Message.objects.filter(kind="claim_resolved")  # the shopper hears what they get
    assert told.claim_number == claim.number
    warehouse = signed_in("warehouse")
    assert warehouse.get(reverse("backoffice:claim", args=[claim.number])).status_code == 403
    still_open = claim_open(
        store=store,
        order_external_id=order.external_id,
        reason="wrong_item",
        lines={order.lines.get().external_id: 1},
        actor=AGENT,
    )
    analyst_page = signed_in("analyst").get(reverse("backoffice:claim", args=[still_open.number]))
    assert analyst_page.status_code == 200  # analysts read claims, but settle none
    assert 'id="resolve-form"' not in analyst_page.content.decode()


@pytest.mark.django_db
def test_finance_pages_speak_spanish(signed_in, received):
    client = signed_in("finance")
    client.cookies["django_language"] = "es"
    page = client.get(reverse("backoffice:refunds")).content.decode()
    assert "Reembolsos" in page
    assert "Pendiente" in page


@pytest.mark.django_db
def test_an_agent_rejects_a_claim_with_a_note_the_shopper_is_told(signed_in, store, manual):
    order = order_with(store, quantity=1, unit_price="20.00")
    claim = claim_open(
        store=store,
        order_external_id=order.external_id,
        reason="missing_item",
        lines={order.lines.get().external_id: 1},
        actor=AGENT,
    )
    client = signed_in("agent")
    url = reverse("backoffice:claim_reject", args=[claim.number])
    no_note = client.post(url, {"note": "  "})
    assert no_note.status_code == 422
    assert Claim.objects.get().state == "open"
    assert client.post(url, {"note": "Tracking shows it was delivered."}).status_code == 302
    claim.refresh_from_db()
    assert (claim.state, claim.resolution_note) == ("rejected", "Tracking shows it was delivered.")
    assert not Refund.objects.filter(claim=claim).exists()
    assert Message.objects.filter(claim_number=claim.number, kind="claim_rejected").count() == 1
    again = client.post(url, {"note": "again"})
    assert again.status_code == 409
    assert signed_in("warehouse").post(url, {"note": "x"}).status_code == 403


def copies_of(refund: Refund, n: int, state: str = "pending") -> None:
    """`n` more refunds like `refund` (the ledger's rows only: each its own key and sequence)."""
    for i in range(n):
        refund.pk = None
        refund.idempotency_key = f"copy-{state}-{i}"
        refund.sequence = 100 + i
        refund.state = state
        refund.save()


@pytest.mark.django_db
def test_the_refund_list_pages_and_keeps_its_filter(signed_in, received):
    first_refund = Refund.objects.get()
    copies_of(first_refund, 28, state="succeeded")
    copies_of(Refund.objects.get(pk=first_refund.pk), 1, state="failed")  # 30 in all
    client = signed_in("finance")
    url = reverse("backoffice:refunds")

    def ids(response) -> list[int]:
        return [r.id for r in response.context["page"].results]

    first = client.get(url, {"state": "succeeded"})
    assert dict(first.context["states"])["succeeded"] == 28
    assert len(ids(first)) == 25
    cursor = first.context["page"].next_cursor
    assert f"state=succeeded&amp;after={cursor}" in first.content.decode()
    second = client.get(url, {"state": "succeeded", "after": cursor})
    assert len(ids(second)) == 3
    assert second.context["page"].next_cursor is None
    assert not set(ids(first)) & set(ids(second))
    newest_first = ids(first) + ids(second)
    assert newest_first == sorted(newest_first, reverse=True)  # one created_at: ids decide
    back = client.get(url, {"state": "succeeded", "before": second.context["page"].previous_cursor})
    assert ids(back) == ids(first)
    assert back.context["page"].previous_cursor is None
    assert ids(client.get(url, {"state": "succeeded", "after": "x"})) == ids(first)
    everything = client.get(url)
    assert len(ids(everything)) == 25
    assert "after=" in everything.content.decode()


@pytest.mark.django_db
def test_state_counts_stop_at_the_cap(signed_in, received, monkeypatch):
    copies_of(Refund.objects.get(), 4, state="succeeded")
    monkeypatch.setattr(views_finance, "COUNT_CAP", 3)
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    page = signed_in("finance").get(reverse("backoffice:refunds"))
    assert dict(page.context["states"])["succeeded"] == 4  # counted to cap + 1 …
    assert "3+" in page.content.decode()  # … and shown as "more than the cap"


@pytest.mark.django_db
@pytest.mark.parametrize("ledger_name", ["refunds", "charges", "claims"])
def test_finance_lists_do_not_grow_with_their_rows(signed_in, store, received, ledger_name):
    """The same statements for a page of 30 rows of history as for 60: counts capped, one page,
    its joins; nothing per row and nothing over the whole ledger."""
    client = signed_in("finance")
    url = reverse(f"backoffice:{ledger_name}")
    copies_of(Refund.objects.get(), 30, state="succeeded")
    claim_rows(store, received, 30)
    client.get(url)  # warm the session and the store's settings
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    copies_of(Refund.objects.get(idempotency_key="copy-succeeded-0"), 30, state="failed")
    claim_rows(store, received, 30, start=30)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def claim_rows(store, ret, n: int, *, start: int = 0) -> None:
    """`n` claims on the return's order, written as rows (the ledger's list only reads them)."""
    now = timezone.now()
    Claim.objects.bulk_create(
        Claim(
            store=store,
            order_id=ret.order_id,
            customer_id=ret.customer_id,
            number=f"CL-BULK-{start + i}",
            reason="damaged_in_transit",
            created_at=now,
            updated_at=now,
        )
        for i in range(n)
    )
