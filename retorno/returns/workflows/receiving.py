"""Receiving at the warehouse: find the return from what was scanned, count units in, record
unexpected items, and close a receipt with what is still missing.

Each command locks the return row, changes the quantity ledger with a conditional UPDATE (so
two receipts of the last unit can never both count it, on any engine), and appends one event
with the staff member to the return's trail. A refused command writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from retorno.core.actors import Actor
from retorno.core.errors import Conflict, NotFound, Unprocessable
from retorno.domain.returns.ledger import ItemDecision
from retorno.domain.returns.rma import normalise_rma
from retorno.domain.returns.states import Command, ReturnStatus
from retorno.logistics.selectors import rma_for_tracking_number as shipment_rma
from retorno.returns.events import EventKind, command, event_record, return_move
from retorno.returns.locks import return_lock
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.returns.workflows import inspection
from retorno.stores.models import Store
from retorno.warehouse import services as warehouse

MAX_UNITS_PER_SCAN = 1000
MAX_CODE_LENGTH = 120
RECEIVABLE_STATES = frozenset(
    {ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT, ReturnStatus.RECEIVED}
)


# --- finding the return from a scan ------------------------------------------------------------


def rma_for_tracking_number(store: Store, code: str) -> str | None:
    """The RMA of the return whose parcel carries tracking number `code`, if known.

    Asks logistics' shipments, then the trail: carrier events record the tracking number in
    their data (`{"tracking_number": ...}`).
    """
    rma = shipment_rma(store, code)
    if rma:
        return rma
    event = (
        ReturnEvent.objects.filter(store=store, data__tracking_number=code)
        .select_related("return_request")
        .order_by("-created_at")
        .first()
    )
    return event.return_request.rma if event is not None else None


@dataclass(frozen=True)
class ScanMatch:
    """What a scanned code found: `kind` is rma, tracking_number or sku; a SKU may match
    several open returns, listed for staff to pick from."""

    kind: str
    code: str
    returns: list[Return]


def scan_lookup(*, store: Store, code: str) -> ScanMatch:
    """Find returns by RMA, carrier tracking number or SKU (open returns only), in that order.

    Raises Unprocessable (empty_code) for a blank code and NotFound (unknown_code) when nothing
    in this store matches.
    """
    code = (code or "").strip()
    if not code:
        raise Unprocessable("Scan or type an RMA, a tracking number or a SKU.", code="empty_code")
    if len(code) > MAX_CODE_LENGTH:
        raise NotFound(f"Nothing in this store matches {code[:40]!r}…", code="unknown_code")
    found = Return.objects.filter(store=store, rma=normalise_rma(code)).first()
    if found is not None:
        return ScanMatch("rma", code, [found])
    rma = rma_for_tracking_number(store, code)
    if rma:
        found = Return.objects.filter(store=store, rma=rma).first()
        if found is not None:
            return ScanMatch("tracking_number", code, [found])
    by_sku = list(
        Return.objects.filter(
            Q(items__order_line__sku__iexact=code)
            | Q(items__order_line__variant__sku__iexact=code),
            store=store,
            status__in=RECEIVABLE_STATES,
        )
        .select_related("customer", "order")
        .distinct()
        .order_by("created_at", "id")[:50]
    )
    if by_sku:
        return ScanMatch("sku", code, by_sku)
    raise NotFound(
        f"Nothing in this store matches {code!r}: not an RMA, a tracking number or the SKU of "
        "an open return.",
        code="unknown_code",
    )


# --- counting units in -------------------------------------------------------------------------


@dataclass(frozen=True)
class UnexpectedInput:
    sku: str
    quantity: int = 1
    note: str = ""


@dataclass
class ReceiptOutcome:
    return_request: Return
    counted: dict[str, int] = field(default_factory=dict)
    unexpected: list[dict[str, Any]] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)


def return_receive_items(
    *,
    store: Store,
    rma: str,
    quantities: dict[str, int],
    actor: Actor,
    unexpected: list[UnexpectedInput] | None = None,
    note: str = "",
    now: datetime | None = None,
) -> ReceiptOutcome:
    """Count units in: `quantities` maps order line id to units that arrived now; `unexpected`
    lists SKUs that arrived but are not on the return.

    Receiving more than is still expected of a line is refused (Conflict over_received) and
    nothing is written, also when two receipts race for the last unit. Items of a tier with
    lenient QC are passed without inspection as they arrive. Records a `received` event (and an
    `unexpected_item` event per unexpected SKU).
    """
    now = now or timezone.now()
    unexpected = list(unexpected or [])
    if not quantities and not unexpected:
        raise Unprocessable("Say how many units of which line arrived.", code="no_items")
    for units in quantities.values():
        if (
            isinstance(units, bool)
            or not isinstance(units, int)
            or not 1 <= units <= MAX_UNITS_PER_SCAN
        ):
            raise Unprocessable(
                f"Quantities must be between 1 and {MAX_UNITS_PER_SCAN}.", code="invalid_quantity"
            )
    with command():
        return_request = return_lock(store, rma)
        before = return_move(return_request, Command.RECEIVE, now)
        items = {
            i.order_line.external_id: i
            for i in return_request.items.select_related("order_line", "order_line__variant")
        }
        counted: dict[str, int] = {}
        for line, units in quantities.items():
            item = items.get(line)
            if item is None:
                raise NotFound(f"Line {line!r} is not part of this return.", code="item_not_found")
            _count_in(item, units)
            counted[line] = units
        found = []
        for extra in unexpected:
            row = warehouse.unexpected_item_record(
                store=store,
                return_id=return_request.id,
                rma=return_request.rma,
                sku=extra.sku,
                quantity=extra.quantity,
                note=extra.note,
                actor=actor,
                now=now,
            )
            found.append({"sku": row.sku, "quantity": row.quantity, "id": row.id})
        return_request.save(update_fields=["status", "updated_at"])
        if counted:
            event_record(
                return_request,
                EventKind.RECEIVED,
                actor=actor,
                now=now,
                note=note,
                data={"quantities": counted},
                from_status=before,
            )
        for found_row in found:
            event_record(
                return_request,
                EventKind.UNEXPECTED_ITEM,
                actor=actor,
                now=now,
                note=note if not counted else "",
                data=found_row,
                from_status=before if not counted else return_request.status,
            )
        if counted:
            inspection.auto_pass_lenient(
                store=store, return_request=return_request, counted=counted, actor=actor, now=now
            )
    return ReceiptOutcome(return_request, counted=counted, unexpected=found)


def _count_in(item: ReturnItem, units: int) -> None:
    """Add `units` to the item's received count, only if they fit what is still expected."""
    if item.decision == ItemDecision.REJECTED:
        raise Conflict(
            f"{item.order_line.sku} was rejected, so no units of it are expected.",
            code="over_received",
        )
    updated = ReturnItem.objects.filter(
        pk=item.pk,
        quantity_received__lte=F("quantity_approved") - F("quantity_missing") - units,
    ).update(quantity_received=F("quantity_received") + units)
    if not updated:
        item.refresh_from_db(fields=["quantity_received", "quantity_missing", "quantity_approved"])
        outstanding = item.outstanding
        raise Conflict(
            f"{item.order_line.sku}: only {outstanding} more unit(s) are expected, not {units}. "
            "Nothing was recorded.",
            code="over_received",
            line=item.order_line.external_id,
            outstanding=outstanding,
        )
    item.quantity_received += units


@dataclass
class ScanOutcome:
    """A single scanned SKU inside a return: counted against a line, or unexpected."""

    kind: str  # "counted" or "unexpected"
    sku: str
    quantity: int
    line: str = ""
    outstanding: int = 0
    receipt: ReceiptOutcome | None = None


def return_receive_scan(
    *,
    store: Store,
    rma: str,
    code: str,
    quantity: int,
    actor: Actor,
    now: datetime | None = None,
) -> ScanOutcome:
    """Count in `quantity` units of the SKU `code` on return `rma`.

    A SKU of the return counts against its first line with units outstanding (over_received
    when every matching line is complete); a SKU that is not on the return is recorded as an
    unexpected item.
    """
    code = (code or "").strip()
    if not code:
        raise Unprocessable("Scan or type a SKU.", code="empty_code")
    if len(code) > MAX_CODE_LENGTH:
        raise Unprocessable("That code is too long to be a SKU.", code="invalid_sku")
    return_request = Return.objects.filter(store=store, rma=normalise_rma(rma)).first()
    if return_request is None:
        raise NotFound(f"No return {rma!r} in this store.", code="return_not_found")
    wanted = code.casefold()
    matching = [
        item
        for item in return_request.items.select_related("order_line", "order_line__variant")
        if item.order_line.sku.casefold() == wanted
        or (
            item.order_line.variant is not None and item.order_line.variant.sku.casefold() == wanted
        )
    ]
    if not matching:
        receipt = return_receive_items(
            store=store,
            rma=rma,
            quantities={},
            unexpected=[UnexpectedInput(code, quantity)],
            actor=actor,
            now=now,
        )
        return ScanOutcome("unexpected", code, quantity, receipt=receipt)
    target = next((i for i in matching if i.outstanding > 0), matching[0])
    line = target.order_line.external_id
    receipt = return_receive_items(
        store=store, rma=rma, quantities={line: quantity}, actor=actor, now=now
    )
    target.refresh_from_db()
    return ScanOutcome(
        "counted",
        target.order_line.sku,
        quantity,
        line=line,
        outstanding=target.outstanding,
        receipt=receipt,
    )


def return_receipt_close(
    *, store: Store, rma: str, actor: Actor, note: str = "", now: datetime | None = None
) -> ReceiptOutcome:
    """Close the receipt: every approved unit not received is recorded as missing.

    Raises Conflict (receipt_complete) when nothing is outstanding. Records `receipt_closed`
    with the missing units per line; the return counts as received (with units missing).
    """
    now = now or timezone.now()
    with command():
        return_request = return_lock(store, rma)
        before = return_move(return_request, Command.RECEIVE, now)
        missing: dict[str, int] = {}
        for item in return_request.items.select_related("order_line"):
            outstanding = item.outstanding
            if outstanding <= 0:
                continue
            ReturnItem.objects.filter(pk=item.pk).update(
                quantity_missing=F("quantity_approved") - F("quantity_received")
            )
            missing[item.order_line.external_id] = outstanding
        if not missing:
            raise Conflict(
                "Every expected unit is already accounted for; there is nothing to close.",
                code="receipt_complete",
            )
        inspection.complete_if_done(return_request, now)
        return_request.save(update_fields=["status", "updated_at"])
        event_record(
            return_request,
            EventKind.RECEIPT_CLOSED,
            actor=actor,
            now=now,
            note=note,
            data={"missing": missing},
            from_status=before,
        )
        if return_request.status == ReturnStatus.INSPECTED and before != ReturnStatus.INSPECTED:
            # The last units were written off and everything else was inspected already.
            event_record(
                return_request,
                EventKind.INSPECTED,
                actor=actor,
                now=now,
                note="Every received unit is inspected; the rest is missing.",
                from_status=ReturnStatus.RECEIVED,
            )
    return ReceiptOutcome(return_request, missing=missing)


def return_receive(
    *,
    store: Store,
    rma: str,
    quantities: dict[str, int],
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
) -> Return:
    """Count units in at the warehouse: `quantities` maps order line id to units received now.

    Receiving more than is still expected of an item is refused (code `over_received`) and
    nothing is written. See return_receive_items for scans and unexpected items.
    """
    return return_receive_items(
        store=store, rma=rma, quantities=quantities, actor=actor, note=note, now=now
    ).return_request
