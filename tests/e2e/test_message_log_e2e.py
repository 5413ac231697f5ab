"""An agent reads what a shopper was sent and sends it again, in a real browser (phone size);
in Spanish, the log lists the e-mail and the SMS in the store's words with their tries."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.backoffice.tests.conftest import make_return
from retorno.notifications.models import Message
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "agent-password-123"


@pytest.fixture
def sent(transactional_db: None, settings: Any) -> dict[str, Any]:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="carlos", email="carlos@moda.test", role="agent", password=PASSWORD
    )
    ret = make_return(store, email="lola@example.com")
    return {"store": store, "return": ret}


def test_agent_reads_a_message_and_sends_it_again(
    page: Page, live_server: Any, sent: dict[str, Any], shoot: Any
) -> None:
    page.goto(f"{live_server.url}/staff/messages")
    page.get_by_label("Username").fill("carlos")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Messages")).to_be_visible()
    rows = page.locator("#message-log tbody tr")
    expect(rows).to_have_count(Message.objects.filter(store=sent["store"]).count())
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "messages-1-log-phone")
    rows.first.get_by_role("link").first.click()
    expect(page.locator("#message-body")).to_contain_text(sent["return"].rma)
    page.get_by_role("button", name="Send it again").click()
    expect(page.get_by_text("The message will be sent again in a moment.")).to_be_visible()
    expect(page.locator("#sent-again")).to_be_visible()
    assert Message.objects.filter(dedupe_key__startswith="again:").count() == 1


def test_the_log_in_spanish_on_a_phone_lists_e_mail_and_sms_with_their_tries(
    page: Page, live_server: Any, sent: dict[str, Any], settings: Any, shoot: Any
) -> None:
    from retorno.notifications.models import MessageTemplate, NotificationSettings
    from retorno.notifications.tests.test_delivery import create_return, order_for

    settings.NOTIFY_SMS_BACKEND = "retorno.notifications.channels.LocmemTextBackend"
    store = sent["store"]
    NotificationSettings.objects.create(store=store, sms_enabled=True)
    MessageTemplate.objects.create(
        store=store, kind="approved", language="es", subject="{rma} ya está con nosotros"
    )
    spanish = create_return(store, order_for(store, language="es", phone="+34600000002"))
    mail = Message.objects.get(rma=spanish.rma, channel="email")
    Message.objects.filter(id=mail.id).update(attempts=2)  # the server missed the first try

    page.set_viewport_size({"width": 390, "height": 844})
    page.set_extra_http_headers({"Accept-Language": "es"})
    page.goto(f"{live_server.url}/staff/messages")
    page.get_by_label("Usuario").fill("carlos")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Mensajes")).to_be_visible()
    row = page.locator(f'#message-log tr[data-message="{mail.id}"]')
    expect(row).to_contain_text(f"{spanish.rma} ya está con nosotros")
    expect(row).to_contain_text("Enviado")
    expect(row).to_contain_text("2 intentos")
    page.get_by_label("Canal").select_option("sms")
    page.get_by_role("button", name="Filtro").click()
    sms = Message.objects.get(rma=spanish.rma, channel="sms")
    expect(page.locator("#message-log tbody tr")).to_have_count(1)
    sms_row = page.locator(f'#message-log tr[data-message="{sms.id}"]')
    expect(sms_row).to_contain_text("SMS")
    expect(sms_row).to_contain_text(f"{spanish.rma} ya está con nosotros")  # its words
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "messages-2-sms-phone-es")
    page.locator(f'#message-log tr[data-message="{sms.id}"] a').first.click()
    expect(page.locator("#message-body")).to_contain_text(f"{spanish.rma} ya está con nosotros")
    expect(page.locator("#message-facts")).to_contain_text("Español")
    shoot(page, "messages-3-sms-detail-phone-es")
