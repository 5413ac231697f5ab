"""A message's test send: the preview, with the store's own words, e-mailed to the signed-in
owner or admin (marked as a test, text and HTML); nothing is logged as sent to a shopper, and
only those who change settings may send one."""

from __future__ import annotations

from typing import Any

import pytest

from retorno.accounts.models import AuditEntry
from retorno.notifications.models import Message, MessageTemplate
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db
URL = "/staff/settings/message-templates"


def test_an_owner_sends_themself_the_message_in_spanish(
    signed_in: Any, store: Store, mailoutbox: list[Any]
) -> None:
    client = signed_in("owner")
    client.post(
        f"{URL}?kind=approved&language=es",
        {"subject": "{store}: devolución {rma} en marcha", "headline": "", "intro": ""},
    )
    page = client.get(URL, {"kind": "approved", "language": "es"}).content.decode()
    assert 'id="template-test"' in page
    assert "owner@shop.test" in page
    response = client.post(f"{URL}/test", {"kind": "approved", "language": "es"})
    assert response.status_code == 302
    assert response["Location"].endswith("?kind=approved&language=es")
    (sent,) = mailoutbox
    assert sent.to == ["owner@shop.test"]
    assert sent.subject == "[Prueba] Shop: devolución R-000123 en marcha"
    assert "Lucía" in sent.body
    assert sent.alternatives
    assert sent.alternatives[0][1] == "text/html"
    assert Message.objects.count() == 0  # not a message to a shopper
    assert AuditEntry.objects.filter(action="settings.template_test_sent").count() == 1
    assert "A test was sent" in client.get(response["Location"]).content.decode()


def test_english_and_no_address(signed_in: Any, staff: Any, mailoutbox: list[Any]) -> None:
    client = signed_in("admin")
    client.post(f"{URL}/test", {"kind": "refunded", "language": "en"})
    (sent,) = mailoutbox
    assert sent.subject.startswith("[Test] ")
    staff["admin"].email = ""
    staff["admin"].save(update_fields=["email"])
    response = client.post(f"{URL}/test", {"kind": "approved", "language": "en"}, follow=True)
    assert "no e-mail address" in response.content.decode()
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("role", ["manager", "agent", "warehouse", "finance", "analyst"])
def test_only_owners_and_admins(signed_in: Any, role: str, mailoutbox: list[Any]) -> None:
    response = signed_in(role).post(f"{URL}/test", {"kind": "approved", "language": "en"})
    assert response.status_code == 403
    assert mailoutbox == []


def test_claim_messages_are_written_previewed_and_sent_as_a_test(
    signed_in: Any, store: Store, other_store: Store, mailoutbox: list[Any]
) -> None:
    client = signed_in("owner")
    page = client.get(URL, {"kind": "claim_resolved", "language": "es"}).content.decode()
    assert 'value="claim_resolved"' in page  # offered by the picker
    assert "{claim}" in page
    assert "{rma}" not in page  # a claim has no return
    assert "About a sample claim" in page
    assert "Tu reclamación CL-1A2B3C4D está resuelta" in page  # Retorno's words until then
    refused = client.post(
        f"{URL}?kind=claim_resolved&language=es",
        {"subject": "Devolución {rma}", "headline": "", "intro": ""},
    )
    assert refused.status_code == 422
    MessageTemplate.objects.create(
        store=other_store, kind="claim_resolved", language="es", subject="OTHER STORE"
    )
    saved = client.post(
        f"{URL}?kind=claim_resolved&language=es",
        {"subject": "{store}: reclamación {claim} resuelta", "headline": "", "intro": ""},
    )
    assert saved.status_code == 302
    preview = client.get(URL, {"kind": "claim_resolved", "language": "es"}).content.decode()
    assert "Shop: reclamación CL-1A2B3C4D resuelta" in preview
    client.post(f"{URL}/test", {"kind": "claim_resolved", "language": "es"})
    client.post(f"{URL}/test", {"kind": "claim_rejected", "language": "en"})
    resolved, rejected = mailoutbox
    assert resolved.subject == "[Prueba] Shop: reclamación CL-1A2B3C4D resuelta"
    assert "Lucía" in resolved.body
    assert rejected.subject == "[Test] Your claim CL-1A2B3C4D could not be accepted"
    assert Message.objects.count() == 0
