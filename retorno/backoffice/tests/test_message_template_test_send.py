"""A message's test send: the preview, with the store's own words, e-mailed to the signed-in
owner or admin (marked as a test, text and HTML); nothing is logged as sent to a shopper, and
only those who change settings may send one."""

from __future__ import annotations

from typing import Any

import pytest

from retorno.accounts.models import AuditEntry
from retorno.notifications.models import Message
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
