"""The ways a store's shoppers may send a return back, the store's price for each (replacing
the policy's return shipping fee for it) and the shops a return may be brought to: the same
settings as the back office's return-methods page, through the same service."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from retorno.accounts import services as account_services
from retorno.api.v1.auth import require_scope
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS
from retorno.stores import selectors as store_selectors
from retorno.stores import services as store_services
from retorno.stores.models import Store

router = Router(tags=["return methods"])

MethodName = Literal["pickup", "drop_off", "self_ship", "in_store"]
DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Price = Annotated[Decimal, Field(ge=0, le=1000, max_digits=7, decimal_places=3)]


class LocationSchema(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    address: str = Field(..., min_length=1, max_length=200)
    postal_code: str = Field("", max_length=20)
    city: str = Field("", max_length=80)
    hours: dict[DayName, Annotated[str, Field(max_length=80)]] = Field(
        default_factory=dict,
        description='Opening hours by day in the store\'s own words ("10:00–20:00"); a day '
        "left out is shown as closed.",
    )


class ReturnMethodsOut(Schema):
    methods: list[MethodName] = Field(description="Offered to shoppers, in the portal's order.")
    prices: dict[MethodName, str] = Field(
        description="The store's price per method, taken from the refund; a method left out "
        "costs the policy's return shipping fee (in store: free). The policy's waivers apply."
    )
    locations: list[LocationSchema]


class ReturnMethodsIn(Schema):
    methods: list[MethodName] = Field(..., min_length=1, max_length=4)
    prices: dict[MethodName, Price | None] = Field(
        default_factory=dict,
        description="A price per method in the store's currency (0 is free); a method left "
        "out or null keeps the policy's return shipping fee.",
    )
    locations: list[LocationSchema] = Field(
        default_factory=list, max_length=50, description="Needed for the in_store method."
    )


def _body(store: Store) -> dict[str, Any]:
    return {
        "methods": list(store.return_methods or []),
        "prices": dict(store.return_method_prices or {}),
        "locations": list(store.store_locations or []),
    }


@router.get(
    "/return-methods",
    response={200: ReturnMethodsOut, **ERRORS},
    summary="The return methods, their prices and the store's shops",
)
def return_methods_get(request: HttpRequest):
    # Read again: a key's store is a copy kept a few seconds (retorno.accounts.keycache).
    api_key = require_scope(request, "read")
    return _body(store_selectors.store_by_id(api_key.store_id))


@router.put(
    "/return-methods",
    response={200: ReturnMethodsOut, **WRITE_ERRORS},
    summary="Set the return methods, their prices and the store's shops",
)
def return_methods_put(request: HttpRequest, payload: ReturnMethodsIn):
    """Replaces all three. 422 with `invalid_method_price` (more decimals than the currency
    has), `invalid_store_location` or `in_store_without_location` writes nothing. Returns
    already made keep the fee they were quoted."""
    api_key = require_scope(request, "admin")
    store = store_services.return_methods_save(
        store=api_key.store,
        methods=list(payload.methods),
        prices={m: p for m, p in payload.prices.items() if p is not None},
        locations=[location.model_dump() for location in payload.locations],
    )
    account_services.api_keys_reread_store()  # the new prices count from the next request
    return _body(store)
