"""The policy simulator's reads: a period of a store's return requests as they were made, replayed
under a draft policy and under the policy in force (retorno.domain.policies.simulation).

The facts replayed are the ones frozen when each request was made: the order lines with the
prices, discounts and taxes the store sent, the items, quantities, reasons and resolution asked
for, the customer's tier recorded on the return, the delivery date, and the clock at the
request's own time (so days since delivery are those of the request). Units other returns held
are the ones the recorded decision saw. Nothing is written: publishing a draft stays
policies.services.policy_publish. Definitions: docs/analytics.md ("Policy simulator").
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast

from retorno.analytics.scope import Scope, scope_from_params
from retorno.core.bulkread import rows
from retorno.core.errors import Unprocessable
from retorno.domain.analytics.periods import Basis
from retorno.domain.days import zone
from retorno.domain.policies import (
    CustomerFacts,
    LineFacts,
    OrderFacts,
    Outcome,
    Policy,
    PolicyDocumentError,
    RequestedItem,
    RequestFacts,
    default_policy_document,
    parse_policy,
)
from retorno.domain.policies.simulation import ReplayCase, Simulation, simulate
from retorno.orders.models import OrderLine
from retorno.policies.selectors import compiled_policy, policy_version_current
from retorno.returns.models import Return, ReturnItem
from retorno.stores.models import Store

# A replay reads every request of the period into memory: past this many the period is refused
# (422 `period_too_large`) and the admin asks for a shorter one.
MAX_REPLAYED = 250_000
_OUTCOMES = {o.value: o for o in Outcome}
_ZERO = Decimal(0)


@dataclass(frozen=True)
class SimulationReport:
    scope: Scope
    simulation: Simulation
    in_force_version: int | None  # None: no version published, the default policy applies
    draft: Policy
    in_force: Policy
    # Facts that could not be replayed as they were, said on the page and in the API.
    notes: list[str] = field(default_factory=list)


def draft_policy(document: Any) -> Policy:
    """The compiled draft; Unprocessable `invalid_policy` naming each bad field."""
    if not isinstance(document, Mapping):
        raise Unprocessable(
            "The policy document must be a JSON object.",
            code="invalid_policy",
            errors=[{"field": "document", "message": "Must be a JSON object."}],
        )
    try:
        return parse_policy(dict(document))
    except PolicyDocumentError as exc:
        raise Unprocessable(
            str(exc),
            code="invalid_policy",
            errors=[{"field": e.field, "message": e.message} for e in exc.errors],
        ) from exc


def policy_simulate(
    *,
    store: Store,
    document: Any,
    params: Mapping[str, str],
    now: datetime,
    top_tiers: frozenset[str] | None = None,
) -> SimulationReport:
    """Replay the period `params` asks for (as analytics.scope reads it: `from`/`to` or `days`,
    `basis`) under the draft `document` and under the policy in force. Writes nothing."""
    draft = draft_policy(document)
    scope = scope_from_params(store=store, params=params, now=now)
    version = policy_version_current(store=store)
    in_force = (
        compiled_policy(version) if version is not None else parse_policy(default_policy_document())
    )
    requests = _returns(scope)
    count = requests.count()
    if count > MAX_REPLAYED:
        raise Unprocessable(
            f"The period holds {count} return requests; at most {MAX_REPLAYED} are replayed at "
            "once. Choose a shorter period.",
            code="period_too_large",
        )
    # Hundreds of thousands of small objects live until the replay ends and none form cycles:
    # the cyclic collector would only walk them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        cases = replay_cases(scope, in_force_version_id=version.pk if version else None)
        simulation = simulate(in_force, draft, cases, top_tiers=top_tiers)
    finally:
        if collecting:
            gc.enable()
    notes = []
    if in_force.uses_signals or draft.uses_signals:
        notes.append("signals_not_replayed")
    return SimulationReport(
        scope=scope,
        simulation=simulation,
        in_force_version=version.version if version else None,
        draft=draft,
        in_force=in_force,
        notes=notes,
    )


def _returns(scope: Scope) -> Any:
    start, end = scope.bounds
    returns = Return.objects.filter(store=scope.store)
    if scope.basis is Basis.ORDER:
        return returns.filter(order__placed_at__gte=start, order__placed_at__lt=end)
    return returns.filter(created_at__gte=start, created_at__lt=end)


_RETURN_FIELDS = (
    "id",
    "rma",
    "order_id",
    "customer_tier",
    "customer_tags_text",
    "created_at",
    "resolution",
    "items_amount",
    "shipping_refund_amount",
    "policy_version_id",
    "decision__outcome",
    "decision_lines_text",
    "order__external_id",
    "order__currency",
    "order__placed_at",
    "order__delivered_at",
    "order__country",
    "order__postal_code",
    "order__shipping_amount",
    "order__shipping_tax_amount",
)
_LINE_FIELDS = (
    "order_id",
    "external_id",
    "sku",
    "title",
    "category",
    "tags_text",
    "quantity",
    "unit_price",
    "discount_amount",
    "tax_amount",
    "final_sale",
    "vendor",
)


def replay_cases(scope: Scope, *, in_force_version_id: int | None) -> list[ReplayCase]:
    """Every return request of the scope as it was made, in request order. Three queries."""
    # Read whole, not through a server-side cursor: a cursor's plan favours the first rows
    # (nested loops), and every row is wanted here.
    # JSON columns come back as their text, parsed here only when not empty: most tags are.
    # `bulkread.rows`: every row at once, datetimes through psycopg's C loader.
    returns = rows(
        _returns(scope)
        .annotate(
            customer_tags_text=Cast("customer__tags", TextField()),
            decision_lines_text=Cast("decision__lines", TextField()),
        )
        .order_by("created_at", "id")
        .values_list(*_RETURN_FIELDS)
    )
    items: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for return_id, line_id, quantity, reason in rows(
        ReturnItem.objects.filter(return_request__in=_returns(scope))
        .order_by("id")
        .values_list("return_request_id", "order_line__external_id", "quantity_requested", "reason")
    ):
        items[return_id].append((line_id, quantity, reason))
    lines: dict[int, list[LineFacts]] = defaultdict(list)
    for row in rows(
        OrderLine.objects.filter(order_id__in=_returns(scope).values("order_id"))
        .annotate(tags_text=Cast("tags", TextField()))
        .order_by("order_id", "position", "id")
        .values_list(*_LINE_FIELDS)
    ):
        lines[row[0]].append(_line(row))
    tz = zone(scope.store.timezone)
    first_return_of: dict[int, int] = {}
    cases = []
    for row in returns:
        return_id, order_id = row[0], row[2]
        requested = items.get(return_id)
        if not requested:
            continue  # a return without items is no request to replay
        first_return_of.setdefault(order_id, return_id)
        cases.append(
            _case(
                row,
                requested,
                lines[order_id],
                tz=tz,
                first_of_order=first_return_of[order_id] == return_id,
                in_force_version_id=in_force_version_id,
            )
        )
    return cases


def _line(row: tuple[Any, ...]) -> LineFacts:
    (_, line_id, sku, title, category, tags, quantity, price, discount, tax, final, vendor) = row
    return LineFacts(
        line_id=line_id,
        sku=sku,
        title=title,
        category=category,
        tags=_json_set(tags),
        quantity=quantity,
        unit_price=price,
        discount=discount,
        tax=tax,
        final_sale=final,
        vendor=vendor,
    )


def _case(
    row: tuple[Any, ...],
    requested: list[tuple[str, int, str]],
    lines: list[LineFacts],
    *,
    tz: Any,
    first_of_order: bool,
    in_force_version_id: int | None,
) -> ReplayCase:
    (
        _,
        rma,
        _,
        tier,
        customer_tags,
        created_at,
        resolution,
        items_amount,
        shipping_refund,
        version_id,
        outcome,
        decided_lines,
        order_external_id,
        currency,
        placed_at,
        delivered_at,
        country,
        postal_code,
        shipping,
        shipping_tax,
    ) = row
    held = (
        dict(_held_when_requested(json.loads(decided_lines), lines))
        if decided_lines not in _EMPTY_JSON
        else {}
    )
    order_lines = tuple(
        replace(line, already_returned_quantity=held[line.line_id])
        if held.get(line.line_id)
        else line
        for line in lines
    )
    if shipping_refund is None or shipping_refund <= _ZERO:
        # Not given back then: a policy that refunds shipping would have, to the order's first
        # return (later ones find it held).
        shipping_refund = (shipping + shipping_tax) if first_of_order else _ZERO
    return ReplayCase(
        key=rma,
        order=OrderFacts(
            order_id=order_external_id,
            currency=currency,
            placed_at=placed_at,
            delivered_at=delivered_at,
            country=country,
            postal_code=postal_code,
            lines=order_lines,
        ),
        customer=CustomerFacts(tier=tier or "", tags=_json_set(customer_tags)),
        request=RequestFacts(
            items=tuple(RequestedItem(line_id, qty, reason) for line_id, qty, reason in requested),
            resolution=resolution or None,
        ),
        now=created_at.astimezone(tz),
        value=items_amount,
        shipping_refund=shipping_refund,
        recorded=_OUTCOMES.get(outcome or ""),
        recorded_in_force=in_force_version_id is not None and version_id == in_force_version_id,
    )


_EMPTY: frozenset[str] = frozenset()
_EMPTY_JSON = frozenset({None, "", "[]", "null"})


@lru_cache(maxsize=4096)
def _json_set(text: str | None) -> frozenset[str]:
    """A JSON list of strings read as text, as a set (empty without parsing when it is; the
    same few lists of tags come back on most lines: each is parsed once)."""
    if text in _EMPTY_JSON:
        return _EMPTY
    found = json.loads(text)  # type: ignore[arg-type]  # None is in _EMPTY_JSON
    return frozenset(found) if isinstance(found, list) else _EMPTY


def _held_when_requested(decided_lines: Any, lines: list[LineFacts]) -> Iterator[tuple[str, int]]:
    """Units of each requested line other returns held when the request was decided: the line's
    quantity less what the recorded decision found returnable (none when it did not say)."""
    if not isinstance(decided_lines, list):
        return
    quantities = {line.line_id: line.quantity for line in lines}
    for decided in decided_lines:
        if not isinstance(decided, dict):
            continue
        line_id = decided.get("line_id")
        returnable = decided.get("returnable_quantity")
        if line_id in quantities and isinstance(returnable, int):
            yield line_id, max(0, quantities[line_id] - returnable)
