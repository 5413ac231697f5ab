"""The shopper's return, step by step, in the session until it is confirmed.

The steps (the items, then the resolution and method, then the review) keep what the shopper
chose in a draft per store in the session (server-side, behind the signed session cookie),
never in new tables. The review's submission token makes the confirm button create the return
once however often it is pressed, from one tab or two; pages decide nothing of this themselves.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Literal

from django.http import HttpRequest

from retorno.core.idempotency import idempotent, stored_body
from retorno.orders.models import Order
from retorno.orders.selectors import order_find_for_store, variants_by_id
from retorno.portal import display
from retorno.portal.pages import shopper
from retorno.portal.shop_now import basket_for_return, basket_of
from retorno.returns import services
from retorno.returns.services import ItemRequest
from retorno.stores.models import Store

CONFIRM_OPERATION = "portal.return_create"


def draft_of(request: HttpRequest, store: Store) -> dict[str, Any]:
    return dict(request.session.get("portal", {}).get(str(store.id), {}))


def draft_save(request: HttpRequest, store: Store, draft: dict[str, Any]) -> None:
    everything = dict(request.session.get("portal", {}))
    everything[str(store.id)] = draft
    request.session["portal"] = everything


def order_for_draft(store: Store, draft: dict[str, Any]) -> Order | None:
    if not draft.get("order"):
        return None
    return order_find_for_store(store=store, external_id=draft["order"])


ReviewGo = Literal["done", "restart", "order", "resolution", "show", "out_of_date", "confirm"]


@dataclass(frozen=True)
class ReviewStep:
    """Where the review page goes from here: to the return made (`done`, with its tracking
    token), back to a step still missing, or on with the order (show, refuse as out of date,
    confirm)."""

    go: ReviewGo
    order: Order | None = None
    tracking_token: str = ""


def review_step(store: Store, draft: dict[str, Any], posted_token: str) -> ReviewStep:
    """What the review page does with this draft and the submission token posted ("" for none)."""
    done = draft.get("done", {})
    if posted_token and posted_token in done:  # the button was pressed twice: same return
        return ReviewStep("done", tracking_token=done[posted_token])
    order = order_for_draft(store, draft)
    if order is None:
        return ReviewStep("restart")
    if not draft.get("items"):
        # A twin request (another tab) may have made the return and emptied the draft.
        stored = submission_stored(store, posted_token)
        return ReviewStep("done", tracking_token=stored) if stored else ReviewStep("order", order)
    if not draft.get("resolution"):
        return ReviewStep("resolution", order)
    if not posted_token:
        return ReviewStep("show", order)
    if posted_token != draft.get("submission"):
        return ReviewStep("out_of_date", order)
    return ReviewStep("confirm", order)


def submission_token(draft: dict[str, Any]) -> str:
    """The token the review page's confirm button posts: one per draft."""
    return str(draft.setdefault("submission", secrets.token_urlsafe(24)))


def return_confirm(store: Store, order: Order, draft: dict[str, Any], token: str) -> dict[str, Any]:
    """Create the draft's return once per submission token; the draft that follows, which
    remembers the return made for the token."""
    tracking_token = _create_once(store, order, draft, token)
    return {"order": order.external_id, "done": {**draft.get("done", {}), token: tracking_token}}


def submission_stored(store: Store, token: str) -> str | None:
    if not token:
        return None
    body = stored_body(store_id=store.id, operation=CONFIRM_OPERATION, key=token)
    return body.get("tracking_token") if body else None


def _create_once(store: Store, order: Order, draft: dict[str, Any], token: str) -> str:
    """Create the return once per submission token, however often the button is pressed."""
    payload = {
        k: draft.get(k) for k in ("order", "items", "resolution", "method", "address", "shop")
    }

    def create() -> tuple[int, dict[str, Any]]:
        created = services.return_create_from_portal(
            store=store,
            order_external_id=order.external_id,
            items=[
                ItemRequest(
                    line=i["line"],
                    quantity=i["quantity"],
                    reason=i["reason"],
                    comment=i.get("comment", ""),
                )
                for i in draft["items"]
            ],
            resolution=draft["resolution"],
            method=draft["method"],
            actor=shopper(order),
            pickup_address=draft.get("address") or None,
            details=return_details(draft, order),
        )
        return 201, {"rma": created.rma, "tracking_token": created.tracking_token}

    _status, body = idempotent(
        store_id=store.id, operation=CONFIRM_OPERATION, key=token, payload=payload, action=create
    )
    return str(body["tracking_token"])


def return_details(draft: dict[str, Any], order: Order) -> dict[str, Any]:
    lines = {line.id: line.external_id for line in order.lines.all()}
    exchange = {}
    chosen = (draft.get("exchange") or {}).items()
    variants = variants_by_id(store_id=order.store_id, ids=[int(v) for _n, v in chosen if v])
    for name, variant_id in chosen:
        line_id = int(name.removeprefix("exchange_"))
        variant = variants.get(int(variant_id)) if variant_id else None
        if variant is not None and line_id in lines:
            exchange[lines[line_id]] = {
                "variant": variant.id,
                "sku": variant.sku,
                "options": variant.options,
            }
    return {
        "photos": {i["line"]: i.get("photos", []) for i in draft["items"] if i.get("photos")},
        "exchange": exchange,
        "pickup_date": draft.get("pickup_date", ""),
        "language": display.language(),
        "shop_now": basket_for_return(basket_of(draft))
        if draft.get("resolution") == "store_credit"
        else [],
    }
