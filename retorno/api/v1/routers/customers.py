"""Customers API: the store's shoppers, newest first, by keyset cursor."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from retorno.api.v1.auth import require_scope
from retorno.api.v1.routers.common import ERRORS
from retorno.orders.selectors import customer_list_for_store

router = Router(tags=["customers"])


class CustomerOut(Schema):
    id: int
    external_id: str
    email: str
    name: str
    tier: str
    language: str
    created_at: datetime


class CustomerListOut(Schema):
    results: list[CustomerOut]
    next_cursor: str | None


class CustomerFilters(Schema):
    email: str | None = Field(None, max_length=254)
    tier: str | None = Field(None, max_length=40)
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


@router.get("", response={200: CustomerListOut, **ERRORS}, summary="List customers")
def customer_list(request: HttpRequest, filters: Query[CustomerFilters]):
    """Newest first; filter by e-mail (exact, any case) or tier; follow `next_cursor` for older
    customers (one who arrives meanwhile is newer than every cursor: never skipped or
    repeated)."""
    api_key = require_scope(request, "read")
    page = customer_list_for_store(
        store=api_key.store,
        email=filters.email,
        tier=filters.tier,
        limit=filters.limit,
        after=filters.cursor,
    )
    return {
        "results": [
            {
                "id": c.id,
                "external_id": c.external_id,
                "email": c.email,
                "name": c.name,
                "tier": c.tier,
                "language": c.language,
                "created_at": c.created_at,
            }
            for c in page.results
        ],
        "next_cursor": page.next_cursor,
    }
