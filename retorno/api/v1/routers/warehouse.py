"""Warehouse API: receive, inspect, set dispositions, return-to-vendor batches, and the store's
checklists and disposition rules. Another store's return or batch is a 404."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from retorno.api.v1.auth import actor_of, require_scope
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS
from retorno.api.v1.schemas import Id
from retorno.core.idempotency import idempotent
from retorno.returns.workflows import inspection, receiving
from retorno.warehouse import selectors as warehouse_selectors
from retorno.warehouse import services as warehouse
from retorno.warehouse.models import DocumentKind, Inspection, RtvBatch

router = Router(tags=["warehouse"])

Sku = Annotated[str, Field(min_length=1, max_length=120)]
Note = Annotated[str, Field(max_length=2000)]
CheckId = Annotated[str, Field(min_length=1, max_length=64)]


# --- bodies ------------------------------------------------------------------------------------


class ReceiveLineIn(Schema):
    line: Id
    quantity: Annotated[int, Field(ge=1, le=1000)] = 1


class UnexpectedIn(Schema):
    sku: Sku
    quantity: Annotated[int, Field(ge=1, le=1000)] = 1
    note: Note = ""


class ReceiveIn(Schema):
    items: Annotated[list[ReceiveLineIn], Field(max_length=100)] = []
    unexpected: Annotated[list[UnexpectedIn], Field(max_length=100)] = []
    note: Note = ""


class ReceiptCloseIn(Schema):
    note: Note = ""


class InspectLineIn(Schema):
    line: Id
    grade: Annotated[str, Field(min_length=1, max_length=16)]
    quantity: Annotated[int, Field(ge=1, le=1000)] | None = None
    checklist: dict[CheckId, bool] = Field(default={}, max_length=100)
    notes: Annotated[str, Field(max_length=4000)] = ""
    reason_confirmed: bool = Field(
        False,
        description="The inspector found what the shopper said: a unit returned as defective, "
        "damaged or with missing parts then counts as a confirmed defect of its supplier "
        "whatever its grade.",
    )


class InspectIn(Schema):
    items: Annotated[list[InspectLineIn], Field(min_length=1, max_length=100)]
    note: Note = ""


class DispositionIn(Schema):
    disposition: Annotated[str, Field(max_length=20)] | None = Field(
        None, description="Leave out to accept the rules' proposal."
    )
    note: Note = Field("", description="Required when the disposition differs from the proposal.")
    restock: bool = Field(True, description="Add sellable units of a restock to stock.")
    inspection: int | None = Field(
        None, ge=1, description="Which inspection group, when the line has several."
    )


class InspectionOut(Schema):
    id: int
    line: str
    sku: str
    quantity: int
    grade: str
    auto_passed: bool
    qc_level: str
    checklist_passed: bool
    failed_checks: list[str]
    checklist_answers: dict[str, bool]
    notes: str
    reason_confirmed: bool
    photos: list[str]
    proposed_disposition: str
    proposed_recovery_amount: Decimal | None
    proposal_explanation: str
    disposition: str
    disposition_note: str
    disposition_overridden: bool
    recovery_amount: Decimal | None
    restocked_quantity: int
    rtv_batch: int | None
    rtv_deadline_at: datetime | None
    inspected_at: datetime
    inspected_by: str


class WarehouseItemOut(Schema):
    line: str
    sku: str
    title: str
    status: str
    qc_level: str
    approved: int
    received: int
    missing: int
    outstanding: int
    inspected: int
    awaiting_inspection: int


class UnexpectedOut(Schema):
    id: int
    sku: str
    quantity: int
    note: str
    received_at: datetime
    received_by: str


class WarehouseReturnOut(Schema):
    rma: str
    status: str
    items: list[WarehouseItemOut]
    inspections: list[InspectionOut]
    unexpected_items: list[UnexpectedOut]


class ScanReturnOut(Schema):
    rma: str
    status: str
    customer_email: str
    order_number: str


class ScanOut(Schema):
    kind: str
    code: str
    returns: list[ScanReturnOut]


class RtvUnitOut(Schema):
    inspection: int
    rma: str
    sku: str
    quantity: int
    grade: str
    deadline_at: datetime | None


class RtvBatchOut(Schema):
    id: int
    supplier: str
    warehouse: str
    status: str
    deadline_at: datetime | None
    overdue: bool
    units: list[RtvUnitOut]
    shipped_at: datetime | None


class DocumentOut(Schema):
    kind: str
    version: int | None
    document: dict[str, Any] | None
    created_at: datetime | None
    created_by: str


class DocumentIn(Schema):
    document: dict[str, Any]
    note: Annotated[str, Field(max_length=500)] = ""


# --- renderers ---------------------------------------------------------------------------------


def _inspection_body(row: Inspection) -> dict[str, Any]:
    return {
        "id": row.id,
        "line": row.line,
        "sku": row.sku,
        "quantity": row.quantity,
        "grade": row.grade,
        "auto_passed": row.auto_passed,
        "qc_level": row.qc_level,
        "checklist_passed": row.checklist_passed,
        "failed_checks": row.failed_checks,
        "checklist_answers": row.checklist_answers,
        "notes": row.notes,
        "reason_confirmed": row.reason_confirmed,
        "photos": row.photos,
        "proposed_disposition": row.proposed_disposition,
        "proposed_recovery_amount": row.proposed_recovery_amount,
        "proposal_explanation": row.proposal_explanation,
        "disposition": row.disposition,
        "disposition_note": row.disposition_note,
        "disposition_overridden": row.disposition_overridden,
        "recovery_amount": row.recovery_amount,
        "restocked_quantity": row.restocked_quantity,
        "rtv_batch": row.rtv_batch_id,
        "rtv_deadline_at": row.rtv_deadline_at,
        "inspected_at": row.inspected_at,
        "inspected_by": row.inspected_by,
    }


def _state_body(store: Any, rma: str) -> dict[str, Any]:
    state = inspection.return_warehouse_state(store=store, rma=rma)
    return {
        "rma": state.return_request.rma,
        "status": state.return_request.status,
        "items": [
            {
                "line": s.item.order_line.external_id,
                "sku": s.item.order_line.sku,
                "title": s.item.order_line.title,
                "status": s.item.status,
                "qc_level": s.qc_level,
                "approved": s.item.quantity_approved,
                "received": s.item.quantity_received,
                "missing": s.item.quantity_missing,
                "outstanding": s.item.outstanding,
                "inspected": s.inspected,
                "awaiting_inspection": s.awaiting_inspection,
            }
            for s in state.items
        ],
        "inspections": [_inspection_body(row) for row in state.inspections],
        "unexpected_items": [
            {
                "id": u.id,
                "sku": u.sku,
                "quantity": u.quantity,
                "note": u.note,
                "received_at": u.received_at,
                "received_by": u.received_by,
            }
            for u in state.unexpected
        ],
    }


def _batch_body(batch: RtvBatch, now: datetime) -> dict[str, Any]:
    return {
        "id": batch.id,
        "supplier": batch.supplier_name or batch.supplier_code,
        "warehouse": batch.warehouse,
        "status": batch.status,
        "deadline_at": batch.deadline_at,
        "overdue": batch.status == "open"
        and batch.deadline_at is not None
        and now > batch.deadline_at,
        "units": [
            {
                "inspection": u.id,
                "rma": u.rma,
                "sku": u.sku,
                "quantity": u.quantity,
                "grade": u.grade,
                "deadline_at": u.rtv_deadline_at,
            }
            for u in batch.inspections.all()
        ],
        "shipped_at": batch.shipped_at,
    }


# --- returns -----------------------------------------------------------------------------------


@router.get("/warehouse/scan", response={200: ScanOut, **ERRORS}, summary="Find returns by a scan")
def warehouse_scan(request: HttpRequest, code: Annotated[str, Query(max_length=200)] = ""):
    """An RMA, a carrier tracking number or a SKU (open returns only); 404 `unknown_code`."""
    api_key = require_scope(request, "read")
    match = receiving.scan_lookup(store=api_key.store, code=code)
    return {
        "kind": match.kind,
        "code": match.code,
        "returns": [
            {
                "rma": r.rma,
                "status": r.status,
                "customer_email": r.customer.email,
                "order_number": r.order.number,
            }
            for r in match.returns
        ],
    }


@router.get(
    "/returns/{rma}/warehouse",
    response={200: WarehouseReturnOut, **ERRORS},
    summary="A return's receiving and inspection records",
)
def return_warehouse(request: HttpRequest, rma: str):
    api_key = require_scope(request, "read")
    return _state_body(api_key.store, rma)


@router.post(
    "/returns/{rma}/receive",
    response={200: WarehouseReturnOut, **WRITE_ERRORS},
    summary="Receive units of a return",
)
def return_receive(
    request: HttpRequest,
    rma: str,
    payload: ReceiveIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=255),
):
    """Count units in per order line, and record SKUs that arrived but are not on the return.

    More units than still expected: 409 `over_received`, nothing recorded. Send an
    `Idempotency-Key` so a retried request never counts the same units twice.
    """
    api_key = require_scope(request, "write")
    quantities: dict[str, int] = {}
    for line in payload.items:
        quantities[line.line] = quantities.get(line.line, 0) + line.quantity

    def receive() -> tuple[int, dict]:
        receiving.return_receive_items(
            store=api_key.store,
            rma=rma,
            quantities=quantities,
            unexpected=[
                receiving.UnexpectedInput(u.sku, u.quantity, u.note) for u in payload.unexpected
            ],
            note=payload.note,
            actor=actor_of(api_key),
        )
        return 200, _state_body(api_key.store, rma)

    status, body = idempotent(
        store_id=api_key.store_id,
        operation=f"return_receive:{rma}"[:64],
        key=idempotency_key,
        payload=payload.model_dump(mode="json"),
        action=receive,
    )
    return Status(status, body)


@router.post(
    "/returns/{rma}/receipt/close",
    response={200: WarehouseReturnOut, **WRITE_ERRORS},
    summary="Close a receipt: outstanding units become missing",
)
def return_receipt_close(request: HttpRequest, rma: str, payload: ReceiptCloseIn):
    api_key = require_scope(request, "write")
    receiving.return_receipt_close(
        store=api_key.store, rma=rma, note=payload.note, actor=actor_of(api_key)
    )
    return _state_body(api_key.store, rma)


@router.post(
    "/returns/{rma}/inspect",
    response={200: WarehouseReturnOut, **WRITE_ERRORS},
    summary="Inspect received units",
)
def return_inspect(request: HttpRequest, rma: str, payload: InspectIn):
    """Per line: a grade (new, like_new, used, damaged, wrong_item, not_received), the
    checklist answers (check id → true for "yes"), notes, and optionally how many units.
    Errors: `item_not_received`, `already_inspected` (409), `checklist_incomplete`,
    `unknown_check`, `unknown_grade`; nothing is recorded then."""
    api_key = require_scope(request, "write")
    inspection.return_inspect_items(
        store=api_key.store,
        rma=rma,
        inspections=[
            warehouse.InspectionInput(
                line=i.line,
                grade=i.grade,
                quantity=i.quantity,
                answers=dict(i.checklist),
                notes=i.notes,
                reason_confirmed=i.reason_confirmed,
            )
            for i in payload.items
        ],
        note=payload.note,
        actor=actor_of(api_key),
    )
    return _state_body(api_key.store, rma)


@router.post(
    "/returns/{rma}/items/{line}/disposition",
    response={200: WarehouseReturnOut, **WRITE_ERRORS},
    summary="Set an item's disposition",
)
def return_item_disposition(request: HttpRequest, rma: str, line: str, payload: DispositionIn):
    """Accept the proposed disposition (leave `disposition` out) or choose another with a
    `note` (422 `note_required` without one). A restock of new or like-new units adds them to
    the variant's stock and emits an `inventory.adjusted` event; return-to-vendor units join
    their supplier's open batch."""
    api_key = require_scope(request, "write")
    inspection.return_item_disposition_set(
        store=api_key.store,
        rma=rma,
        line=line,
        disposition=payload.disposition,
        note=payload.note,
        restock=payload.restock,
        inspection_id=payload.inspection,
        actor=actor_of(api_key),
    )
    return _state_body(api_key.store, rma)


# --- return-to-vendor batches ------------------------------------------------------------------


@router.get(
    "/warehouse/rtv-batches",
    response={200: list[RtvBatchOut], **ERRORS},
    summary="Return-to-vendor batches",
)
def rtv_batches(
    request: HttpRequest, status: Annotated[str, Query(pattern="^(open|shipped)?$")] = ""
):
    """Open batches first, the most urgent deadline first."""
    api_key = require_scope(request, "read")
    now = timezone.now()
    batches = warehouse_selectors.rtv_batches_for_store(store=api_key.store, status=status or None)
    return [_batch_body(b, now) for b in batches[:200]]


@router.get(
    "/warehouse/rtv-batches/{batch_id}",
    response={200: RtvBatchOut, **ERRORS},
    summary="A return-to-vendor batch",
)
def rtv_batch(request: HttpRequest, batch_id: int):
    api_key = require_scope(request, "read")
    batch = warehouse_selectors.rtv_batch_get_for_store(store=api_key.store, batch_id=batch_id)
    return _batch_body(batch, timezone.now())


@router.get(
    "/warehouse/rtv-batches/{batch_id}/csv",
    response={200: str, **ERRORS},
    summary="A return-to-vendor batch as CSV",
    openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
def rtv_batch_csv(request: HttpRequest, batch_id: int):
    api_key = require_scope(request, "read")
    batch = warehouse_selectors.rtv_batch_get_for_store(store=api_key.store, batch_id=batch_id)
    response = HttpResponse(warehouse.rtv_batch_csv(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rtv-batch-{batch.id}.csv"'
    return response


@router.post(
    "/warehouse/rtv-batches/{batch_id}/ship",
    response={200: RtvBatchOut, **WRITE_ERRORS},
    summary="Mark a return-to-vendor batch as shipped",
)
def rtv_batch_ship(request: HttpRequest, batch_id: int):
    api_key = require_scope(request, "write")
    warehouse_selectors.rtv_batch_get_for_store(store=api_key.store, batch_id=batch_id)
    inspection.rtv_batch_ship(store=api_key.store, batch_id=batch_id, actor=actor_of(api_key))
    batch = warehouse_selectors.rtv_batch_get_for_store(store=api_key.store, batch_id=batch_id)
    return _batch_body(batch, timezone.now())


# --- configuration -----------------------------------------------------------------------------


def _document_body(store: Any, kind: str) -> dict[str, Any]:
    row = warehouse_selectors.document_current(store=store, kind=kind)
    return {
        "kind": kind,
        "version": row.version if row else None,
        "document": row.document if row else None,
        "created_at": row.created_at if row else None,
        "created_by": row.created_by if row else "",
    }


def _publish(request: HttpRequest, kind: str, payload: DocumentIn) -> dict[str, Any]:
    api_key = require_scope(request, "admin")
    warehouse.document_publish(
        store=api_key.store,
        kind=kind,
        document=payload.document,
        note=payload.note,
        actor=actor_of(api_key),
    )
    return _document_body(api_key.store, kind)


@router.get(
    "/warehouse/checklists",
    response={200: DocumentOut, **ERRORS},
    summary="The store's inspection checklists",
)
def checklists_get(request: HttpRequest):
    api_key = require_scope(request, "read")
    return _document_body(api_key.store, DocumentKind.CHECKLISTS)


@router.put(
    "/warehouse/checklists",
    response={200: DocumentOut, **WRITE_ERRORS},
    summary="Publish new inspection checklists (admin scope)",
)
def checklists_put(request: HttpRequest, payload: DocumentIn):
    """`{"checklists": [{"category": "shoes" or "*", "checks": [{"id", "label", "required"}]}]}`,
    validated by the warehouse's parser: 422 `invalid_checklists` with every problem and its
    field path in `errors`."""
    return _publish(request, DocumentKind.CHECKLISTS, payload)


@router.get(
    "/warehouse/disposition-rules",
    response={200: DocumentOut, **ERRORS},
    summary="The store's disposition rules",
)
def disposition_rules_get(request: HttpRequest):
    api_key = require_scope(request, "read")
    return _document_body(api_key.store, DocumentKind.DISPOSITION_RULES)


@router.put(
    "/warehouse/disposition-rules",
    response={200: DocumentOut, **WRITE_ERRORS},
    summary="Publish new disposition rules (admin scope)",
)
def disposition_rules_put(request: HttpRequest, payload: DocumentIn):
    """Ordered rules (grade × reason × category × value → disposition and recovery percent);
    422 `invalid_disposition_rules` with every problem and its field path in `errors`."""
    return _publish(request, DocumentKind.DISPOSITION_RULES, payload)


# --- supplier terms ------------------------------------------------------------------------------


class SupplierIn(Schema):
    name: Annotated[str, Field(max_length=200)] = ""
    terms_days: Annotated[int, Field(ge=0, le=3650)]
    contact_email: Annotated[str, Field(max_length=254)] = ""


class SupplierOut(Schema):
    code: str
    name: str
    terms_days: int
    contact_email: str


def _supplier_body(supplier: Any) -> dict[str, Any]:
    return {
        "code": supplier.code,
        "name": supplier.name,
        "terms_days": supplier.terms_days,
        "contact_email": supplier.contact_email,
    }


@router.get(
    "/warehouse/suppliers",
    response={200: list[SupplierOut], **ERRORS},
    summary="Suppliers' return terms",
)
def suppliers_list(request: HttpRequest):
    """Suppliers with recorded terms; a vendor not listed gets the default terms (30 days)."""
    api_key = require_scope(request, "read")
    return [_supplier_body(s) for s in warehouse_selectors.suppliers_for_store(store=api_key.store)]


@router.put(
    "/warehouse/suppliers/{code}",
    response={200: SupplierOut, **WRITE_ERRORS},
    summary="Record a supplier's return terms (admin scope)",
)
def supplier_put(request: HttpRequest, code: Sku, payload: SupplierIn):
    """`code` is the catalog's vendor (matched ignoring case). Units already waiting in an open
    return-to-vendor batch of that supplier get their deadline recounted with the new terms."""
    api_key = require_scope(request, "admin")
    supplier = warehouse.supplier_save(
        store=api_key.store,
        code=code,
        name=payload.name,
        terms_days=payload.terms_days,
        contact_email=payload.contact_email,
    )
    return _supplier_body(supplier)
