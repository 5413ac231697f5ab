"""Inspection and disposition of received return items: the returns side of the warehouse.

This module owns the return's row lock, its quantity checks and its audit trail; the rules
(checklists, grades, dispositions, supplier deadlines) and the warehouse records live in
retorno.warehouse, which is handed plain facts (see docs/adr/0004).

A return becomes `inspected` once every approved unit is received or written off as missing
and every received unit has been inspected; until then inspections are recorded and the
return stays `received`, so the rest of a parcel can still be counted in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from retorno.core.actors import Actor
from retorno.core.errors import Conflict, NotFound, Unprocessable
from retorno.domain.money import quantize
from retorno.domain.returns.ledger import ItemDecision
from retorno.domain.returns.rma import normalise_rma
from retorno.domain.returns.states import Command, ReturnStatus, transition
from retorno.domain.warehouse import Grade
from retorno.returns.events import EventKind, command, event_record
from retorno.returns.locks import return_lock
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.returns.selectors import return_get_for_store
from retorno.stores.models import Store
from retorno.warehouse import selectors as warehouse_selectors
from retorno.warehouse import services as warehouse
from retorno.warehouse.models import Inspection, RtvBatch
from retorno.warehouse.services import InspectionInput

__all__ = [
    "InspectionInput",
    "auto_pass_lenient",
    "complete_if_done",
    "return_inspect_items",
    "return_item_disposition_set",
    "return_warehouse_state",
    "rtv_batch_ship",
]


def qc_level_of(return_request: Return, line: str) -> str:
    """The QC level the policy decided for a line (standard unless the tier is lenient)."""
    for decided in (return_request.decision or {}).get("lines", []):
        if decided.get("line_id") == line:
            return str(decided.get("qc_level") or "standard")
    return "standard"


def _received_at(return_request: Return, now: datetime) -> datetime:
    first = (
        ReturnEvent.objects.filter(return_request=return_request, kind=EventKind.RECEIVED)
        .order_by("created_at", "id")
        .values_list("created_at", flat=True)
        .first()
    )
    return first or now


def _facts(return_request: Return, item: ReturnItem, received_at: datetime) -> warehouse.ItemFacts:
    line = item.order_line
    units = item.quantity_requested or 1
    unit_value = (
        quantize(item.amount / units, return_request.currency) if item.amount else Decimal(0)
    )
    return warehouse.ItemFacts(
        return_id=return_request.id,
        rma=return_request.rma,
        return_item_id=item.id,
        line=line.external_id,
        sku=line.sku,
        variant_id=line.variant_id,
        category=line.category,
        vendor=line.vendor,
        reason=item.reason,
        unit_value=unit_value,
        currency=return_request.currency,
        qc_level=qc_level_of(return_request, line.external_id),
        received_at=received_at,
    )


def complete_if_done(return_request: Return, now: datetime) -> bool:
    """Move a received return to `inspected` when nothing is left to receive or inspect."""
    if return_request.status != ReturnStatus.RECEIVED:
        return False
    inspected = warehouse_selectors.inspected_quantities(
        store=return_request.store, return_id=return_request.id
    )
    items = list(
        ReturnItem.objects.filter(return_request=return_request).exclude(
            decision=ItemDecision.REJECTED
        )
    )
    done = all(
        item.outstanding == 0 and inspected.get(item.id, 0) >= item.quantity_received
        for item in items
    )
    if done and any(item.quantity_received for item in items):
        return_request.status = transition(return_request.status, Command.INSPECT)
        return_request.updated_at = now
        return_request.status_since = now
        return True
    return False


def return_inspect_items(
    *,
    store: Store,
    rma: str,
    inspections: Iterable[InspectionInput],
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
    skip_finished: bool = False,
) -> list[Inspection]:
    """Record inspections of received units: grade, checklist answers, notes, photos.

    Each input inspects `quantity` units of a line (default: all received units not inspected
    yet). Refusals, all writing nothing: item_not_found (not on the return), item_not_received
    (no unit of it arrived), already_inspected (more units than received and not inspected),
    checklist_incomplete / unknown_check / invalid_answer, unknown_grade. Records one
    `inspected` event listing the inspections and their proposed dispositions.
    `skip_finished` ignores lines with nothing left to inspect (the older grades-only call).
    """
    now = now or timezone.now()
    inputs = list(inspections)
    if not inputs:
        raise Unprocessable("Say which items were inspected.", code="no_items")
    with command():
        return_request = return_lock(store, rma)
        items = {
            i.order_line.external_id: i
            for i in return_request.items.select_related("order_line", "order_line__variant")
        }
        inspected = warehouse_selectors.inspected_quantities(
            store=store, return_id=return_request.id
        )
        received_at = _received_at(return_request, now)
        created: list[Inspection] = []
        for given in inputs:
            item = items.get(given.line)
            if item is None:
                raise NotFound(
                    f"Line {given.line!r} is not part of this return.", code="item_not_found"
                )
            if item.quantity_received == 0:
                raise Unprocessable(
                    f"{item.order_line.sku} has not been received, so it cannot be inspected. "
                    "Count it in first (or close the receipt to record it as missing).",
                    code="item_not_received",
                    line=given.line,
                )
            left = item.quantity_received - inspected.get(item.id, 0)
            if skip_finished and left <= 0:
                continue
            quantity = left if given.quantity is None else given.quantity
            if quantity < 1 or quantity > left:
                raise Conflict(
                    f"{item.order_line.sku}: {left} received unit(s) are waiting for inspection, "
                    f"not {quantity}. Nothing was recorded.",
                    code="already_inspected",
                    line=given.line,
                    remaining=left,
                )
            row = warehouse.inspection_record(
                store=store,
                facts=_facts(return_request, item, received_at),
                grade=given.grade,
                quantity=quantity,
                answers=given.answers,
                notes=given.notes,
                photos=given.photos,
                reason_confirmed=given.reason_confirmed,
                actor=actor,
                now=now,
            )
            inspected[item.id] = inspected.get(item.id, 0) + quantity
            created.append(row)
        before = return_request.status
        if created or skip_finished:
            if return_request.status not in (ReturnStatus.RECEIVED, ReturnStatus.INSPECTED):
                transition(return_request.status, Command.INSPECT)  # raises illegal_transition
            complete_if_done(return_request, now)
            return_request.updated_at = now
            return_request.save(update_fields=["status", "updated_at"])
            # "inspected" is the milestone (refund timing, the shopper's message): only once
            # every unit is accounted for; partial inspections are "items_inspected".
            event_record(
                return_request,
                EventKind.INSPECTED
                if return_request.status == ReturnStatus.INSPECTED
                else EventKind.ITEMS_INSPECTED,
                actor=actor,
                now=now,
                note=note,
                data={
                    "inspections": [_summary(row) for row in created],
                    "grades": {row.line: row.grade for row in created},
                },
                from_status=before,
            )
    return created


def auto_pass_lenient(
    *,
    store: Store,
    return_request: Return,
    counted: dict[str, int],
    actor: Actor,
    now: datetime,
) -> list[Inspection]:
    """Pass units of lenient-QC lines as they arrive, so a trusted shopper is not held up.

    Called by receiving inside its transaction, with the return locked. The units are recorded
    as an auto-passed inspection (presumed like new, with the proposal that goes with it);
    staff still choose their disposition, and nothing is restocked without that choice.
    """
    items = {
        i.order_line.external_id: i
        for i in return_request.items.select_related("order_line", "order_line__variant")
    }
    created = []
    for line, units in counted.items():
        item = items[line]
        if qc_level_of(return_request, line) != warehouse.LENIENT:
            continue
        created.append(
            warehouse.inspection_record(
                store=store,
                facts=_facts(return_request, item, now),
                grade=Grade.LIKE_NEW,
                quantity=units,
                answers={},
                notes="",
                photos=(),
                actor=actor,
                now=now,
                auto_passed=True,
            )
        )
    if created:
        before = return_request.status
        complete_if_done(return_request, now)
        return_request.save(update_fields=["status", "updated_at"])
        done = return_request.status == ReturnStatus.INSPECTED
        event_record(
            return_request,
            EventKind.INSPECTED if done else EventKind.INSPECTION_SKIPPED,
            actor=actor,
            now=now,
            note="Passed on receipt: the shopper's tier has lenient quality control.",
            data={"inspections": [_summary(row) for row in created]},
            from_status=before,
        )
    return created


def _summary(row: Inspection) -> dict[str, Any]:
    return {
        "id": row.id,
        "line": row.line,
        "sku": row.sku,
        "quantity": row.quantity,
        "grade": row.grade,
        "reason_confirmed": row.reason_confirmed,
        "auto_passed": row.auto_passed,
        "checklist_passed": row.checklist_passed,
        "failed_checks": row.failed_checks,
        "proposed_disposition": row.proposed_disposition,
        "proposed_recovery_amount": str(row.proposed_recovery_amount)
        if row.proposed_recovery_amount is not None
        else None,
    }


def return_item_disposition_set(
    *,
    store: Store,
    rma: str,
    line: str,
    actor: Actor,
    disposition: str | None = None,
    note: str = "",
    restock: bool = True,
    inspection_id: int | None = None,
    now: datetime | None = None,
) -> warehouse.DispositionOutcome:
    """Set where the inspected units of a line go (None: accept the rules' proposal).

    When the line was inspected in several groups (2 like new, 1 damaged), `inspection_id`
    says which (inspection_ambiguous otherwise). Changing the proposal needs a note
    (note_required). A sellable restock adds stock; see warehouse.services.disposition_set.
    Records `disposition_set` (and `restocked` when stock was added) on the trail.
    """
    now = now or timezone.now()
    with command():
        return_request = return_lock(store, rma)
        item = (
            return_request.items.select_related("order_line")
            .filter(order_line__external_id=line)
            .first()
        )
        if item is None:
            raise NotFound(f"Line {line!r} is not part of this return.", code="item_not_found")
        rows = [
            r
            for r in warehouse_selectors.inspections_for_return(
                store=store, return_id=return_request.id
            )
            if r.return_item_id == item.id
        ]
        if inspection_id is not None:
            rows = [r for r in rows if r.id == inspection_id]
            if not rows:
                raise NotFound("No such inspection of this item.", code="inspection_not_found")
        if not rows:
            code = "item_not_received" if item.quantity_received == 0 else "item_not_inspected"
            raise Unprocessable(
                f"{item.order_line.sku} has not been inspected yet; inspect it first.", code=code
            )
        if len(rows) > 1:
            undecided = [r for r in rows if not r.disposition]
            if len(undecided) != 1:
                raise Unprocessable(
                    "This item was inspected in several groups; say which one "
                    f"(inspection ids: {', '.join(str(r.id) for r in rows)}).",
                    code="inspection_ambiguous",
                    inspections=[r.id for r in rows],
                )
            rows = undecided
        outcome = warehouse.disposition_set(
            store=store,
            inspection_id=rows[0].id,
            disposition=disposition,
            note=note,
            restock=restock,
            actor=actor,
            now=now,
        )
        row = outcome.inspection
        return_request.updated_at = now
        return_request.save(update_fields=["updated_at"])
        event_record(
            return_request,
            EventKind.DISPOSITION_SET,
            actor=actor,
            now=now,
            note=row.disposition_note,
            data={
                "line": line,
                "sku": row.sku,
                "inspection": row.id,
                "quantity": row.quantity,
                "grade": row.grade,
                "proposed": row.proposed_disposition,
                "disposition": row.disposition,
                "previous": outcome.previous,
                "overridden": row.disposition_overridden,
                "recovery_amount": str(row.recovery_amount)
                if row.recovery_amount is not None
                else None,
                "rtv_batch": outcome.rtv_batch.id if outcome.rtv_batch else None,
            },
        )
        if outcome.stock_added:
            event_record(
                return_request,
                EventKind.RESTOCKED,
                actor=actor,
                now=now,
                data={
                    "line": line,
                    "sku": row.sku,
                    "inspection": row.id,
                    "quantity": outcome.stock_added,
                    "stock_after": outcome.inventory_event.stock_after
                    if outcome.inventory_event
                    else None,
                    "inventory_event": outcome.inventory_event.id
                    if outcome.inventory_event
                    else None,
                },
            )
    return outcome


def rtv_batch_ship(
    *, store: Store, batch_id: int, actor: Actor, now: datetime | None = None
) -> RtvBatch:
    """Ship a return-to-vendor batch; each return with units in it gets a `returned_to_vendor`
    event on its trail."""
    now = now or timezone.now()
    with command():
        batch = warehouse.rtv_batch_ship(store=store, batch_id=batch_id, actor=actor, now=now)
        by_return: dict[int, list[Inspection]] = {}
        for unit in batch.inspections.all():
            by_return.setdefault(unit.return_id, []).append(unit)
        for return_request in Return.objects.filter(store=store, id__in=list(by_return)):
            units = by_return[return_request.id]
            event_record(
                return_request,
                EventKind.RETURNED_TO_VENDOR,
                actor=actor,
                now=now,
                data={
                    "batch": batch.id,
                    "supplier": batch.supplier_name or batch.supplier_code,
                    "units": [{"sku": u.sku, "quantity": u.quantity} for u in units],
                },
            )
    return batch


# The A–D scale some callers (the demo) still use, onto the warehouse's grades.
LETTER_GRADES = {"A": "like_new", "B": "used", "C": "damaged", "D": "damaged"}


def return_inspect(
    *,
    store: Store,
    rma: str,
    grades: dict[str, str],
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
) -> Return:
    """Record the inspection of received items: `grades` maps order line id to a grade for
    every received unit not inspected yet. See return_inspect_items for
    checklists, quantities, photos and dispositions."""
    if not grades:
        raise Unprocessable("Say which items were inspected.", code="no_items")
    return_inspect_items(
        store=store,
        rma=rma,
        inspections=[
            InspectionInput(line=line, grade=LETTER_GRADES.get(grade, grade))
            for line, grade in grades.items()
        ],
        actor=actor,
        note=note,
        now=now,
        skip_finished=True,
    )
    return Return.objects.get(store=store, rma=normalise_rma(rma))


# --- reads -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemState:
    item: ReturnItem
    qc_level: str
    inspections: list[Inspection]

    @property
    def inspected(self) -> int:
        return sum(row.quantity for row in self.inspections)

    @property
    def awaiting_inspection(self) -> int:
        return max(0, self.item.quantity_received - self.inspected)


@dataclass(frozen=True)
class WarehouseState:
    """A return as the warehouse sees it: per item the ledger, QC level and inspections, and
    the unexpected items of its parcels."""

    return_request: Return
    items: list[ItemState]
    unexpected: list[Any]

    @property
    def inspections(self) -> list[Inspection]:
        return [row for state in self.items for row in state.inspections]


def return_warehouse_state(*, store: Store, rma: str) -> WarehouseState:
    """Read a return with its warehouse records (3 queries beyond the return's own)."""
    return_request = return_get_for_store(store=store, rma=rma)
    rows = warehouse_selectors.inspections_for_return(store=store, return_id=return_request.id)
    by_item: dict[int, list[Inspection]] = {}
    for row in rows:
        by_item.setdefault(row.return_item_id, []).append(row)
    items = [
        ItemState(
            item=item,
            qc_level=qc_level_of(return_request, item.order_line.external_id),
            inspections=by_item.get(item.id, []),
        )
        for item in return_request.items.all()
    ]
    unexpected = warehouse_selectors.unexpected_items_for_return(
        store=store, return_id=return_request.id
    )
    return WarehouseState(return_request, items, unexpected)
