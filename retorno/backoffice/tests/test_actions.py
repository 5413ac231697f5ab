"""Refusals by the services are shown as helpful messages, with their status, nothing changed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from retorno.backoffice.tests.conftest import make_return, snapshot
from retorno.core.actors import SYSTEM
from retorno.returns.models import Return


def test_reject_without_a_note_asks_for_one(signed_in: Any, pending: Return) -> None:
    before = snapshot()
    response = signed_in("agent").post(
        reverse("backoffice:return_reject", args=[pending.rma]), {"note": "   "}
    )
    assert response.status_code == 422
    assert "Write a note saying why" in response.content.decode()
    assert snapshot() == before


def test_approving_an_approved_return_is_a_conflict(signed_in: Any, approved: Return) -> None:
    before = snapshot()
    response = signed_in("agent").post(
        reverse("backoffice:return_approve", args=[approved.rma]), {"note": ""}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "This return is approved, so that cannot be done any more" in html
    assert snapshot() == before


def test_override_without_a_note_or_rule_changes_nothing(signed_in: Any, pending: Return) -> None:
    line = pending.items.get().order_line.external_id
    url = reverse("backoffice:return_override", args=[pending.rma])
    client = signed_in("agent")
    before = snapshot()
    no_note = client.post(url, {"line": line, "decision": "rejected", "rule": "r", "note": ""})
    assert no_note.status_code == 422
    assert "Write a note saying why" in no_note.content.decode()
    no_rule = client.post(url, {"line": line, "decision": "rejected", "rule": "", "note": "x"})
    assert no_rule.status_code == 422
    assert "Please correct the form" in no_rule.content.decode()
    unknown_line = client.post(
        url, {"line": "nope", "decision": "rejected", "rule": "r", "note": "x"}
    )
    assert unknown_line.status_code == 422
    assert snapshot() == before


def test_a_success_is_confirmed_on_the_page(signed_in: Any, pending: Return) -> None:
    client = signed_in("agent")
    response = client.post(
        reverse("backoffice:return_approve", args=[pending.rma]),
        {"note": "Checked photos"},
        follow=True,
    )
    html = response.content.decode()
    assert "Return approved." in html
    assert "Checked photos" in html  # the note is on the timeline
    assert "agent.shop" in html  # with who did it


def test_the_page_explains_the_decision(signed_in: Any, pending: Return) -> None:
    html = (
        signed_in("analyst").get(reverse("backoffice:return", args=[pending.rma])).content.decode()
    )
    assert "value_above_review_threshold" in html
    assert "v1" in html
    assert 'id="timeline"' in html
    assert "Held for review" in html


def test_spanish(signed_in: Any, pending: Return) -> None:
    client = signed_in("agent")
    client.cookies["django_language"] = "es"
    html = client.get(reverse("backoffice:return", args=[pending.rma])).content.decode()
    assert 'lang="es"' in html
    assert "Aprobar devolución" in html
    assert "Pendiente de revisión" in html


def test_the_return_page_says_when_the_policy_let_the_shopper_keep_the_items(
    signed_in: Any, store: Any
) -> None:
    from retorno.domain.policies import default_policy_document
    from retorno.policies.services import policy_publish

    document = default_policy_document()
    document["base"].update({"keep_item": True, "return_shipping_cost": "9.00"})
    policy_publish(store=store, document=document, actor=SYSTEM)
    kept = make_return(store, price="4.00")
    shipped = make_return(store, price="40.00")

    kept_page = signed_in("agent").get(reverse("backoffice:return", args=[kept.rma]))
    shipped_page = signed_in("agent").get(reverse("backoffice:return", args=[shipped.rma]))

    assert "The policy lets the shopper keep the items" in kept_page.content.decode()
    assert "€9.00" in kept_page.content.decode()
    assert "worth_returning" in shipped_page.content.decode()
