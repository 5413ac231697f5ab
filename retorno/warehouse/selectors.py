"""Reads of warehouse records, always within one store; another store's row is "not found"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from django.db.models import QuerySet, Sum

from retorno.core.errors import NotFound
from retorno.domain.warehouse import (
    Checklist,
    Disposition,
    DispositionRuleSet,
    parse_checklists,
    parse_disposition_rules,
)
from retorno.domain.warehouse.grades import unit_physically_present
from retorno.domain.warehouse.reconciliation import SkuCounts
from retorno.orders.models import Product
from retorno.stores.models import Store
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

DEFAULT_RTV_TERMS_DAYS = 30


@dataclass(frozen=True)
class CurrentChecklists:
    version: int | None
    checklists: Mapping[str, Checklist]


@dataclass(frozen=True)
class CurrentRules:
    version: int | None
    rules: DispositionRuleSet


def document_current(*, store: Store, kind: str) -> WarehouseDocument | None:
    return WarehouseDocument.objects.filter(store=store, kind=kind).order_by("-version").first()


def checklists_current(*, store: Store) -> CurrentChecklists:
    """The store's current checklists, compiled; no document means no checks at all."""
    row = document_current(store=store, kind=DocumentKind.CHECKLISTS)
    if row is None:
        return CurrentChecklists(None, MappingProxyType({}))
    return CurrentChecklists(row.version, parse_checklists(row.document))


def disposition_rules_current(*, store: Store) -> CurrentRules:
    """The store's current disposition rules; none means the built-in defaults decide."""
    row = document_current(store=store, kind=DocumentKind.DISPOSITION_RULES)
    if row is None:
        return CurrentRules(None, DispositionRuleSet())
    return CurrentRules(row.version, parse_disposition_rules(row.document))


def suppliers_for_store(*, store: Store) -> list[Supplier]:
    return list(Supplier.objects.filter(store=store).order_by("code"))


def supplier_terms_days(*, store: Store, supplier_code: str) -> tuple[int, str]:
    """(terms in days, display name) of a supplier; unknown suppliers get the default terms."""
    wanted = supplier_code.strip().casefold()
    for supplier in Supplier.objects.filter(store=store, code__iexact=supplier_code.strip()):
        if supplier.code.strip().casefold() == wanted:
            return supplier.terms_days, supplier.name or supplier.code
    return DEFAULT_RTV_TERMS_DAYS, supplier_code.strip()


def inspections_for_return(*, store: Store, return_id: int) -> list[Inspection]:
    return list(Inspection.objects.filter(store=store, return_id=return_id).order_by("id"))


def inspected_quantities(*, store: Store, return_id: int) -> dict[int, int]:
    """Return item id → units inspected so far."""
    totals: dict[int, int] = {}
    for item_id, quantity in Inspection.objects.filter(
        store=store, return_id=return_id
    ).values_list("return_item_id", "quantity"):
        totals[item_id] = totals.get(item_id, 0) + quantity
    return totals


def unexpected_items_for_return(*, store: Store, return_id: int) -> list[UnexpectedItem]:
    return list(UnexpectedItem.objects.filter(store=store, return_id=return_id))


def inspection_get_for_store(*, store: Store, inspection_id: int) -> Inspection:
    inspection = Inspection.objects.filter(store=store, id=inspection_id).first()
    if inspection is None:
        raise NotFound("No such inspection in this store.", code="inspection_not_found")
    return inspection


def rtv_batches_for_store(*, store: Store, status: str | None = None) -> QuerySet[RtvBatch]:
    """Batches with their units, the most urgent first (open before shipped)."""
    queryset = RtvBatch.objects.filter(store=store).prefetch_related("inspections")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-status", "deadline_at", "id")


def rtv_batch_get_for_store(*, store: Store, batch_id: int) -> RtvBatch:
    batch = (
        RtvBatch.objects.filter(store=store, id=batch_id).prefetch_related("inspections").first()
    )
    if batch is None:
        raise NotFound("No such return-to-vendor batch in this store.", code="rtv_batch_not_found")
    return batch


def vendors_without_terms(*, store: Store) -> list[str]:
    """Vendors of the catalog with no terms recorded: they get the default terms."""
    known = {
        code.casefold() for code in Supplier.objects.for_store(store).values_list("code", flat=True)
    }
    vendors = (
        Product.objects.filter(store=store).exclude(vendor="").values_list("vendor", flat=True)
    )
    return sorted({v for v in vendors if v.casefold() not in known})


def warehouse_counts_for_returns(*, store: Store, return_ids: list[int]) -> list[SkuCounts]:
    """What the warehouse did with the units of these returns, per SKU: units inspected (and
    there), disposed of, restocked, sent to the supplier, the stock the inventory events moved,
    and units that arrived unannounced. Four queries, whatever the number of returns."""
    counts: list[SkuCounts] = []
    rows = Inspection.objects.filter(store=store, return_id__in=return_ids).values_list(
        "id", "sku", "grade", "quantity", "disposition", "restocked_quantity", "rtv_batch__status"
    )
    for _, sku, grade, quantity, disposition, restocked, rtv_status in rows:
        present = unit_physically_present(grade)
        counts.append(
            SkuCounts(
                sku,
                inspected=quantity if present else 0,
                disposed=quantity if present and disposition else 0,
                restocked=restocked,
                sent_to_vendor=quantity
                if disposition == Disposition.RETURN_TO_VENDOR and rtv_status == RtvStatus.SHIPPED
                else 0,
            )
        )
    moved = (
        InventoryEvent.objects.filter(store=store, inspection__return_id__in=return_ids)
        .values_list("sku")
        .annotate(units=Sum("quantity_delta"))
        .order_by()
    )
    counts += [SkuCounts(sku, stock_moved=units or 0) for sku, units in moved]
    unexpected = (
        UnexpectedItem.objects.filter(store=store, return_id__in=return_ids)
        .values_list("sku")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    counts += [SkuCounts(sku, unexpected=units or 0) for sku, units in unexpected]
    return counts
