from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from retorno.api.v1.auth import actor_of, require_scope
from retorno.api.v1.render import return_body
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS
from retorno.api.v1.schemas import (
    EventOut,
    NoteIn,
    OverrideIn,
    ReturnIn,
    ReturnListOut,
    ReturnOut,
    UtcDatetime,
)
from retorno.core.errors import Unprocessable
from retorno.core.idempotency import idempotent
from retorno.orders.selectors import variant_ids_by_sku
from retorno.returns import selectors, services

router = Router(tags=["returns"])


class ReturnFilters(Schema):
    status: str | None = Field(None, max_length=20)
    customer_email: str | None = Field(None, max_length=254)
    order: str | None = Field(None, max_length=120)
    updated_since: UtcDatetime | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


@router.post("", response={200: ReturnOut, 201: ReturnOut, **WRITE_ERRORS}, summary="Open a return")
def return_create(
    request: HttpRequest,
    payload: ReturnIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=255),
):
    """Decides the request under the store's policy and opens the return (201).

    With an `Idempotency-Key`, a repeated request with the same body answers with the same
    return again; the same key with another body is refused (422, `idempotency_key_reused`).
    An ineligible item gives 422 `ineligible` with each item's reason codes. With the exchange
    resolution an item may name `exchange_sku`, the variant the shopper gets instead (another
    variant of the same product, in stock: 422 `invalid_exchange` or `exchange_out_of_stock`
    otherwise); its exchange order is then listed under /exchanges.
    """
    api_key = require_scope(request, "write")
    variants = variant_ids_by_sku(
        store=api_key.store, skus={i.exchange_sku for i in payload.items if i.exchange_sku}
    )
    unknown = sorted({i.exchange_sku for i in payload.items if i.exchange_sku} - set(variants))
    if unknown:
        raise Unprocessable(
            f"This store sells no variant with SKU {unknown[0]!r}.", code="invalid_exchange"
        )

    def create() -> tuple[int, dict]:
        created = services.return_create(
            store=api_key.store,
            order_external_id=payload.order,
            items=[
                services.ItemRequest(
                    line=i.line,
                    quantity=i.quantity,
                    reason=i.reason,
                    comment=i.comment,
                    exchange_variant_id=variants.get(i.exchange_sku or ""),
                )
                for i in payload.items
            ],
            resolution=payload.resolution,
            method=payload.method,
            pickup_address=payload.pickup_address.model_dump() if payload.pickup_address else None,
            actor=actor_of(api_key),
        )
        return 201, return_body(created)

    status, body = idempotent(
        store_id=api_key.store_id,
        operation="return_create",
        key=idempotency_key,
        payload=payload.model_dump(mode="json"),
        action=create,
    )
    return Status(status, body)


@router.get("", response={200: ReturnListOut, **ERRORS}, summary="List returns")
def return_list(request: HttpRequest, filters: Query[ReturnFilters]):
    """Ordered by last change, oldest first; follow `next_cursor` for the next page."""
    api_key = require_scope(request, "read")
    page = selectors.return_list_for_store(
        store=api_key.store,
        status=filters.status,
        customer_email=filters.customer_email,
        order=filters.order,
        updated_since=filters.updated_since,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"results": [return_body(r) for r in page.results], "next_cursor": page.next_cursor}


@router.get("/{rma}", response={200: ReturnOut, **ERRORS}, summary="Read a return")
def return_get(request: HttpRequest, rma: str):
    api_key = require_scope(request, "read")
    return return_body(selectors.return_get_for_body(store=api_key.store, rma=rma))


@router.get(
    "/{rma}/events", response={200: list[EventOut], **ERRORS}, summary="A return's audit trail"
)
def return_events(request: HttpRequest, rma: str):
    api_key = require_scope(request, "read")
    return selectors.return_events_for_store(store=api_key.store, rma=rma)


def _command(request: HttpRequest, rma: str, command, note: str) -> HttpResponse | dict:
    api_key = require_scope(request, "write")
    command(store=api_key.store, rma=rma, actor=actor_of(api_key), note=note)
    return return_body(selectors.return_get_for_store(store=api_key.store, rma=rma))


@router.post(
    "/{rma}/approve", response={200: ReturnOut, **WRITE_ERRORS}, summary="Approve a return"
)
def return_approve(request: HttpRequest, rma: str, payload: NoteIn):
    return _command(request, rma, services.return_approve, payload.note)


@router.post(
    "/{rma}/reject",
    response={200: ReturnOut, **WRITE_ERRORS},
    summary="Reject a return (note required)",
)
def return_reject(request: HttpRequest, rma: str, payload: NoteIn):
    return _command(request, rma, services.return_reject, payload.note)


@router.post("/{rma}/cancel", response={200: ReturnOut, **WRITE_ERRORS}, summary="Cancel a return")
def return_cancel(request: HttpRequest, rma: str, payload: NoteIn):
    return _command(request, rma, services.return_cancel, payload.note)


@router.post(
    "/{rma}/override",
    response={200: ReturnOut, **WRITE_ERRORS},
    summary="Override an item's decision",
)
def return_override(request: HttpRequest, rma: str, payload: OverrideIn):
    """A person overrides the policy decision on one item; who, which rule and why are recorded."""
    api_key = require_scope(request, "write")
    services.return_item_override(
        store=api_key.store,
        rma=rma,
        line=payload.line,
        decision=payload.decision,
        rule=payload.rule,
        note=payload.note,
        actor=actor_of(api_key),
    )
    return return_body(selectors.return_get_for_store(store=api_key.store, rma=rma))
