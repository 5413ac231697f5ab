"""Reads of returns, always within one store: another store's return is simply not found."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.dateparse import parse_datetime

from retorno.core.errors import NotFound, Unprocessable
from retorno.domain.policies import (
    Decision,
    PolicyDocumentError,
    decide,
    default_policy_document,
    parse_policy,
)
from retorno.domain.returns.rma import normalise_rma
from retorno.orders.models import Order
from retorno.orders.selectors import order_get_for_store
from retorno.policies.selectors import compiled_policy, policy_version_current
from retorno.policies.services import policy_errors
from retorno.returns import adapters
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.stores.models import Store


def _with_items(queryset: QuerySet[Return]) -> QuerySet[Return]:
    return queryset.select_related("order", "customer", "policy_version").prefetch_related(
        Prefetch("items", queryset=ReturnItem.objects.select_related("order_line"))
    )


def return_get_for_store(*, store: Store, rma: str) -> Return:
    return_request = _with_items(Return.objects.filter(store=store, rma=normalise_rma(rma))).first()
    if return_request is None:
        raise NotFound(f"No return {rma!r} in this store.", code="return_not_found")
    return return_request


@dataclass(frozen=True)
class ReturnPage:
    results: list[Return]
    next_cursor: str | None


def return_list_for_store(
    *,
    store: Store,
    status: str | None = None,
    customer_email: str | None = None,
    order: str | None = None,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> ReturnPage:
    """Returns ordered by last change (oldest first), so a client can sync with `updated_since`
    and follow `next_cursor` without missing or repeating a row."""
    queryset = Return.objects.filter(store=store)
    if status:
        queryset = queryset.filter(status=status)
    if customer_email:
        queryset = queryset.filter(customer__email=customer_email.strip().lower())
    if order:
        queryset = queryset.filter(order__external_id=order)
    if updated_since:
        queryset = queryset.filter(updated_at__gte=updated_since)
    if cursor:
        after_at, after_id = _decode_cursor(cursor)
        queryset = queryset.filter(
            Q(updated_at__gt=after_at) | Q(updated_at=after_at, id__gt=after_id)
        )
    rows = list(_with_items(queryset.order_by("updated_at", "id"))[: limit + 1])
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return ReturnPage(results=rows[:limit], next_cursor=next_cursor)


def return_events_for_store(*, store: Store, rma: str) -> list[ReturnEvent]:
    return_request = Return.objects.filter(store=store, rma=normalise_rma(rma)).only("id").first()
    if return_request is None:
        raise NotFound(f"No return {rma!r} in this store.", code="return_not_found")
    return list(
        ReturnEvent.objects.filter(return_request=return_request).order_by("created_at", "id")
    )


def _encode_cursor(row: Return) -> str:
    raw = json.dumps([row.updated_at.isoformat(), row.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at_text, row_id = json.loads(raw)
        at = parse_datetime(at_text)
        if at is None or not isinstance(row_id, int):
            raise ValueError
        return at, row_id
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise Unprocessable(
            "The cursor is not valid; start again without it.", code="invalid_cursor"
        ) from exc


@dataclass(frozen=True)
class Eligibility:
    order: Order
    policy_version: int
    decision: Decision
    evaluated_at: datetime


def order_eligibility_for_store(
    *,
    store: Store,
    external_id: str,
    now: datetime,
    policy_document: dict[str, Any] | None = None,
    items: list[dict[str, Any]] | None = None,
    resolution: str | None = None,
) -> Eligibility:
    """The policy decision for an order's lines, without writing anything.

    With `policy_document` the order is decided under that (unsaved) policy: the policy
    editor's "try it on this order". With `items` the decision is for that request.
    """
    order = order_get_for_store(store=store, external_id=external_id)
    lines = list(order.lines.all())
    held = adapters.held_quantities(order)
    if policy_document is not None:
        try:
            policy = parse_policy(policy_document)
        except PolicyDocumentError as exc:
            raise Unprocessable(str(exc), code="invalid_policy", errors=policy_errors(exc)) from exc
        version = 0
    else:
        current = policy_version_current(store=store)
        if current is None:
            policy = parse_policy(default_policy_document())
            version = 0
        else:
            policy = compiled_policy(current)
            version = current.version
    request = adapters.request_facts(items, resolution) if items else None
    decision = decide(
        policy,
        adapters.order_facts(order, lines, held),
        adapters.customer_facts(order.customer),
        request,
        now,
    )
    return Eligibility(order=order, policy_version=version, decision=decision, evaluated_at=now)
