"""Store connectors: the Shopify connection (admin scope) and Shopify's webhooks (no API key,
verified by their HMAC). docs/integrations.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from retorno.api.v1.auth import require_scope
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS
from retorno.api.v1.schemas import Problem
from retorno.connectors.shopify import selectors, services
from retorno.connectors.shopify.models import ShopifyBackfill, ShopifyConnection
from retorno.core.problems import problem_response
from retorno.returns.workflows import storefront

router = Router(tags=["connectors"])

WEBHOOK_PATH = "/api/v1/connectors/shopify/webhooks"


class ShopifyIn(Schema):
    shop_domain: str = Field(..., max_length=255, description="my-store.myshopify.com")
    access_token: str = Field(
        ..., min_length=8, max_length=500, description="The custom app's Admin API token."
    )
    webhook_secret: str = Field(
        ..., min_length=8, max_length=500, description="The app's API secret key."
    )
    api_base_url: str = Field(
        "", max_length=500, description="Only for a shop not at https://<shop_domain>."
    )
    restock_location_id: str = Field(
        "", max_length=80, description="Shopify location receiving restocks; empty: as shipped."
    )
    refunds_in_shopify: bool = True


class ShopifyOut(Schema):
    shop_domain: str
    api_version: str
    api_base_url: str
    webhook_url: str = Field(description="Register this URL for the app's webhooks.")
    topics: list[str]
    token_hint: str
    restock_location_id: str
    refunds_in_shopify: bool
    shop_name: str
    checked_at: datetime | None
    check_error: str
    created_at: datetime
    updated_at: datetime


class CheckOut(Schema):
    ok: bool
    shop_name: str
    locations: list[dict[str, str]]
    code: str
    message: str


class BackfillIn(Schema):
    days: int = Field(30, ge=1, le=services.MAX_BACKFILL_DAYS)


class BackfillOut(Schema):
    id: int
    days: int
    status: str
    total: int | None
    imported: int
    refused: int
    pages: int
    waited_seconds: float
    error: str
    started_at: datetime
    finished_at: datetime | None


class ReceivedOut(Schema):
    received: bool
    duplicate: bool


TOPICS = sorted(services.KNOWN_TOPICS)


def connection_body(connection: ShopifyConnection, request: HttpRequest) -> dict[str, Any]:
    return {
        "shop_domain": connection.shop_domain,
        "api_version": connection.api_version,
        "api_base_url": connection.api_base_url,
        "webhook_url": request.build_absolute_uri(WEBHOOK_PATH),
        "topics": TOPICS,
        "token_hint": connection.token_hint,
        "restock_location_id": connection.restock_location_id,
        "refunds_in_shopify": connection.refunds_in_shopify,
        "shop_name": connection.shop_name,
        "checked_at": connection.checked_at,
        "check_error": connection.check_error,
        "created_at": connection.created_at,
        "updated_at": connection.updated_at,
    }


def backfill_body(run: ShopifyBackfill) -> dict[str, Any]:
    return {
        field: getattr(run, field)
        for field in (
            "id",
            "days",
            "status",
            "total",
            "imported",
            "refused",
            "pages",
            "waited_seconds",
            "error",
            "started_at",
            "finished_at",
        )
    }


@router.put(
    "/connectors/shopify",
    response={200: ShopifyOut, **WRITE_ERRORS},
    summary="Connect the store to its Shopify shop",
)
def shopify_put(request: HttpRequest, payload: ShopifyIn):
    """Stores the token and secret encrypted; the Admin API URL passes the outbound-URL check
    (422 `invalid_outbound_url`). The answer has the `webhook_url` to register in the app for
    each of `topics`."""
    api_key = require_scope(request, "admin")
    connection = storefront.shopify_connect(
        store=api_key.store,
        shop_domain=payload.shop_domain,
        access_token=payload.access_token,
        webhook_secret=payload.webhook_secret,
        api_base_url=payload.api_base_url,
        restock_location_id=payload.restock_location_id,
        refunds_in_shopify=payload.refunds_in_shopify,
    )
    return connection_body(connection, request)


@router.get(
    "/connectors/shopify", response={200: ShopifyOut, **ERRORS}, summary="The Shopify connection"
)
def shopify_get(request: HttpRequest):
    api_key = require_scope(request, "admin")
    return connection_body(services.connection_get(store=api_key.store), request)


@router.delete(
    "/connectors/shopify", response={204: None, **ERRORS}, summary="Disconnect from Shopify"
)
def shopify_delete(request: HttpRequest):
    api_key = require_scope(request, "admin")
    storefront.shopify_disconnect(store=api_key.store)
    return Status(204, None)


@router.post(
    "/connectors/shopify/check",
    response={200: CheckOut, **ERRORS},
    summary="Check the Shopify connection",
)
def shopify_check(request: HttpRequest):
    """Asks the shop its name and locations with the stored token; `ok` false with Shopify's
    answer in `code` and `message` when it cannot."""
    api_key = require_scope(request, "admin")
    result = services.connection_check(store=api_key.store)
    return result.__dict__


@router.post(
    "/connectors/shopify/backfills",
    response={202: BackfillOut, **WRITE_ERRORS},
    summary="Import the last N days of Shopify orders",
)
def shopify_backfill(request: HttpRequest, payload: BackfillIn):
    api_key = require_scope(request, "admin")
    run = services.backfill_start(store=api_key.store, days=payload.days)
    return Status(202, backfill_body(run))


@router.get(
    "/connectors/shopify/backfills/{backfill_id}",
    response={200: BackfillOut, **ERRORS},
    summary="A backfill's progress",
)
def shopify_backfill_get(request: HttpRequest, backfill_id: int):
    api_key = require_scope(request, "admin")
    return backfill_body(selectors.backfill_get(store=api_key.store, backfill_id=backfill_id))


@router.post(
    "/connectors/shopify/webhooks",
    auth=None,
    response={200: ReceivedOut, 400: Problem, 401: Problem, 404: Problem, 422: Problem},
    summary="Inbound Shopify webhook",
)
def shopify_webhook(request: HttpRequest):
    """No API key: X-Shopify-Hmac-Sha256 over the raw body is checked with the shop's secret
    (401 `invalid_signature`, nothing stored); an unknown X-Shopify-Shop-Domain is 404
    `unknown_shop`. A webhook is kept and answered at once, and processed by a job; a webhook
    id seen before is answered 200 and not processed again."""
    try:
        received = services.webhook_receive(
            headers=dict(request.headers.items()), body=request.body
        )
    except services.UnknownShop:
        return problem_response(
            404, "unknown_shop", "No Retorno store is connected to this Shopify shop."
        )
    except services.InvalidSignature:
        return problem_response(
            401, "invalid_signature", "The webhook's HMAC does not verify; nothing was stored."
        )
    return {"received": True, "duplicate": received.duplicate}
