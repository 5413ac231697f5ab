from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from retorno.analytics import simulator
from retorno.api.v1.auth import actor_of, require_scope
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS
from retorno.api.v1.routers.orders import line_decision_body
from retorno.api.v1.schemas import PolicyIn, PolicyOut, PolicyPreviewIn, PolicyPreviewOut
from retorno.api.v1.simulation import SimulateIn, SimulationOut, simulation_body
from retorno.core.actors import SYSTEM
from retorno.core.plain_json import to_json
from retorno.policies.services import policy_ensure_default, policy_publish
from retorno.returns.selectors import order_eligibility_for_store

router = Router(tags=["policy"])


@router.get("", response={200: PolicyOut, **ERRORS}, summary="The store's current policy")
def policy_get(request: HttpRequest):
    api_key = require_scope(request, "read")
    return policy_ensure_default(store=api_key.store, actor=SYSTEM)


@router.put("", response={201: PolicyOut, **WRITE_ERRORS}, summary="Publish a new policy version")
def policy_put(request: HttpRequest, payload: PolicyIn):
    """Validates the document (422 `invalid_policy` naming each bad field) and stores it as the
    next version. Returns already opened keep the version they were decided under."""
    api_key = require_scope(request, "admin")
    version = policy_publish(
        store=api_key.store, document=payload.document, actor=actor_of(api_key), note=payload.note
    )
    return Status(201, version)


@router.post(
    "/preview",
    response={200: PolicyPreviewOut, **ERRORS},
    summary="Decide an order under a draft policy",
)
def policy_preview(request: HttpRequest, payload: PolicyPreviewIn):
    """Nothing is saved: the posted policy is applied to the order as it stands now."""
    api_key = require_scope(request, "read")
    result = order_eligibility_for_store(
        store=api_key.store,
        external_id=payload.order,
        now=timezone.now(),
        policy_document=payload.document,
        items=[i.model_dump() for i in payload.items] or None,
        resolution=payload.resolution,
    )
    lines = {line.external_id: line for line in result.lines}
    decision = result.decision
    return {
        "outcome": decision.outcome.value,
        "requires_review": decision.requires_review,
        "return_shipping_fee": decision.return_shipping_fee,
        "review_reasons": [{"code": r.code, "message": r.message} for r in decision.review_reasons],
        "lines": [line_decision_body(d, lines.get(d.line_id)) for d in decision.lines],
        "instant_exchange": decision.instant_exchange,
        "instant_exchange_return_days": decision.instant_exchange_return_days,
        "keep_item": to_json(decision.keep_item),
        "trace": to_json(list(decision.trace)),
    }


@router.post(
    "/simulate",
    response={200: SimulationOut, **ERRORS},
    by_alias=True,
    summary="Replay a period of return requests under a draft policy",
)
def policy_simulate(request: HttpRequest, payload: SimulateIn):
    """Every return request of the period is decided again under the posted draft and under the
    policy in force, each at its own request time with the facts frozen then (order lines and
    prices, items, reasons, resolution, the customer's tier, days since delivery). Nothing is
    saved; publishing stays `PUT /policy`. 422 `invalid_policy` names each bad field of the
    document, `invalid_period` a bad period, `period_too_large` more requests than one replay
    reads (250,000)."""
    api_key = require_scope(request, "read")
    report = simulator.policy_simulate(
        store=api_key.store,
        document=payload.document,
        params=payload.params(),
        now=timezone.now(),
        top_tiers=frozenset(payload.top_tiers) if payload.top_tiers is not None else None,
    )
    return simulation_body(report)
