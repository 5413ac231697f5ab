"""Warehouse writes: configuration documents, unexpected items, inspections, dispositions,
return-to-vendor batches and restocks.

These services know return items only as plain facts (`ItemFacts`) handed over by the returns
layer, which owns the return's row lock, its quantity ledger and its audit trail. Each service
here is called inside that caller's transaction (or opens its own) and writes nothing when it
raises.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from retorno.core.actors import Actor
from retorno.core.errors import Conflict, Unprocessable
from retorno.core.outbox import outbox_enqueue
from retorno.core.spreadsheets import safe_cell
from retorno.domain.documents import DocumentError
from retorno.domain.errors import DomainError
from retorno.domain.money import quantize
from retorno.domain.warehouse import (
    Checklist,
    ChecklistError,
    ChecklistIncomplete,
    Disposition,
    DispositionProposal,
    Grade,
    as_grade,
    batch_deadline,
    checklist_for,
    checklist_result,
    parse_checklists,
    parse_disposition_rules,
    propose_disposition,
    rtv_batch_key,
    rtv_deadline,
    sellable,
    unit_physically_present,
)
from retorno.domain.warehouse.checklists import Check
from retorno.orders.models import Variant
from retorno.stores.models import Store
from retorno.warehouse import selectors
from retorno.warehouse.models import (
    DocumentKind,
    Inspection,
    InventoryEvent,
    RtvBatch,
    RtvStatus,
    Supplier,
    UnexpectedItem,
    WarehouseDocument,
)

LENIENT = "lenient"
MAX_NOTE = 2000
INVENTORY_ADJUSTED = "inventory.adjusted"

# Recovery when staff choose another disposition than the rules proposed (percent of value).
OVERRIDE_RECOVERY_PERCENT = {
    Disposition.RESTOCK: Decimal(100),
    Disposition.REFURBISH: Decimal(60),
    Disposition.RETURN_TO_VENDOR: Decimal(50),
    Disposition.LIQUIDATE: Decimal(20),
    Disposition.DONATE: Decimal(0),
    Disposition.RECYCLE: Decimal(0),
}


@dataclass(frozen=True)
class ItemFacts:
    """What the warehouse needs to know about one return item (from the returns layer)."""

    return_id: int
    rma: str
    return_item_id: int
    line: str
    sku: str
    variant_id: int | None
    category: str
    vendor: str
    reason: str
    unit_value: Decimal
    currency: str
    qc_level: str
    received_at: datetime


@dataclass(frozen=True)
class InspectionInput:
    """One inspection as staff or an API client submit it. `quantity` None means every
    received unit not inspected yet."""

    line: str
    grade: str
    quantity: int | None = None
    answers: dict[str, bool] = field(default_factory=dict)
    notes: str = ""
    photos: tuple[str, ...] = ()
    # The inspector found what the shopper said (counts the defect whatever the grade).
    reason_confirmed: bool = False


# --- configuration documents -------------------------------------------------------------------


def document_publish(
    *,
    store: Store,
    kind: str,
    document: Any,
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
) -> WarehouseDocument:
    """Validate `document` with the domain parser and store it as the next version of `kind`.

    Raises Unprocessable with code invalid_checklists / invalid_disposition_rules and every
    problem with its field path in `errors`; nothing is written then.
    """
    if kind not in DocumentKind.values:
        raise Unprocessable(f"Unknown document kind {kind!r}.", code="unknown_document")
    document_errors(kind, document, raise_=True)
    now = now or timezone.now()
    with transaction.atomic():
        Store.objects.select_for_update().filter(pk=store.pk).first()  # serialises versions
        latest = selectors.document_current(store=store, kind=kind)
        return WarehouseDocument.objects.create(
            store=store,
            kind=kind,
            version=(latest.version if latest else 0) + 1,
            document=document,
            note=(note or "")[:500],
            created_by=str(actor)[:200],
            created_at=now,
        )


def document_errors(kind: str, document: Any, *, raise_: bool = False) -> list[dict[str, str]]:
    """The problems of `document` as [{field, message}]; raise Unprocessable with them if asked."""
    parse = parse_checklists if kind == DocumentKind.CHECKLISTS else parse_disposition_rules
    try:
        parse(document)
    except DocumentError as exc:
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
        if raise_:
            raise Unprocessable(str(exc), code=exc.code, errors=errors) from None
        return errors
    return []


# --- receiving ---------------------------------------------------------------------------------


def unexpected_item_record(
    *,
    store: Store,
    return_id: int,
    rma: str,
    sku: str,
    quantity: int,
    actor: Actor,
    note: str = "",
    now: datetime,
) -> UnexpectedItem:
    """Record units of `sku` found in a parcel that the return did not announce."""
    sku = (sku or "").strip()
    if not sku or len(sku) > 120:
        raise Unprocessable("Say which SKU arrived unexpectedly.", code="invalid_sku")
    if quantity < 1 or quantity > 10_000:
        raise Unprocessable("Quantities must be between 1 and 10000.", code="invalid_quantity")
    variant = Variant.objects.filter(store=store, sku__iexact=sku).first()
    return UnexpectedItem.objects.create(
        store=store,
        return_id=return_id,
        rma=rma,
        sku=variant.sku if variant else sku,
        variant=variant,
        quantity=quantity,
        note=(note or "")[:MAX_NOTE],
        received_at=now,
        received_by=str(actor)[:200],
    )


# --- inspection --------------------------------------------------------------------------------


def inspection_record(
    *,
    store: Store,
    facts: ItemFacts,
    grade: str,
    quantity: int,
    answers: dict[str, bool],
    notes: str,
    photos: tuple[str, ...] | list[str],
    actor: Actor,
    now: datetime,
    auto_passed: bool = False,
    reason_confirmed: bool = False,
) -> Inspection:
    """Judge `quantity` units of one item: checklist, grade, proposed disposition; save them.

    The checklist of the item's category must be answered in full (ChecklistIncomplete, code
    checklist_incomplete) unless the tier's QC is lenient, where every check is optional and an
    `auto_passed` inspection answers none. The caller has checked the quantity against the
    units received. Raises GradeError (unknown_grade), ChecklistError (unknown_check,
    invalid_answer).
    """
    grade_value = as_grade(grade)
    if quantity < 1:
        raise Unprocessable("Inspect at least one unit.", code="invalid_quantity")
    if len(notes or "") > 4000:
        raise Unprocessable("Notes are limited to 4000 characters.", code="invalid_notes")
    lenient = facts.qc_level == LENIENT
    if auto_passed and not lenient:
        raise Conflict(
            "Only items of a tier with lenient QC may skip inspection.", code="inspection_required"
        )
    current = selectors.checklists_current(store=store)
    checklist = checklist_for(current.checklists, facts.category or None)
    if lenient:
        checklist = Checklist(
            checklist.category, tuple(Check(c.check_id, c.label, False) for c in checklist.checks)
        )
    result = checklist_result(checklist, dict(answers or {}))
    proposal = _propose(store, grade_value, facts)
    return Inspection.objects.create(
        store=store,
        return_id=facts.return_id,
        rma=facts.rma,
        return_item_id=facts.return_item_id,
        line=facts.line,
        sku=facts.sku,
        variant_id=facts.variant_id,
        category=facts.category,
        vendor=facts.vendor,
        reason=facts.reason,
        quantity=quantity,
        grade=grade_value.value,
        qc_level=facts.qc_level or "standard",
        auto_passed=auto_passed,
        checklist_category=checklist.category,
        checklist_answers=dict(answers or {}),
        checklist_passed=result.passed,
        failed_checks=list(result.failed),
        notes=notes or "",
        reason_confirmed=bool(reason_confirmed),
        photos=list(photos),
        unit_value_amount=facts.unit_value,
        currency=facts.currency,
        received_at=facts.received_at,
        inspected_at=now,
        inspected_by=str(actor)[:200],
        inspected_by_id=actor.id,
        rules_version=proposal[0] if proposal else None,
        proposed_disposition=proposal[1].disposition.value if proposal else "",
        proposed_recovery_percent=proposal[1].recovery_percent if proposal else None,
        proposed_recovery_amount=(proposal[1].estimated_recovery * quantity if proposal else None),
        proposal_rule_id=(proposal[1].rule_id or "") if proposal else "",
        proposal_explanation=proposal[1].explanation[:1000] if proposal else "",
    )


def _propose(
    store: Store, grade: Grade, facts: ItemFacts
) -> tuple[int | None, DispositionProposal] | None:
    if not unit_physically_present(grade):
        return None
    current = selectors.disposition_rules_current(store=store)
    proposal = propose_disposition(
        current.rules,
        grade,
        facts.reason or None,
        facts.category or None,
        facts.unit_value,
        facts.currency,
    )
    return current.version, proposal


# --- disposition, restock, return to vendor ----------------------------------------------------


@dataclass(frozen=True)
class DispositionOutcome:
    inspection: Inspection
    previous: str
    stock_added: int
    inventory_event: InventoryEvent | None
    rtv_batch: RtvBatch | None


def disposition_set(
    *,
    store: Store,
    inspection_id: int,
    disposition: str | None,
    note: str,
    restock: bool,
    actor: Actor,
    now: datetime,
) -> DispositionOutcome:
    """Decide where inspected units go; `disposition` None accepts the rules' proposal.

    Choosing anything else than the proposal needs a note (note_required). A restock of a new
    or like-new unit adds its units to the variant's stock when `restock` is true (a per-item
    choice): an atomic F() update, an InventoryEvent row and an `inventory.adjusted` outbox
    message. Return-to-vendor units join the supplier's open batch, whose deadline becomes the
    earliest of its units'. Units already restocked or shipped to the supplier are final
    (Conflict disposition_final). Must run inside the caller's transaction.
    """
    inspection = (
        Inspection.objects.select_for_update().filter(store=store, id=inspection_id).first()
    )
    if inspection is None:
        raise Unprocessable("No such inspection on this return.", code="inspection_not_found")
    if not unit_physically_present(inspection.grade):
        raise Unprocessable(
            "These units were not received; there is nothing to dispose of.",
            code="item_not_received",
        )
    if inspection.restocked_quantity or (
        inspection.rtv_batch_id is not None and inspection.rtv_batch.status == RtvStatus.SHIPPED
    ):
        raise Conflict(
            "These units were already restocked or sent to the supplier; their disposition is "
            "final.",
            code="disposition_final",
        )
    try:
        chosen = Disposition(disposition) if disposition else None
    except ValueError:
        raise Unprocessable(
            f"Unknown disposition {disposition!r}; use one of: {', '.join(Disposition)}.",
            code="invalid_disposition",
        ) from None
    proposed = Disposition(inspection.proposed_disposition)
    chosen = chosen or proposed
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise Unprocessable(f"Notes are limited to {MAX_NOTE} characters.", code="invalid_notes")
    overridden = chosen is not proposed
    if overridden and not note:
        raise Unprocessable(
            "Changing the proposed disposition needs a note saying why.", code="note_required"
        )

    previous = inspection.disposition
    old_batch = inspection.rtv_batch
    batch = None
    if chosen is Disposition.RETURN_TO_VENDOR:
        batch = _rtv_join(store, inspection, now)
    else:
        inspection.rtv_batch = None
        inspection.rtv_deadline_at = None

    if overridden:
        percent = OVERRIDE_RECOVERY_PERCENT[chosen]
        unit_recovery = quantize(inspection.unit_value_amount * percent / 100, inspection.currency)
        recovery = unit_recovery * inspection.quantity
    else:
        recovery = inspection.proposed_recovery_amount
    inspection.disposition = chosen.value
    inspection.disposition_note = note
    inspection.disposition_overridden = overridden
    inspection.disposition_set_at = now
    inspection.disposition_set_by = str(actor)[:200]
    inspection.recovery_amount = recovery

    event = None
    stock_added = 0
    if (
        chosen is Disposition.RESTOCK
        and restock
        and sellable(inspection.grade, chosen)
        and inspection.variant_id is not None
    ):
        event = _restock(store, inspection, actor, now)
        stock_added = inspection.quantity
        inspection.restocked_quantity = inspection.quantity
    inspection.save(
        update_fields=[
            "rtv_batch",
            "rtv_deadline_at",
            "disposition",
            "disposition_note",
            "disposition_overridden",
            "disposition_set_at",
            "disposition_set_by",
            "recovery_amount",
            "restocked_quantity",
        ]
    )
    if old_batch is not None and old_batch.id != (batch.id if batch else None):
        _refresh_deadline(old_batch)
    return DispositionOutcome(inspection, previous, stock_added, event, batch)


def _restock(store: Store, inspection: Inspection, actor: Actor, now: datetime) -> InventoryEvent:
    assert inspection.variant_id is not None  # the caller checked
    updated = Variant.objects.filter(store=store, id=inspection.variant_id).update(
        stock=F("stock") + inspection.quantity
    )
    if not updated:
        raise Unprocessable("The item's variant is no longer in the catalog.", code="no_variant")
    variant = Variant.objects.only("stock", "sku").get(id=inspection.variant_id)
    event = InventoryEvent.objects.create(
        store=store,
        variant=variant,
        sku=variant.sku,
        quantity_delta=inspection.quantity,
        stock_after=variant.stock,
        reason="return_restock",
        rma=inspection.rma,
        return_item_id=inspection.return_item_id,
        inspection=inspection,
        actor_label=str(actor)[:200],
        created_at=now,
    )
    outbox_enqueue(
        store_id=store.id,
        kind=INVENTORY_ADJUSTED,
        dedupe_key=f"inventory:{event.id}",
        payload={
            "event_id": event.id,
            "sku": variant.sku,
            "variant_id": variant.id,
            "quantity_delta": inspection.quantity,
            "stock_after": variant.stock,
            "reason": "return_restock",
            "rma": inspection.rma,
            "occurred_at": now.isoformat(),
        },
    )
    return event


def _rtv_join(store: Store, inspection: Inspection, now: datetime) -> RtvBatch:
    try:
        key = rtv_batch_key(inspection.vendor)
    except DomainError:
        raise Unprocessable(
            "This product has no supplier (vendor) to return it to; choose another disposition.",
            code="unknown_supplier",
        ) from None
    terms, name = selectors.supplier_terms_days(store=store, supplier_code=inspection.vendor)
    batch = _open_batch(store, key.supplier, key.warehouse, name, now)
    inspection.rtv_batch = batch
    inspection.rtv_deadline_at = rtv_deadline(inspection.received_at, terms)
    deadlines = [inspection.rtv_deadline_at] + [
        d
        for d in batch.inspections.exclude(id=inspection.id).values_list(
            "rtv_deadline_at", flat=True
        )
        if d is not None
    ]
    batch.deadline_at = batch_deadline(deadlines)
    batch.save(update_fields=["deadline_at"])
    return batch


def _open_batch(store: Store, supplier: str, warehouse: str, name: str, now: datetime) -> RtvBatch:
    for _ in range(3):
        batch = (
            RtvBatch.objects.select_for_update()
            .filter(store=store, supplier_code=supplier, warehouse=warehouse, status=RtvStatus.OPEN)
            .first()
        )
        if batch is not None:
            return batch
        try:
            with transaction.atomic():
                return RtvBatch.objects.create(
                    store=store,
                    supplier_code=supplier,
                    supplier_name=name,
                    warehouse=warehouse,
                    created_at=now,
                )
        except IntegrityError:
            continue  # another receipt opened it at the same moment: join that one
    raise Conflict("Could not open a return-to-vendor batch; try again.", code="rtv_busy")


def _refresh_deadline(batch: RtvBatch) -> None:
    deadlines = [
        d for d in batch.inspections.values_list("rtv_deadline_at", flat=True) if d is not None
    ]
    batch.deadline_at = batch_deadline(deadlines) if deadlines else None
    batch.save(update_fields=["deadline_at"])


def supplier_save(
    *, store: Store, code: str, terms_days: int, name: str = "", contact_email: str = ""
) -> Supplier:
    """Record a supplier's return terms (matched to products by their vendor, ignoring case).

    Units already waiting in an open return-to-vendor batch of that supplier get their deadline
    recounted from receipt with the new terms, so the batch shows what the supplier now accepts;
    shipped batches keep theirs.
    """
    code = code.strip()
    if not code or len(code) > 120:
        raise Unprocessable(
            "Give the supplier's code as in the catalog's vendor field.", code="invalid_supplier"
        )
    whole = isinstance(terms_days, int) and not isinstance(terms_days, bool)
    if not whole or not 0 <= terms_days <= 3650:
        raise Unprocessable("Terms are a whole number of days, 0 to 3650.", code="invalid_terms")
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().filter(
            store=store, code__iexact=code
        ).first() or Supplier(store=store, code=code)
        supplier.name = name.strip()[:200]
        supplier.terms_days = terms_days
        supplier.contact_email = contact_email.strip()[:254]
        supplier.save()
        key = rtv_batch_key(code).supplier
        for batch in RtvBatch.objects.select_for_update().filter(
            store=store, supplier_code=key, status=RtvStatus.OPEN
        ):
            for unit in batch.inspections.all():
                unit.rtv_deadline_at = rtv_deadline(unit.received_at, terms_days)
                unit.save(update_fields=["rtv_deadline_at"])
            batch.supplier_name = supplier.name or supplier.code
            batch.save(update_fields=["supplier_name"])
            _refresh_deadline(batch)
    return supplier


def supplier_thresholds_set(
    *,
    store: Store,
    code: str,
    return_rate: Decimal | None,
    defect_rate: Decimal | None,
) -> Supplier:
    """Set the return-rate and defect-rate thresholds of a supplier (fractions, None for
    none); a supplier the store has not described yet is recorded with the default terms."""
    code = code.strip()
    if not code or len(code) > 120:
        raise Unprocessable(
            "Give the supplier's code as in the catalog's vendor field.", code="invalid_supplier"
        )
    for value in (return_rate, defect_rate):
        if value is not None and not Decimal(0) < value <= Decimal(1):
            raise Unprocessable(
                "A threshold is a share above 0 and at most 1 (100 %).", code="invalid_threshold"
            )
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().filter(
            store=store, code__iexact=code
        ).first() or Supplier(store=store, code=code)
        supplier.return_rate_threshold = return_rate
        supplier.defect_rate_threshold = defect_rate
        supplier.save()
    return supplier


def rtv_batch_ship(*, store: Store, batch_id: int, actor: Actor, now: datetime) -> RtvBatch:
    """Mark an open batch as shipped to its supplier; its units' disposition becomes final."""
    batch = RtvBatch.objects.select_for_update().filter(store=store, id=batch_id).first()
    if batch is None:
        raise Unprocessable("No such return-to-vendor batch.", code="rtv_batch_not_found")
    if batch.status != RtvStatus.OPEN:
        raise Conflict("This batch has already been shipped.", code="rtv_batch_shipped")
    if not batch.inspections.exists():
        raise Conflict("An empty batch cannot be shipped.", code="empty_batch")
    batch.status = RtvStatus.SHIPPED
    batch.shipped_at = now
    batch.shipped_by = str(actor)[:200]
    batch.save(update_fields=["status", "shipped_at", "shipped_by"])
    return batch


CSV_COLUMNS = (
    "batch",
    "supplier",
    "rma",
    "sku",
    "quantity",
    "grade",
    "reason",
    "unit_value",
    "currency",
    "received_at",
    "deadline_at",
    "notes",
)


def rtv_batch_csv(batch: RtvBatch) -> str:
    """The batch's packing list as CSV, one row per group of units (spreadsheet-safe)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for unit in batch.inspections.all().order_by("rtv_deadline_at", "id"):
        writer.writerow(
            [
                batch.id,
                safe_cell(batch.supplier_name or batch.supplier_code),
                unit.rma,
                safe_cell(unit.sku),
                unit.quantity,
                unit.grade,
                safe_cell(unit.reason),
                unit.unit_value_amount.normalize() if unit.unit_value_amount else "0",
                unit.currency,
                unit.received_at.isoformat(),
                unit.rtv_deadline_at.isoformat() if unit.rtv_deadline_at else "",
                safe_cell(unit.notes),
            ]
        )
    return out.getvalue()


__all__ = [
    "ChecklistError",
    "ChecklistIncomplete",
    "DispositionOutcome",
    "InspectionInput",
    "ItemFacts",
    "disposition_set",
    "document_errors",
    "document_publish",
    "inspection_record",
    "rtv_batch_csv",
    "rtv_batch_ship",
    "supplier_save",
    "unexpected_item_record",
]
