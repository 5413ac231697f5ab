"""The store's Stripe account (admin scope) and Stripe's webhook events (no API key, verified
by their Stripe-Signature). docs/integrations.md, "Stripe"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from retorno.api.v1.auth import require_scope
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS
from retorno.api.v1.schemas import Problem
from retorno.connectors.stripe import services
from retorno.connectors.stripe.models import StripeAccount
from retorno.core.problems import problem_response
from retorno.returns.workflows import stripe_payments

router = Router(tags=["connectors"])

WEBHOOK_PATH = "/api/v1/connectors/stripe/webhooks/"
EVENTS = sorted(services.REFUND_EVENTS)


class StripeIn(Schema):
    secret_key: str = Field(
        ..., min_length=12, max_length=255, description="sk_… or a restricted rk_… key."
    )
    webhook_secret: str = Field(
        ..., min_length=12, max_length=255, description="The webhook endpoint's whsec_… secret."
    )
    api_base_url: str = Field(
        "", max_length=500, description="Only for a Stripe not at https://api.stripe.com."
    )


class StripeOut(Schema):
    key_hint: str
    api_base_url: str
    webhook_url: str = Field(description="Register this URL as the account's webhook endpoint.")
    events: list[str] = Field(description="The events to send to it.")
    created_at: datetime
    updated_at: datetime


class StripeEventReceivedOut(Schema):
    received: bool
    duplicate: bool
    outcome: str


def account_body(account: StripeAccount, request: HttpRequest) -> dict[str, Any]:
    return {
        "key_hint": account.key_hint,
        "api_base_url": account.api_base_url,
        "webhook_url": request.build_absolute_uri(WEBHOOK_PATH + account.webhook_token),
        "events": EVENTS,
        "created_at": account.created_at,
        "updated_at": account.updated_at,
    }


@router.put(
    "/connectors/stripe",
    response={200: StripeOut, **WRITE_ERRORS},
    summary="Connect the store's Stripe account for refunds",
)
def stripe_put(request: HttpRequest, payload: StripeIn):
    """The key and the webhook secret are stored encrypted and never shown again; refunds to the
    original payment go through Stripe from now on (the store's payment adapter becomes
    `stripe`). Orders name their PaymentIntent in `payment_reference`."""
    api_key = require_scope(request, "admin")
    account = stripe_payments.stripe_connect(
        store=api_key.store,
        secret_key=payload.secret_key,
        webhook_secret=payload.webhook_secret,
        api_base_url=payload.api_base_url,
    )
    return account_body(account, request)


@router.get("/connectors/stripe", response={200: StripeOut, **ERRORS}, summary="The Stripe account")
def stripe_get(request: HttpRequest):
    api_key = require_scope(request, "admin")
    return account_body(services.account_get(store=api_key.store), request)


@router.delete("/connectors/stripe", response={204: None, **ERRORS}, summary="Disconnect Stripe")
def stripe_delete(request: HttpRequest):
    api_key = require_scope(request, "admin")
    stripe_payments.stripe_disconnect(store=api_key.store)
    return Status(204, None)


@router.post(
    "/connectors/stripe/webhooks/{token}",
    auth=None,
    response={200: StripeEventReceivedOut, 401: Problem, 404: Problem, 422: Problem},
    summary="Inbound Stripe webhook event",
)
def stripe_webhook(request: HttpRequest, token: str):
    """No API key: the Stripe-Signature header is checked with the endpoint's secret and a
    tolerance of 5 minutes (401 `invalid_signature`, nothing stored); an unknown token is 404
    `unknown_account`; a body that is not an event is 422 `invalid_webhook`. A refund event
    settles the refund it names; an event id seen before changes nothing."""
    try:
        received = services.webhook_receive(
            token=token, headers=dict(request.headers.items()), body=request.body
        )
    except services.UnknownAccount:
        return problem_response(
            404, "unknown_account", "No Retorno store has this Stripe webhook URL."
        )
    except services.InvalidSignature:
        return problem_response(
            401,
            "invalid_signature",
            "The Stripe-Signature does not verify or is older than 5 minutes; nothing was stored.",
        )
    outcome = stripe_payments.stripe_event_apply(received)
    return {"received": True, "duplicate": received.duplicate, "outcome": outcome}
