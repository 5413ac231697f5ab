"""The WooCommerce connection (admin scope) and WooCommerce's webhooks (no API key, verified by
their signature). docs/integrations.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from retorno.api.v1.auth import require_scope
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS
from retorno.api.v1.schemas import Problem
from retorno.connectors.woocommerce import selectors, services
from retorno.connectors.woocommerce.models import WooBackfill, WooConnection
from retorno.core.problems import problem_response
from retorno.returns.workflows import woocommerce

router = Router(tags=["connectors"])

WEBHOOK_PATH = "/api/v1/connectors/woocommerce/webhooks"
TOPICS = ["order.created", "order.updated"]


class WooIn(Schema):
    store_url: str = Field(..., max_length=255, description="https://my-store.example")
    consumer_key: str = Field(..., min_length=7, max_length=200, description="ck_…")
    consumer_secret: str = Field(..., min_length=7, max_length=200, description="cs_…")
    webhook_secret: str = Field(
        ..., min_length=8, max_length=500, description="The secret set on the store's webhooks."
    )
    api_base_url: str = Field(
        "", max_length=500, description="Only for a REST API not at <store_url>/wp-json/wc/v3."
    )
    refunds_in_woocommerce: bool = True
    api_refund: bool = Field(True, description="Refund through the order's payment gateway.")
    restock_with_refund: bool = Field(
        False, description="Restock refunded lines with the refund (api_restock), not at restock."
    )


class WooOut(Schema):
    store_url: str
    api_base_url: str
    webhook_url: str = Field(description="The delivery URL of the store's webhooks.")
    topics: list[str]
    key_hint: str
    refunds_in_woocommerce: bool
    api_refund: bool
    restock_with_refund: bool
    store_name: str
    checked_at: datetime | None
    check_error: str
    polled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class WooCheckOut(Schema):
    ok: bool
    store_name: str
    version: str
    currency: str
    code: str
    message: str


class WooBackfillIn(Schema):
    days: int = Field(30, ge=1, le=services.MAX_BACKFILL_DAYS)


class WooBackfillOut(Schema):
    id: int
    days: int
    status: str
    page: int
    total: int | None
    total_pages: int | None
    imported: int
    skipped: int
    refused: int
    waited_seconds: float
    error: str
    started_at: datetime
    finished_at: datetime | None


class WooReceiptOut(Schema):
    id: int
    delivery_id: str
    topic: str
    status: str = Field(description="pending, processed, failed or ignored")
    attempts: int
    error: str = Field(description="Why it failed, or what processing it did.")
    received_at: datetime
    processed_at: datetime | None


class WooReceivedOut(Schema):
    received: bool
    duplicate: bool
    ping: bool


def connection_body(connection: WooConnection, request: HttpRequest) -> dict[str, Any]:
    body = {
        field: getattr(connection, field)
        for field in (
            "store_url",
            "api_base_url",
            "key_hint",
            "refunds_in_woocommerce",
            "api_refund",
            "restock_with_refund",
            "store_name",
            "checked_at",
            "check_error",
            "polled_at",
            "created_at",
            "updated_at",
        )
    }
    return {**body, "webhook_url": request.build_absolute_uri(WEBHOOK_PATH), "topics": TOPICS}


def backfill_body(run: WooBackfill) -> dict[str, Any]:
    return {field: getattr(run, field) for field in WooBackfillOut.model_fields}


@router.put(
    "/connectors/woocommerce",
    response={200: WooOut, **WRITE_ERRORS},
    summary="Connect the store to its WooCommerce store",
)
def woocommerce_put(request: HttpRequest, payload: WooIn):
    """Stores the REST API key and the webhook secret encrypted; the REST API URL passes the
    outbound-URL check (422 `invalid_outbound_url`). The answer has the `webhook_url` to give
    the store's webhooks for each of `topics`, signed with `webhook_secret`."""
    api_key = require_scope(request, "admin")
    connection = woocommerce.woocommerce_connect(store=api_key.store, **payload.dict())
    return connection_body(connection, request)


@router.get(
    "/connectors/woocommerce",
    response={200: WooOut, **ERRORS},
    summary="The WooCommerce connection",
)
def woocommerce_get(request: HttpRequest):
    api_key = require_scope(request, "admin")
    return connection_body(services.connection_get(store=api_key.store), request)


@router.delete(
    "/connectors/woocommerce", response={204: None, **ERRORS}, summary="Disconnect WooCommerce"
)
def woocommerce_delete(request: HttpRequest):
    api_key = require_scope(request, "admin")
    woocommerce.woocommerce_disconnect(store=api_key.store)
    return Status(204, None)


@router.post(
    "/connectors/woocommerce/check",
    response={200: WooCheckOut, **ERRORS},
    summary="Check the WooCommerce connection",
)
def woocommerce_check(request: HttpRequest):
    """Reads the store's system status with the stored key; `ok` false with WooCommerce's
    answer in `code` and `message` when it cannot."""
    api_key = require_scope(request, "admin")
    return services.connection_check(store=api_key.store).__dict__


@router.post(
    "/connectors/woocommerce/backfills",
    response={202: WooBackfillOut, **WRITE_ERRORS},
    summary="Import the last N days of WooCommerce orders",
)
def woocommerce_backfill(request: HttpRequest, payload: WooBackfillIn):
    api_key = require_scope(request, "admin")
    run = services.backfill_start(store=api_key.store, days=payload.days)
    return Status(202, backfill_body(run))


@router.get(
    "/connectors/woocommerce/backfills/{backfill_id}",
    response={200: WooBackfillOut, **ERRORS},
    summary="A WooCommerce backfill's progress",
)
def woocommerce_backfill_get(request: HttpRequest, backfill_id: int):
    api_key = require_scope(request, "admin")
    return backfill_body(selectors.backfill_get(store=api_key.store, backfill_id=backfill_id))


@router.post(
    "/connectors/woocommerce/webhooks",
    auth=None,
    response={200: WooReceivedOut, 400: Problem, 401: Problem, 404: Problem, 422: Problem},
    summary="Inbound WooCommerce webhook",
)
def woocommerce_webhook(request: HttpRequest):
    """No API key: X-WC-Webhook-Signature (base64 HMAC-SHA256 of the raw body) is checked with
    the store's webhook secret (401 `invalid_signature`, nothing stored); a site in
    X-WC-Webhook-Source no store is connected to is 404 `unknown_store`. A delivery is kept and
    answered at once, and processed by a job; a delivery id seen before is answered 200 and not
    processed again. WooCommerce's ping of a new webhook (`webhook_id=<id>`) is answered 200."""
    try:
        received = services.webhook_receive(
            headers=dict(request.headers.items()), body=request.body
        )
    except services.UnknownStore:
        return problem_response(
            404, "unknown_store", "No Retorno store is connected to this WooCommerce site."
        )
    except services.InvalidSignature:
        return problem_response(
            401, "invalid_signature", "The webhook's signature does not verify; nothing was stored."
        )
    return {"received": True, "duplicate": received.duplicate, "ping": received.ping}


def receipt_body(receipt: Any) -> dict[str, Any]:
    return {field: getattr(receipt, field) for field in WooReceiptOut.model_fields}


@router.get(
    "/connectors/woocommerce/receipts",
    response={200: list[WooReceiptOut], **ERRORS},
    summary="The latest WooCommerce webhooks received",
)
def woocommerce_receipts(request: HttpRequest):
    """The 50 latest deliveries, newest first, with what processing them did or why it failed."""
    api_key = require_scope(request, "admin")
    return [receipt_body(r) for r in selectors.receipts_recent(store=api_key.store)]


@router.post(
    "/connectors/woocommerce/receipts/{receipt_id}/retry",
    response={202: WooReceiptOut, **ERRORS},
    summary="Process a WooCommerce webhook again",
)
def woocommerce_receipt_retry(request: HttpRequest, receipt_id: int):
    """After the store fixed what a failed delivery lacked: processed again by a job."""
    api_key = require_scope(request, "admin")
    receipt = services.receipt_retry(store=api_key.store, receipt_id=receipt_id)
    return Status(202, receipt_body(receipt))
