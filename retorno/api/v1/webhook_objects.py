"""The objects of webhook payloads, as the API shows them: the body of the object's GET,
validated by the same response schema, so a payload and a read of the object agree field for
field (docs/webhooks.md)."""

from __future__ import annotations

import json
from typing import Any

from ninja import Schema
from ninja.responses import NinjaJSONEncoder

from retorno.api.v1.render import return_body
from retorno.api.v1.routers.exchanges import ExchangeOut, exchange_body
from retorno.api.v1.routers.inventory import ExpectedReturnOut
from retorno.api.v1.routers.logistics import ShipmentOut, shipment_body
from retorno.api.v1.routers.money import ClaimOut, RefundOut, claim_body, refund_body
from retorno.api.v1.schemas import ReturnOut
from retorno.domain.warehouse.advance_notice import notice_json, x12_180
from retorno.logistics import selectors as logistics_selectors
from retorno.money import selectors as money_selectors
from retorno.returns import selectors as return_selectors
from retorno.returns.selectors import inventory as inventory_selectors
from retorno.stores.models import Store
from retorno.webhooks.services.objects import renderer_register


def _shown(schema: type[Schema], body: dict[str, Any]) -> dict[str, Any]:
    """Validated and encoded as the API's responses are (ninja's encoder: datetimes to the
    millisecond, decimals as strings), so a payload equals the GET's body."""
    return json.loads(json.dumps(schema.model_validate(body).model_dump(), cls=NinjaJSONEncoder))


def _return(store: Store, rma: str) -> dict[str, Any]:
    return _shown(
        ReturnOut, return_body(return_selectors.return_get_for_body(store=store, rma=rma))
    )


def _shipment(store: Store, rma: str) -> dict[str, Any]:
    """The return's latest shipment (the booking the event is about), or nothing yet."""
    return_request = return_selectors.return_get_for_store(store=store, rma=rma)
    shipments = logistics_selectors.shipments_for_return(store=store, return_id=return_request.id)
    if not shipments:
        return {"rma": rma, "shipment": None}
    latest = max(shipments, key=lambda s: (s.attempt_number, s.id))
    events = logistics_selectors.tracking_events_for_shipments([latest.id])
    body = _shown(ShipmentOut, shipment_body(latest, events))
    return {"rma": rma, "status": return_request.status, "shipment": body}


def _refund(store: Store, refund_id: int) -> dict[str, Any]:
    return _shown(
        RefundOut,
        refund_body(money_selectors.refund_get_for_store(store=store, refund_id=refund_id)),
    )


def _claim(store: Store, number: str) -> dict[str, Any]:
    return _shown(
        ClaimOut, claim_body(money_selectors.claim_get_for_store(store=store, number=number))
    )


def _exchange(store: Store, number: str) -> dict[str, Any]:
    return _shown(
        ExchangeOut,
        exchange_body(money_selectors.exchange_get_by_number_for_store(store=store, number=number)),
    )


def _advance_notice(store: Store, rma: str) -> dict[str, Any]:
    """The return's expected units and the same as an X12 180 interchange for a WMS (the
    interchange numbered by the return, so a replay carries the same control number)."""
    found = inventory_selectors.advance_notice_returns(store=store, rmas=[rma])
    if not found:
        empty = {"rma": rma, "units": 0, "lines": [], "x12": None, "carrier": ""}
        return {
            "order": "",
            "approved_at": "",
            "customer": "",
            "country": "",
            "tracking_number": "",
            **empty,
        }
    expected = found[0]
    body = _shown(ExpectedReturnOut, notice_json(found)[0])
    pk = return_selectors.return_get_for_store(store=store, rma=rma).id
    body["x12"] = x12_180(
        found,
        sender=store.slug,
        receiver="WMS",
        control_number=pk % 1_000_000_000 or 1,
        now=expected.approved_at,
    )
    return body


def renderers_register() -> None:
    renderer_register("return", _return)
    renderer_register("shipment", _shipment)
    renderer_register("refund", _refund)
    renderer_register("claim", _claim)
    renderer_register("exchange", _exchange)
    renderer_register("advance_notice", _advance_notice)
