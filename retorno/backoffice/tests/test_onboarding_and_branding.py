"""A new store's first-run checklist follows the store's own data (each step done when its data
shows it, skippable and resumable), and the settings behind it work as forms: the brand with
its preview, the message channels."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from retorno.accounts.models import AuditEntry
from retorno.accounts.services import membership_grant
from retorno.backoffice.tests.conftest import PASSWORD, make_return
from retorno.core.actors import SYSTEM
from retorno.domain.policies import default_policy_document
from retorno.logistics.tests.factories import make_carrier
from retorno.notifications.models import NotificationSettings
from retorno.policies.services import policy_publish
from retorno.returns.selectors.onboarding import onboarding_checklist
from retorno.stores.models import Store
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def states(store: Store) -> dict[str, str]:
    store.refresh_from_db()
    return {s.code: s.state for s in onboarding_checklist(store=store).steps}


@pytest.fixture
def fresh(client: Client) -> dict[str, Any]:
    store = StoreFactory(slug="nueva", name="Nueva")
    owner = membership_grant(
        store=store, username="olga", email="olga@nueva.test", role="owner", password=PASSWORD
    ).user
    client.force_login(owner)
    return {"store": store, "owner": owner, "client": client}


def test_each_step_is_done_when_the_store_data_says_so(fresh: dict[str, Any]) -> None:
    store, client = fresh["store"], fresh["client"]
    assert set(states(store).values()) == {"to_do"}
    page = client.get("/staff/").content.decode()
    assert 'id="onboarding-card"' in page
    assert "0 of 7 steps done" in page

    # A new store starts on the default policy (version 1): publishing one's own is the step.
    policy_publish(store=store, document=default_policy_document(), actor=SYSTEM, note="ours")
    make_carrier(store, "demo")
    client.post(
        "/staff/settings/branding",
        {"primary_colour": "#0a7a3d", "accent_colour": "#f2a900", "font": "serif"},
    )
    client.post("/staff/settings/notifications", {"email": "on"})
    membership_grant(store=store, username="pep", email="pep@nueva.test", role="agent")
    assert states(store) == {
        "policy": "done",
        "carriers": "done",
        "branding": "done",
        "notifications": "done",
        "shop": "to_do",
        "team": "done",
        "test_return": "to_do",
    }
    make_return(store)  # an order came in and a return was asked for
    assert set(states(store).values()) == {"done"}
    assert 'id="onboarding-card"' not in client.get("/staff/").content.decode()


def test_a_step_is_skipped_and_resumed(fresh: dict[str, Any]) -> None:
    store, client = fresh["store"], fresh["client"]
    assert client.post("/staff/settings/start/shop", {"skip": "1"}).status_code == 302
    assert states(store)["shop"] == "skipped"
    page = client.get("/staff/settings/start").content.decode()
    assert 'data-step="shop" data-state="skipped"' in page
    client.post("/staff/settings/start/shop", {"skip": "0"})
    assert states(store)["shop"] == "to_do"
    assert client.post("/staff/settings/start/nothing", {"skip": "1"}).status_code == 404
    for step in ("policy", "carriers", "branding", "notifications", "shop", "team", "test_return"):
        client.post(f"/staff/settings/start/{step}", {"skip": "1"})
    assert 'id="onboarding-card"' not in client.get("/staff/").content.decode()
    assert 'id="onboarding-complete"' in client.get("/staff/settings/start").content.decode()


@pytest.mark.parametrize("role", ["manager", "agent", "warehouse", "finance", "analyst"])
def test_only_owners_and_admins_set_the_store_up(role: str, signed_in: Any, store: Store) -> None:
    client = signed_in(role)
    for url in (
        "/staff/settings/start",
        "/staff/settings/branding",
        "/staff/settings/notifications",
    ):
        assert client.get(url).status_code == 403
    assert client.post("/staff/settings/branding", {"primary_colour": "#000000"}).status_code == 403
    assert 'id="onboarding-card"' not in client.get("/staff/").content.decode()


def test_the_brand_is_checked_previewed_and_saved(signed_in: Any, store: Store) -> None:
    client = signed_in("admin")
    form = client.get("/staff/settings/branding").content.decode()
    assert 'type="color"' in form
    assert "--p:#1f4e79" in form
    bad = client.post(
        "/staff/settings/branding",
        {
            "primary_colour": "red",
            "accent_colour": "#f2a900",
            "font": "serif",
            "logo_url": "javascript:alert(1)",
        },
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "six hexadecimal digits" in html
    assert "https:// address" in html
    preview = client.post(
        "/staff/settings/branding",
        {
            "primary_colour": "#ffe600",
            "accent_colour": "#222222",
            "font": "serif",
            "action": "preview",
        },
    )
    assert preview.status_code == 200
    assert "--p:#ffe600;--on-p:#000000" in preview.content.decode()  # black reads on yellow
    store.refresh_from_db()
    assert store.primary_colour == "#1f4e79"  # a preview saves nothing
    saved = client.post(
        "/staff/settings/branding",
        {
            "primary_colour": "#ffe600",
            "accent_colour": "#222222",
            "font": "serif",
            "logo_url": "https://cdn.shop.test/logo.png",
            "support_email": "help@shop.test",
        },
    )
    assert saved.status_code == 302
    store.refresh_from_db()
    assert (store.primary_colour, store.font, store.logo_url, store.support_email) == (
        "#ffe600",
        "serif",
        "https://cdn.shop.test/logo.png",
        "help@shop.test",
    )
    entry = AuditEntry.objects.get(action="settings.branding_saved")
    assert entry.details["primary_colour"] == "#ffe600"
    portal = Client().get("/s/shop/").content.decode()
    assert "--primary:#ffe600" in portal


def test_the_message_channels(signed_in: Any, store: Store) -> None:
    client = signed_in("owner")
    page = client.get("/staff/settings/notifications").content.decode()
    assert 'name="email"' in page
    assert "checked" in page
    client.post("/staff/settings/notifications", {"email": "on", "sms": "on"})
    found = NotificationSettings.objects.get(store=store)
    assert (found.email_enabled, found.sms_enabled, found.whatsapp_enabled) == (True, True, False)
    assert AuditEntry.objects.filter(action="settings.notifications_saved").count() == 1


def test_the_checklist_in_spanish(fresh: dict[str, Any]) -> None:
    client = fresh["client"]
    page = client.get("/staff/settings/start", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Prepara tu tienda" in page
    assert "Conecta tu tienda online" in page


def test_the_return_methods(signed_in: Any, store: Store) -> None:
    client = signed_in("admin")
    page = client.get("/staff/settings/return-methods").content.decode()
    assert page.count('name="methods"') == 4
    assert client.post("/staff/settings/return-methods", {}).status_code == 422
    refused = client.post("/staff/settings/return-methods", {"methods": ["keep"]})
    assert refused.status_code == 422
    saved = client.post("/staff/settings/return-methods", {"methods": ["self_ship", "drop_off"]})
    assert saved.status_code == 302
    store.refresh_from_db()
    assert store.return_methods == ["drop_off", "self_ship"]
    entry = AuditEntry.objects.get(action="settings.return_methods_saved")
    assert entry.details == {"methods": "self_ship, drop_off"}
    assert signed_in("manager").get("/staff/settings/return-methods").status_code == 403


def test_message_templates_with_variables_preview_and_the_real_message(
    signed_in: Any, store: Store, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in("owner")
    page = client.get("/staff/settings/message-templates", {"kind": "approved", "language": "es"})
    html = page.content.decode()
    assert "{customer_name}" in html
    assert 'id="preview-text"' in html
    assert "aprobada" in html  # Retorno's own words, in Spanish, until the store writes its own
    bad = client.post(
        "/staff/settings/message-templates?kind=approved&language=es",
        {"subject": "Hola {nombre}", "headline": "", "intro": ""},
    )
    assert bad.status_code == 422
    assert "Use only the variables listed" in bad.content.decode()
    saved = client.post(
        "/staff/settings/message-templates?kind=approved&language=en",
        {
            "subject": "{store}: return {rma} is on",
            "headline": "Good news, {customer_name}",
            "intro": "Thanks for shopping with {store}.",
        },
    )
    assert saved.status_code == 302
    preview = client.get(
        "/staff/settings/message-templates", {"kind": "approved", "language": "en"}
    ).content.decode()
    assert "Shop: return R-000123 is on" in preview
    assert "Good news, Lucía" in preview
    assert AuditEntry.objects.filter(action="settings.template_saved").count() == 1

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ret = make_return(store, email="ana@example.com")
    subjects = [m.subject for m in mailoutbox]
    assert f"Shop: return {ret.rma} is on" in subjects, subjects
    body = next(m.body for m in mailoutbox if m.subject.startswith("Shop: return"))
    assert "Thanks for shopping with Shop." in body

    cleared = client.post(
        "/staff/settings/message-templates?kind=approved&language=en",
        {"subject": "", "headline": "", "intro": ""},
    )
    assert cleared.status_code == 302
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_return(store, email="eva@example.com")
    assert mailoutbox
    assert not any(m.subject.startswith("Shop: return") for m in mailoutbox)
