"""The WooCommerce and Stripe settings pages against their local simulators on loopback: an admin
connects, checks the connection (a wrong key explained), sees the webhook URL, the last poll and
the webhooks or events received; the secrets never come back; other roles change nothing."""

from __future__ import annotations

import threading

import pytest

from retorno.connectors.stripe.models import StripeAccount, StripeEvent
from retorno.connectors.stripe.sim.server import StripeSimulator
from retorno.connectors.woocommerce.models import WooBackfill, WooConnection
from retorno.connectors.woocommerce.sim.server import WooSimulator
from retorno.money.selectors import settings_for

pytestmark = pytest.mark.django_db

KEY, SECRET, HOOK_SECRET = "ck_page_test", "cs_page_test", "woo-page-secret"
STRIPE_KEY, WHSEC = "sk_test_page_key", "whsec_page_secret"


@pytest.fixture
def woo(tmp_path):
    s = WooSimulator(port=0, state_dir=str(tmp_path), consumer_key=KEY, consumer_secret=SECRET)
    threading.Thread(target=s.httpd.serve_forever, daemon=True).start()
    yield s
    s.shutdown()


@pytest.fixture
def stripe_sim():
    s = StripeSimulator(port=0, secret_key=STRIPE_KEY, webhook_secret=WHSEC)
    s.start_in_thread()
    yield s
    s.shutdown()


def woo_connect(client, sim, secret=SECRET):
    return client.post(
        "/staff/settings/woocommerce",
        {
            "store_url": sim.url,
            "consumer_key": KEY,
            "consumer_secret": secret,
            "webhook_secret": HOOK_SECRET,
            "refunds_in_woocommerce": "on",
            "api_refund": "on",
        },
    )


def test_an_admin_connects_checks_and_backfills_woocommerce(
    signed_in, woo, django_capture_on_commit_callbacks
):
    admin = signed_in("admin")
    woo.place_order({"email": "ana@example.com", "lines": [{"sku": "WOO-CAP", "quantity": 1}]})
    assert woo_connect(admin, woo).status_code == 302
    assert settings_for(WooConnection.objects.get().store).payment_adapter == "woocommerce"
    page = admin.get("/staff/settings/woocommerce").content.decode()
    assert "/api/v1/connectors/woocommerce/webhooks" in page
    for secret in (KEY, SECRET, HOOK_SECRET):
        assert secret not in page
    checked = admin.post("/staff/settings/woocommerce/check", follow=True).content.decode()
    assert "Tienda Woo de prueba" in checked
    assert WooConnection.objects.get().check_error == ""
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/staff/settings/woocommerce/backfill", {"days": "7"})
    run = WooBackfill.objects.get()
    assert (run.status, run.imported) == ("done", 1)
    page = admin.get("/staff/settings/woocommerce").content.decode()
    assert 'id="woo-backfill-progress" max="100" value="100"' in page


def test_a_wrong_woocommerce_secret_is_explained_in_spanish(signed_in, woo):
    admin = signed_in("admin")
    woo_connect(admin, woo, secret="cs_not_the_secret")
    admin.cookies["django_language"] = "es"
    answer = admin.post("/staff/settings/woocommerce/check", follow=True).content.decode()
    assert "WooCommerce lo rechazó" in answer
    assert "Última consulta de pedidos cambiados" in answer
    assert WooConnection.objects.get().check_error


def test_a_bad_woocommerce_key_is_named_on_its_field(signed_in, woo):
    admin = signed_in("admin")
    answer = admin.post(
        "/staff/settings/woocommerce",
        {
            "store_url": woo.url,
            "consumer_key": "not-a-key",
            "consumer_secret": SECRET,
            "webhook_secret": HOOK_SECRET,
        },
    )
    assert answer.status_code == 422
    assert "ck_" in answer.content.decode()
    assert not WooConnection.objects.exists()


def test_an_admin_connects_and_checks_stripe_and_sees_its_events(signed_in, stripe_sim, client):
    admin = signed_in("admin")
    answer = admin.post(
        "/staff/settings/stripe",
        {"secret_key": STRIPE_KEY, "webhook_secret": WHSEC, "api_base_url": stripe_sim.url},
    )
    assert answer.status_code == 302
    account = StripeAccount.objects.get()
    assert settings_for(account.store).payment_adapter == "stripe"
    page = admin.get("/staff/settings/stripe").content.decode()
    assert f"/api/v1/connectors/stripe/webhooks/{account.webhook_token}" in page
    assert STRIPE_KEY not in page
    assert WHSEC not in page
    checked = admin.post("/staff/settings/stripe/check", follow=True).content.decode()
    assert "Stripe answered" in checked
    account.refresh_from_db()
    assert account.checked_at is not None
    assert account.check_error == ""

    # An event Stripe signs reaches the store and is listed with what it did.
    intent = stripe_sim.ledger.intent_create({"amount": "1990", "currency": "eur"})
    stripe_sim.ledger.refund_create({"payment_intent": intent["id"], "amount": "500"})
    event = stripe_sim.events("refund.created")[0]
    body, signature = stripe_sim.signed_event(event)
    delivered = client.post(
        f"/api/v1/connectors/stripe/webhooks/{account.webhook_token}",
        body,
        content_type="application/json",
        headers={"Stripe-Signature": signature},
    )
    assert delivered.status_code == 200, delivered.content
    assert StripeEvent.objects.count() == 1
    page = admin.get("/staff/settings/stripe").content.decode()
    assert 'id="stripe-events"' in page
    assert "refund.created" in page


def test_a_revoked_stripe_key_is_explained(signed_in, stripe_sim):
    admin = signed_in("admin")
    admin.post(
        "/staff/settings/stripe",
        {
            "secret_key": "sk_test_revoked_key",
            "webhook_secret": WHSEC,
            "api_base_url": stripe_sim.url,
        },
    )
    answer = admin.post("/staff/settings/stripe/check", follow=True).content.decode()
    assert "Stripe refused" in answer
    assert StripeAccount.objects.get().check_error


@pytest.mark.parametrize("page", ["woocommerce", "stripe"])
def test_an_agent_cannot_change_either_connection(signed_in, woo, stripe_sim, page):
    agent = signed_in("agent")
    body = (
        {"secret_key": STRIPE_KEY, "webhook_secret": WHSEC, "api_base_url": stripe_sim.url}
        if page == "stripe"
        else {
            "store_url": woo.url,
            "consumer_key": KEY,
            "consumer_secret": SECRET,
            "webhook_secret": HOOK_SECRET,
        }
    )
    assert agent.post(f"/staff/settings/{page}", body).status_code in (302, 403)
    assert agent.get(f"/staff/settings/{page}").status_code in (302, 403)
    assert not WooConnection.objects.exists()
    assert not StripeAccount.objects.exists()
