"""The Shopify settings page against the shop simulator on loopback: an admin connects, checks
the connection, starts a backfill and sees its progress; a bad token is explained; other roles
cannot see or change it."""

from __future__ import annotations

import pytest

from retorno.connectors.shopify.models import ShopifyBackfill, ShopifyConnection
from retorno.connectors.shopify.sim.server import ShopSimulator

pytestmark = pytest.mark.django_db

TOKEN = "shpat_page_test"
SECRET = "page-test-secret"


@pytest.fixture
def sim(tmp_path):
    s = ShopSimulator(port=0, state_dir=str(tmp_path), access_token=TOKEN, webhook_secret=SECRET)
    s.start_in_thread()
    yield s
    s.shutdown()


def connect(client, sim, token=TOKEN):
    return client.post(
        "/staff/settings/shopify",
        {
            "shop_domain": "tienda-demo.myshopify.com",
            "access_token": token,
            "webhook_secret": SECRET,
            "api_base_url": sim.url,
            "refunds_in_shopify": "on",
        },
    )


def test_an_admin_connects_checks_and_backfills(signed_in, sim, django_capture_on_commit_callbacks):
    admin = signed_in("admin")
    for _ in range(3):
        sim.place_order({"lines": [{"sku": "SIM-TSH-M", "quantity": 1}]})
    assert connect(admin, sim).status_code == 302
    page = admin.get("/staff/settings/shopify").content.decode()
    assert "/api/v1/connectors/shopify/webhooks" in page
    assert TOKEN not in page
    checked = admin.post("/staff/settings/shopify/check", follow=True).content.decode()
    assert "Tienda de prueba" in checked
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/staff/settings/shopify/backfill", {"days": "7"})
    run = ShopifyBackfill.objects.get()
    assert (run.status, run.imported) == ("done", 3)
    page = admin.get("/staff/settings/shopify").content.decode()
    assert 'id="shopify-backfill-progress" max="100" value="100"' in page


def test_a_wrong_token_is_explained(signed_in, sim):
    admin = signed_in("admin")
    connect(admin, sim, token="shpat_not_the_token")
    answer = admin.post("/staff/settings/shopify/check", follow=True).content.decode()
    assert "Shopify refused" in answer or "Shopify lo rechazó" in answer
    assert ShopifyConnection.objects.get().check_error


def test_an_agent_cannot_change_the_connection(signed_in, sim):
    agent = signed_in("agent")
    assert connect(agent, sim).status_code in (302, 403)
    assert not ShopifyConnection.objects.exists()
