"""Refunds through Stripe against the local Stripe over HTTP on loopback: connecting (secrets
encrypted), a refund made once per key through outages and a lost answer, a bank refund settled
by its webhook, a failed refund the agent sees, and the webhook's signature, age and repeats."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from retorno.connectors.stripe import services
from retorno.connectors.stripe.client import StripeClient, StripeRejected, StripeUnavailable
from retorno.connectors.stripe.models import StripeAccount, StripeEvent
from retorno.connectors.stripe.payments import minor_amount
from retorno.connectors.stripe.sim.server import StripeSimulator, sign
from retorno.core.models import OutboxMessage
from retorno.core.outbox import outbox_deliver_one
from retorno.money.models import MoneySettings, Refund
from retorno.money.tests.conftest import open_return, order_with, receive
from retorno.orders.models import Order
from retorno.returns.workflows import refunds as refund_flow

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "sk_test_retorno_1234567890"
WHSEC = "whsec_retorno_test_secret"


@pytest.fixture
def sim():
    s = StripeSimulator(port=0, secret_key=KEY, webhook_secret=WHSEC)
    s.start_in_thread()
    yield s
    s.shutdown()


@pytest.fixture
def connected(api, sim):
    answer = api.send(
        "put",
        "/connectors/stripe",
        {"secret_key": KEY, "webhook_secret": WHSEC, "api_base_url": sim.url},
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


def paid_order(store, sim, *, method: str = "pm_card_visa", unit_price: str = "20.00"):
    order = order_with(store, quantity=1, unit_price=unit_price)
    intent = sim.ledger.intent_create(
        {
            "amount": minor_amount(Decimal(unit_price), "EUR"),
            "currency": "eur",
            "payment_method": method,
        }
    )
    Order.objects.filter(id=order.id).update(payment_reference=intent["id"])
    order.refresh_from_db()
    return order, intent


def post_event(api, token: str, body: bytes, signature: str):
    return api.send(
        "post",
        f"/connectors/stripe/webhooks/{token}",
        body,
        headers={"Stripe-Signature": signature} if signature else {},
    )


def test_connecting_stores_secrets_encrypted_and_chooses_stripe(api, connected, store):
    account = StripeAccount.objects.get(store=store)
    assert KEY not in account.key_encrypted
    assert WHSEC not in account.webhook_secret_encrypted
    assert connected["key_hint"] == KEY[:8]
    assert "secret_key" not in connected
    assert KEY not in json.dumps(connected)
    assert connected["webhook_url"].endswith(f"/connectors/stripe/webhooks/{account.webhook_token}")
    assert MoneySettings.objects.get(store=store).payment_adapter == "stripe"
    assert api.send("delete", "/connectors/stripe").status_code == 204
    assert MoneySettings.objects.get(store=store).payment_adapter == ""


def test_connect_refuses_a_publishable_key(api):
    answer = api.send(
        "put", "/connectors/stripe", {"secret_key": "pk_test_123456789012", "webhook_secret": WHSEC}
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "validation_error"


def test_a_return_is_refunded_to_its_payment_intent_once(api, connected, sim, store):
    order, intent = paid_order(store, sim)
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    refund = Refund.objects.get()
    assert refund.state == "succeeded", refund.last_error
    stripe_refunds = sim.ledger.refund_list(intent["id"])
    assert len(stripe_refunds) == 1
    made = stripe_refunds[0]
    assert refund.provider_reference == made["id"]
    assert made["amount"] == minor_amount(refund.amount, "EUR")
    assert made["metadata"]["retorno_refund"] == refund.idempotency_key
    assert made["metadata"]["reference"] == ret.rma
    assert ("POST", "/v1/refunds", refund.idempotency_key) in sim.api_calls
    assert ret.events.filter(kind="refunded").count() == 1


def test_an_outage_then_a_lost_answer_still_refund_once(api, connected, sim, store):
    order, intent = paid_order(store, sim)
    sim.faults = [503]
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    refund = Refund.objects.get()
    assert refund.state == "pending"
    assert "503" in refund.last_error
    assert sim.ledger.refund_list(intent["id"]) == []

    sim.lose = 1  # Stripe refunds, and the answer never arrives
    message = OutboxMessage.objects.get(kind="refund.send")
    later = refund.created_at.replace(year=refund.created_at.year + 1)
    assert outbox_deliver_one(message.id, now=later) != "delivered"
    refund.refresh_from_db()
    assert refund.state == "pending"
    assert len(sim.ledger.refund_list(intent["id"])) == 1

    # The outbox sends the same key again: Stripe answers the refund it made.
    assert (
        refund_flow.refund_drive(refund.id, now=later.replace(year=later.year + 1)) == "succeeded"
    )
    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert len(sim.ledger.refund_list(intent["id"])) == 1
    keys = [k for method, path, k in sim.api_calls if path == "/v1/refunds"]
    assert keys == [refund.idempotency_key] * 3


def test_a_bank_refund_stays_pending_until_its_webhook(api, connected, sim, store):
    order, _intent = paid_order(store, sim, method="pm_sepa_debit")
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    refund = Refund.objects.get()
    assert refund.state == "pending"
    assert not refund.awaiting_manual  # Stripe is settling it, not finance
    reference = refund.provider_reference
    assert reference.startswith("re_")

    sim.settle(reference, "succeeded")
    token = StripeAccount.objects.get(store=store).webhook_token
    for event in sim.events():
        body, signature = sim.signed_event(event)
        assert post_event(api, token, body, signature).status_code == 200
    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert ret.events.filter(kind="refunded").count() == 1
    outcomes = dict(
        StripeEvent.objects.filter(type="refund.updated").values_list("type", "outcome")
    )
    assert outcomes == {"refund.updated": "succeeded"}
    assert StripeEvent.objects.get(type="charge.refund.updated").outcome == "already succeeded"

    # The same event again changes nothing.
    body, signature = sim.signed_event(sim.events("refund.updated")[0])
    again = post_event(api, token, body, signature)
    assert again.json() == {"received": True, "duplicate": True, "outcome": "duplicate"}
    assert ret.events.filter(kind="refunded").count() == 1


def test_a_failed_refund_is_failed_with_stripes_reason_for_the_agent(api, connected, sim, store):
    order, _intent = paid_order(store, sim, method="pm_sepa_debit")
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    refund = Refund.objects.get()
    sim.settle(refund.provider_reference, "failed", "expired_or_canceled_card")
    token = StripeAccount.objects.get(store=store).webhook_token
    body, signature = sim.signed_event(sim.events("refund.updated")[0])
    assert post_event(api, token, body, signature).json()["outcome"] == "failed"
    refund.refresh_from_db()
    assert refund.state == "failed"
    assert "expired_or_canceled_card" in refund.last_error
    # The agent sees it with the reason (the API and the return's page show `last_error`).
    listed = api.get(f"/returns/{ret.rma}/refunds").json()["results"][0]
    assert listed["state"] == "failed"
    assert "expired_or_canceled_card" in listed["last_error"]
    assert ret.events.filter(kind="refunded").count() == 0


def test_an_order_without_a_stripe_payment_fails_with_a_reason(api, connected, sim, store):
    order = order_with(store, quantity=1, unit_price="20.00")
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    refund = Refund.objects.get()
    assert refund.state == "failed"
    assert "payment_reference" in refund.last_error
    assert [c for c in sim.api_calls if c[1] == "/v1/refunds"] == []


def test_more_than_is_left_on_the_payment_is_refused_by_stripe(api, connected, sim, store):
    order, intent = paid_order(store, sim)
    sim.ledger.refund_create({"payment_intent": intent["id"], "amount": "1500"})
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    refund = Refund.objects.get()
    assert refund.state == "failed"
    assert "greater than unrefunded amount" in refund.last_error


def test_webhook_signature_age_token_and_body_are_checked(api, connected, sim, store):
    order, _intent = paid_order(store, sim, method="pm_sepa_debit")
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    refund = Refund.objects.get()
    sim.settle(refund.provider_reference, "succeeded")
    token = StripeAccount.objects.get(store=store).webhook_token
    event = sim.events("refund.updated")[0]
    body, _ = sim.signed_event(event)

    wrong = post_event(api, token, body, sign("whsec_someone_else", body, int(time.time())))
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_signature"
    stale = post_event(api, token, body, sign(WHSEC, body, int(time.time()) - 301))
    assert stale.status_code == 401
    assert post_event(api, token, body, "").status_code == 401
    unknown = post_event(api, "nobody", body, sign(WHSEC, body, int(time.time())))
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "unknown_account"
    junk = b'{"hello": "world"}'
    bad = post_event(api, token, junk, sign(WHSEC, junk, int(time.time())))
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_webhook"
    assert StripeEvent.objects.count() == 0
    refund.refresh_from_db()
    assert refund.state == "pending"


def test_signature_scheme_matches_stripes_published_example():
    # A second, independent computation of the scheme: HMAC-SHA256 of "<t>.<body>", hex.
    import hashlib
    import hmac

    body, t = b'{"id":"evt_1"}', 1_700_000_000
    digest = hmac.new(b"whsec_x", b"1700000000." + body, hashlib.sha256).hexdigest()
    header = f"t={t},v1=00bad,v1={digest}"
    assert services.signature_valid("whsec_x", body, header, now=t + 299)
    assert not services.signature_valid("whsec_x", body, header, now=t + 301)
    assert not services.signature_valid("whsec_y", body, header, now=t)
    assert not services.signature_valid("whsec_x", body, f"t={t}", now=t)


def test_minor_amounts_follow_the_currency():
    assert minor_amount(Decimal("12.34"), "EUR") == 1234
    assert minor_amount(Decimal("500"), "JPY") == 500
    with pytest.raises(ValueError, match="more decimals"):
        minor_amount(Decimal("1.234"), "EUR")


@pytest.fixture
def flushed_sim():
    s = StripeSimulator(port=0, secret_key=KEY, webhook_secret=WHSEC, background=False)
    s.start_in_thread()
    yield s
    s.shutdown()


def test_the_local_stripes_webhooks_settle_the_refund_over_http(
    api, flushed_sim, store, live_server, transactional_db
):
    """The whole loop on loopback: refund out to the local Stripe, its signed events back to
    Retorno's webhook URL served by a real server."""
    sim = flushed_sim
    answer = api.send(
        "put",
        "/connectors/stripe",
        {"secret_key": KEY, "webhook_secret": WHSEC, "api_base_url": sim.url},
    )
    path = answer.json()["webhook_url"].split("/api/v1/", 1)[1]
    sim.webhook_url = f"{live_server.url}/api/v1/{path}"
    order, _intent = paid_order(store, sim, method="pm_sepa_debit")
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    refund = Refund.objects.get()
    assert refund.state == "pending"
    assert sim.flush() == [200]  # refund.created: still pending
    sim.settle(refund.provider_reference, "succeeded")
    assert sim.flush() == [200, 200, 200]
    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert StripeEvent.objects.get(type="refund.updated").outcome == "succeeded"
    assert ret.events.filter(kind="refunded").count() == 1


def test_the_library_calls_stripe_through_the_outbound_url_check(sim, settings):
    """Stripe's library is handed the guarded session: a loopback Stripe is refused as soon as
    private addresses are no longer allowed, before any request reaches it."""
    client = StripeClient(base_url=sim.url, secret_key=KEY)
    params = {"payment_intent": "pi_missing", "amount": 100}
    with pytest.raises(StripeRejected):  # reached: the local Stripe answers 4xx
        client.refund_create(params, idempotency_key="outbound-1")
    requests_before = len(sim.ledger.refunds)
    settings.RETORNO_ALLOW_PRIVATE_URLS = False
    with pytest.raises(StripeUnavailable, match=r"(?i)private|loopback|refused|allowed"):
        client.refund_create(params, idempotency_key="outbound-2")
    assert len(sim.ledger.refunds) == requests_before
